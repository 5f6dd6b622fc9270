// HTTPS and TCP health probes through DNS answers (traffic-manager.md §4.1): certificates are not
// validated unless verifyTls asks for it; a TCP probe is a connect.
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

Rr a(const std::string& relative, const std::string& address) {
  return Rr::of(inZone(relative) + " 30 IN A " + address);
}

TEST(ProbeTls, SelfSignedBackendIsOnlineUnlessVerifyTlsIsSet) {
  // `openssl s_server -www` on 127.0.0.1 with a self-signed certificate (CN backend.probe.test,
  // so neither the issuer nor the name would pass verification). e2 is alwaysServe (never
  // probed, always eligible) so that e1 losing eligibility shows in the answer.
  TlsBackend tls;
  ASSERT_TRUE(tls.ok()) << tls.error();
  const auto profile = [&](const std::string& name, const std::string& extra) {
    return profileYaml(name, "Priority", monitorYaml("HTTPS", tls.port(), 0, extra),
                       {endpointYaml("e1", "127.0.0.1", "priority: 1"),
                        endpointYaml("e2", "127.0.0.9", "priority: 2, alwaysServe: Enabled")});
  };
  Server s;
  s.writeConfig(
      probeConfig({profile("tls-default", ""), profile("tls-verify", ", verifyTls: true")}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());

  EXPECT_TRUE(
      answers(s.v4(), inZone("tls-default"), LDNS_RR_TYPE_A, {a("tls-default", "127.0.0.1")}));
  ASSERT_TRUE(answerChangesWithin(s.v4(), inZone("tls-verify"), LDNS_RR_TYPE_A,
                                  {a("tls-verify", "127.0.0.1")}, {a("tls-verify", "127.0.0.9")},
                                  started, 0));
  EXPECT_TRUE(loggedWithin(s,
                           statusLine("tls-verify/e1", "CheckingEndpoint", "Degraded",
                                      "TLS certificate verification failed"),
                           started, 0));
  EXPECT_TRUE(loggedWithin(
      s, statusLine("tls-default/e1", "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  EXPECT_TRUE(
      answers(s.v4(), inZone("tls-default"), LDNS_RR_TYPE_A, {a("tls-default", "127.0.0.1")}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("tls-verify"), "A"}), "NOERROR",
                         {a("tls-verify", "127.0.0.9")}, {}));

  // Two more probe rounds later nothing has changed.
  const auto later = Clock::now() + std::chrono::seconds(2 * kInterval);
  while (Clock::now() < later) {
    ASSERT_TRUE(
        answers(s.v4(), inZone("tls-default"), LDNS_RR_TYPE_A, {a("tls-default", "127.0.0.1")}));
    ASSERT_TRUE(
        answers(s.v4(), inZone("tls-verify"), LDNS_RR_TYPE_A, {a("tls-verify", "127.0.0.9")}));
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(statusLines(s, "tls-default/e1").size(), 1u) << s.log();
  EXPECT_EQ(statusLines(s, "tls-verify/e1").size(), 1u) << s.log();
  EXPECT_TRUE(statusLines(s, "tls-default/e2").empty()) << s.log();
  EXPECT_TRUE(statusLines(s, "tls-verify/e2").empty()) << s.log();
}

TEST(ProbeTcp, OpenPortIsOnlineClosedIsDegradedReopenedIsOnline) {
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  Server s;
  s.writeConfig(probeConfig({profileYaml("tcp", "Priority", monitorYaml("TCP", backends.port(), 0),
                                         {endpointYaml("e1", "127.0.0.2", "priority: 1"),
                                          endpointYaml("e2", "127.0.0.3", "priority: 2")})}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("tcp");

  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {a("tcp", "127.0.0.2")}));
  ASSERT_TRUE(loggedWithin(s, statusLine("tcp/e1", "CheckingEndpoint", "Online", "TCP connected"),
                           started, 0));
  ASSERT_TRUE(loggedWithin(s, statusLine("tcp/e2", "CheckingEndpoint", "Online", "TCP connected"),
                           started, 0));
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {a("tcp", "127.0.0.2")}));

  backends.stop(0);
  const auto closed = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {a("tcp", "127.0.0.2")},
                                  {a("tcp", "127.0.0.3")}, closed, 0));
  EXPECT_TRUE(
      loggedWithin(s, statusLine("tcp/e1", "Online", "Degraded", "connect refused"), closed, 0));

  ASSERT_TRUE(backends.reopen(0));
  const auto reopened = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {a("tcp", "127.0.0.3")},
                                  {a("tcp", "127.0.0.2")}, reopened, 0));
  EXPECT_TRUE(
      loggedWithin(s, statusLine("tcp/e1", "Degraded", "Online", "TCP connected"), reopened, 0));
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {a("tcp", "127.0.0.2")}, {}));

  // §4.1: a TCP probe connects and sends nothing.
  EXPECT_GE(backends[1].peers().size(), 1u);
  EXPECT_EQ(backends[1].requestCount(), 0);
  EXPECT_EQ(statusLines(s, "tcp/e1").size(), 3u) << s.log();
  EXPECT_EQ(statusLines(s, "tcp/e2").size(), 1u) << s.log();
}

}  // namespace
}  // namespace tmdns::e2e
