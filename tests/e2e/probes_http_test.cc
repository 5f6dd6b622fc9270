// HTTP health probes through DNS answers (traffic-manager.md §4.1, §4.2, §8 case 15): status
// codes, expectedStatusCodeRanges, hanging and trickling backends, refused connections.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/probe_harness.h"

namespace tmdns::e2e {
namespace {

using Mode = HttpBackend::Mode;

// A Priority profile: e1 (priority 1) on 127.0.0.2, e2 (priority 2) on 127.0.0.3.
std::string twoEndpointPriority(const std::string& name, const std::string& monitor) {
  return profileYaml(name, "Priority", monitor,
                     {endpointYaml("e1", "127.0.0.2", "priority: 1"),
                      endpointYaml("e2", "127.0.0.3", "priority: 2")});
}

Rr a(const std::string& relative, const std::string& address) {
  return Rr::of(inZone(relative) + " 30 IN A " + address);
}

TEST(ProbeHttp, BackendSwitched200To503To200MovesTheAnswerToE2AndBack) {
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  constexpr int kTolerated = 1;
  Server s;
  s.writeConfig(probeConfig({twoEndpointPriority(
      "app", monitorYaml("HTTP", backends.port(), kTolerated, ", path: /health"))}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("app");
  const Rr e1 = a("app", "127.0.0.2");
  const Rr e2 = a("app", "127.0.0.3");

  // §2.1: CheckingEndpoint is served before any probe result; then both come Online.
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e1}));
  ASSERT_TRUE(
      loggedWithin(s, statusLine("app/e1", "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  ASSERT_TRUE(
      loggedWithin(s, statusLine("app/e2", "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e1}));
  // §4.1: GET of the path, Host = the IP-literal target, our User-Agent.
  const std::string request = backends[0].requests().at(0);
  EXPECT_EQ(request.rfind("GET /health HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("\r\nHost: 127.0.0.2\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nUser-Agent: tmdns-e2e-probe\r\n"), std::string::npos) << request;

  // 503 with tolerated 1: the second consecutive failure degrades e1 (§4.2).
  backends[0].setMode(Mode::k503);
  const int before = backends[0].requestCount();
  const auto failing = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {e1}, {e2}, failing, kTolerated));
  EXPECT_GE(backends[0].requestCount() - before, kTolerated + 1)
      << "e1 was degraded before toleratedNumberOfFailures + 1 failed probes";
  EXPECT_TRUE(
      loggedWithin(s, statusLine("app/e1", "Online", "Degraded", "HTTP 503"), failing, kTolerated));
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e2}));

  // One success brings it back (§4.2).
  backends[0].setMode(Mode::k200);
  const auto healed = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {e2}, {e1}, healed, 0));
  EXPECT_TRUE(loggedWithin(s, statusLine("app/e1", "Degraded", "Online", "HTTP 200"), healed, 0));
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {e1}, {}));

  EXPECT_EQ(
      statusLines(s, "app/e1"),
      (std::vector<std::string>{statusLine("app/e1", "CheckingEndpoint", "Online", "HTTP 200"),
                                statusLine("app/e1", "Online", "Degraded", "HTTP 503"),
                                statusLine("app/e1", "Degraded", "Online", "HTTP 200")}));
  EXPECT_EQ(
      statusLines(s, "app/e2"),
      (std::vector<std::string>{statusLine("app/e2", "CheckingEndpoint", "Online", "HTTP 200")}));
}

TEST(ProbeHttp, RedirectDegradesUnlessExpectedStatusCodeRangesAcceptIt) {
  // §8 case 15 with tolerated 2: E1 answers 301. Without expectedStatusCodeRanges the third
  // consecutive 301 degrades it; with [{min: 200, max: 399}] it never degrades.
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  backends[0].setMode(Mode::k301);
  constexpr int kTolerated = 2;
  Server s;
  s.writeConfig(probeConfig(
      {twoEndpointPriority("redirect",
                           monitorYaml("HTTP", backends.port(), kTolerated,
                                       ", customHeaders: [{name: X-Profile, value: redirect}]")),
       twoEndpointPriority("accept3xx",
                           monitorYaml("HTTP", backends.port(), kTolerated,
                                       ", customHeaders: [{name: X-Profile, value: accept3xx}],"
                                       " expectedStatusCodeRanges: [{min: 200, max: 399}]"))}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string redirect = inZone("redirect");
  const std::string accept = inZone("accept3xx");

  // Before any result: CheckingEndpoint, served.
  EXPECT_TRUE(answers(s.v4(), redirect, LDNS_RR_TYPE_A, {a("redirect", "127.0.0.2")}));
  EXPECT_TRUE(answers(s.v4(), accept, LDNS_RR_TYPE_A, {a("accept3xx", "127.0.0.2")}));

  ASSERT_TRUE(answerChangesWithin(s.v4(), redirect, LDNS_RR_TYPE_A, {a("redirect", "127.0.0.2")},
                                  {a("redirect", "127.0.0.3")}, started, kTolerated));
  EXPECT_GE(backends.requestsContaining(0, "X-Profile: redirect"), kTolerated + 1);
  EXPECT_TRUE(loggedWithin(s, statusLine("redirect/e1", "CheckingEndpoint", "Degraded", "HTTP 301"),
                           started, kTolerated));
  EXPECT_TRUE(loggedWithin(s, statusLine("accept3xx/e1", "CheckingEndpoint", "Online", "HTTP 301"),
                           started, 0));

  // Keep watching until accept3xx's e1 has been answered 301 at least five times.
  const auto deadline = Clock::now() + 30s;
  while (backends.requestsContaining(0, "X-Profile: accept3xx") < 5 && Clock::now() < deadline) {
    ASSERT_TRUE(answers(s.v4(), accept, LDNS_RR_TYPE_A, {a("accept3xx", "127.0.0.2")}));
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_GE(backends.requestsContaining(0, "X-Profile: accept3xx"), 5);
  EXPECT_TRUE(answers(s.v4(), accept, LDNS_RR_TYPE_A, {a("accept3xx", "127.0.0.2")}));
  EXPECT_TRUE(answers(s.v4(), redirect, LDNS_RR_TYPE_A, {a("redirect", "127.0.0.3")}));

  // One 200 and the redirect profile's e1 is Online again.
  backends[0].setMode(Mode::k200);
  const auto healed = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), redirect, LDNS_RR_TYPE_A, {a("redirect", "127.0.0.3")},
                                  {a("redirect", "127.0.0.2")}, healed, 0));
  EXPECT_TRUE(
      loggedWithin(s, statusLine("redirect/e1", "Degraded", "Online", "HTTP 200"), healed, 0));

  EXPECT_EQ(statusLines(s, "accept3xx/e1"),
            (std::vector<std::string>{
                statusLine("accept3xx/e1", "CheckingEndpoint", "Online", "HTTP 301")}));
  EXPECT_EQ(statusLines(s, "redirect/e1"),
            (std::vector<std::string>{
                statusLine("redirect/e1", "CheckingEndpoint", "Degraded", "HTTP 301"),
                statusLine("redirect/e1", "Degraded", "Online", "HTTP 200")}));
}

