// Probe health across SIGHUP reloads: an unchanged probe keeps its status (no return to
// CheckingEndpoint, no log line) and the answers do not flap while the configuration changes.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/probe_harness.h"

namespace tmdns::e2e {
namespace {

std::string show(const std::map<std::string, int>& counts) {
  std::ostringstream os;
  for (const auto& [key, n] : counts) {
    os << "\n  " << key << ": " << n;
  }
  return os.str();
}

TEST(ProbeReload, DegradedEndpointStaysDegradedAcrossUnrelatedReloads) {
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  backends[0].setMode(HttpBackend::Mode::k503);
  const auto app = [&](int ttl) {
    return profileYaml("app", "Priority", monitorYaml("HTTP", backends.port(), 0),
                       {endpointYaml("e1", "127.0.0.2", "priority: 1"),
                        endpointYaml("e2", "127.0.0.3", "priority: 2")},
                       "", ttl);
  };
  // A second profile probing e2's backend on another path: a probe of its own.
  const auto other =
      profileYaml("other", "Priority", monitorYaml("HTTP", backends.port(), 0, ", path: /other"),
                  {endpointYaml("o1", "127.0.0.3")});
  Server s;
  s.writeConfig(probeConfig({app(30)}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("app");
  ASSERT_TRUE(loggedWithin(s, statusLine("app/e1", "CheckingEndpoint", "Degraded", "HTTP 503"),
                           started, 0));
  ASSERT_TRUE(
      loggedWithin(s, statusLine("app/e2", "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {Rr::of(name + " 30 IN A 127.0.0.3")}));

  AnswerRecorder recorder(s.v4(), name);
  // 1. An unrelated change: a static record.
  s.writeConfig(probeConfig({app(30)}, "", {"static 300 IN A 127.0.0.100"}));
  auto reloaded = s.reload();
  ASSERT_TRUE(reloaded.has_value());
  ASSERT_TRUE(*reloaded) << s.log();
  EXPECT_TRUE(answers(s.v4(), inZone("static"), LDNS_RR_TYPE_A,
                      {Rr::of(inZone("static") + " 300 IN A 127.0.0.100")}));
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {Rr::of(name + " 30 IN A 127.0.0.3")}));

  // 2. The profile's TTL (not part of any probe) and a new profile with a new probe.
  s.writeConfig(probeConfig({app(45), other}, "", {"static 300 IN A 127.0.0.100"}));
  const auto second = Clock::now();
  size_t firstLine = 0;
  reloaded = s.reload(10s, &firstLine);
  ASSERT_TRUE(reloaded.has_value());
  ASSERT_TRUE(*reloaded) << s.log();
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {Rr::of(name + " 45 IN A 127.0.0.3")}));
  EXPECT_TRUE(loggedWithin(s, statusLine("other/o1", "CheckingEndpoint", "Online", "HTTP 200"),
                           second, 0, firstLine));

  // Three more probes of e1 after the last reload: had its health been reset, CheckingEndpoint
  // (served!) would have come back and "CheckingEndpoint -> Degraded" been logged again.
  const int probed = backends[0].requestCount();
  const auto deadline = Clock::now() + 30s;
  while (backends[0].requestCount() < probed + 3 && Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_GE(backends[0].requestCount(), probed + 3);
  recorder.stop();

  EXPECT_EQ(
      statusLines(s, "app/e1"),
      (std::vector<std::string>{statusLine("app/e1", "CheckingEndpoint", "Degraded", "HTTP 503")}));
  EXPECT_EQ(
      statusLines(s, "app/e2"),
      (std::vector<std::string>{statusLine("app/e2", "CheckingEndpoint", "Online", "HTTP 200")}));
  // Every answer during both reloads was e2: never e1, never an error.
  EXPECT_GT(recorder.count(), 100u);
  EXPECT_EQ(recorder.seen(),
            (std::map<std::string, int>{{"A 127.0.0.3", static_cast<int>(recorder.count())}}))
      << show(recorder.seen());
  EXPECT_TRUE(
      digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {Rr::of(name + " 45 IN A 127.0.0.3")}, {}));
}

}  // namespace
}  // namespace tmdns::e2e
