// alwaysServe with real probing (traffic-manager.md §2.10, §8 case 14): never probed, always
// eligible while Enabled; a Disabled alwaysServe endpoint is not served.
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

TEST(ProbeAlwaysServe, FailingBackendIsStillServedUntilTheEndpointIsDisabled) {
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  // e1's backend would fail every probe.
  backends[0].setMode(HttpBackend::Mode::k503);
  const auto config = [&](const std::string& e1Status) {
    return probeConfig({profileYaml(
        "always", "Priority", monitorYaml("HTTP", backends.port(), 0),
        {endpointYaml("e1", "127.0.0.2",
                      "priority: 1, alwaysServe: Enabled, endpointStatus: " + e1Status),
         endpointYaml("e2", "127.0.0.3", "priority: 2")})});
  };
  Server s;
  s.writeConfig(config("Enabled"));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("always");
  const Rr e1 = Rr::of(name + " 30 IN A 127.0.0.2");
  const Rr e2 = Rr::of(name + " 30 IN A 127.0.0.3");

  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e1}));
  ASSERT_TRUE(loggedWithin(s, statusLine("always/e2", "CheckingEndpoint", "Online", "HTTP 200"),
                           started, 0));
  // Watch for three more probe rounds of e2: e1 is answered throughout and never probed.
  const int seen = backends[1].requestCount();
  const auto deadline = Clock::now() + 30s;
  while (backends[1].requestCount() < seen + 3 && Clock::now() < deadline) {
    ASSERT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e1}));
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_GE(backends[1].requestCount(), seen + 3);
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {e1}, {}));
  EXPECT_EQ(backends[0].requestCount(), 0) << "an alwaysServe endpoint was probed";
  EXPECT_EQ(backends[0].peers().size(), 0u) << "an alwaysServe endpoint was connected to";
  EXPECT_TRUE(statusLines(s, "always/e1").empty()) << s.log();

  // Disabled (alwaysServe still Enabled): not served; the answer is e2 as soon as the reload is.
  s.writeConfig(config("Disabled"));
  auto reloaded = s.reload();
  ASSERT_TRUE(reloaded.has_value());
  ASSERT_TRUE(*reloaded) << s.log();
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e2}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {e2}, {}));

  // Enabled again: the setting was kept, e1 is served again without a probe.
  s.writeConfig(config("Enabled"));
  reloaded = s.reload();
  ASSERT_TRUE(reloaded.has_value());
  ASSERT_TRUE(*reloaded) << s.log();
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {e1}));

  EXPECT_EQ(backends[0].requestCount(), 0) << "an alwaysServe endpoint was probed";
  EXPECT_TRUE(statusLines(s, "always/e1").empty()) << s.log();
  EXPECT_EQ(statusLines(s, "always/e2"),
            (std::vector<std::string>{
                statusLine("always/e2", "CheckingEndpoint", "Online", "HTTP 200")}));
}

}  // namespace
}  // namespace tmdns::e2e