TEST(ProbeHttp, HangingAndTricklingBackendsTimeOut) {
  // Two profiles on two ports: "hang" accepts and never answers, "trickle" sends a status line
  // and then one header byte every 200 ms forever. Both fail by the 1 s timeout.
  BackendGroup hang({"127.0.0.2", "127.0.0.3"});
  BackendGroup trickle({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(hang.ok());
  ASSERT_TRUE(trickle.ok());
  Server s;
  s.writeConfig(
      probeConfig({twoEndpointPriority("hang", monitorYaml("HTTP", hang.port(), 0)),
                   twoEndpointPriority("trickle", monitorYaml("HTTP", trickle.port(), 0))}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  for (const std::string p : {"hang", "trickle"}) {
    ASSERT_TRUE(loggedWithin(s, statusLine(p + "/e1", "CheckingEndpoint", "Online", "HTTP 200"),
                             started, 0));
    EXPECT_TRUE(answers(s.v4(), inZone(p), LDNS_RR_TYPE_A, {a(p, "127.0.0.2")}));
  }

  hang[0].setMode(Mode::kHang);
  trickle[0].setMode(Mode::kTrickle);
  const auto stalled = Clock::now();
  for (const std::string p : {"hang", "trickle"}) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(answerChangesWithin(s.v4(), inZone(p), LDNS_RR_TYPE_A, {a(p, "127.0.0.2")},
                                    {a(p, "127.0.0.3")}, stalled, 0));
    EXPECT_TRUE(loggedWithin(s, statusLine(p + "/e1", "Online", "Degraded", "timeout after 1s"),
                             stalled, 0));
  }
  EXPECT_GE(trickle.requestsContaining(0, "GET / HTTP/1.1"), 1);

  hang[0].setMode(Mode::k200);
  trickle[0].setMode(Mode::k200);
  const auto healed = Clock::now();
  for (const std::string p : {"hang", "trickle"}) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(answerChangesWithin(s.v4(), inZone(p), LDNS_RR_TYPE_A, {a(p, "127.0.0.3")},
                                    {a(p, "127.0.0.2")}, healed, 0));
    EXPECT_TRUE(
        loggedWithin(s, statusLine(p + "/e1", "Degraded", "Online", "HTTP 200"), healed, 0));
    EXPECT_EQ(statusLines(s, p + "/e1").size(), 3u) << s.log();
  }
}

TEST(ProbeHttp, ClosedPortIsConnectRefusedAndRecoversWhenReopened) {
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  Server s;
  s.writeConfig(probeConfig({twoEndpointPriority("app", monitorYaml("HTTP", backends.port(), 0))}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("app");
  ASSERT_TRUE(
      loggedWithin(s, statusLine("app/e1", "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {a("app", "127.0.0.2")}));

  backends.stop(0);
  const auto closed = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {a("app", "127.0.0.2")},
                                  {a("app", "127.0.0.3")}, closed, 0));
  EXPECT_TRUE(
      loggedWithin(s, statusLine("app/e1", "Online", "Degraded", "connect refused"), closed, 0));

  ASSERT_TRUE(backends.reopen(0));
  const auto reopened = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {a("app", "127.0.0.3")},
                                  {a("app", "127.0.0.2")}, reopened, 0));
  EXPECT_TRUE(loggedWithin(s, statusLine("app/e1", "Degraded", "Online", "HTTP 200"), reopened, 0));
  EXPECT_EQ(statusLines(s, "app/e1").size(), 3u) << s.log();
}

}  // namespace
}  // namespace tmdns::e2e
