// Monitor probing names resolved by the test's own DNS responder on 127.0.0.1 (never the system's).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "monitor_fixture.h"
#include "probes/monitor.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::probes::testing {
namespace {

using Mode = HttpBackend::Mode;

class MonitorDnsTest : public ::testing::Test {
 protected:
  DnsResponder dns_;
  Recorder recorder_;
};

TEST_F(MonitorDnsTest, NameTargetIsResolvedAndKeepsItsHostHeader) {
  HttpBackend backend;
  dns_.setA("backend.probe.test", {"127.0.0.1"}, 300);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "backend.probe.test", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin))
      << ::testing::PrintToString(recorder_.lines());
  const auto requests = backend.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_NE(requests[0].find("\r\nHost: backend.probe.test\r\n"), std::string::npos) << requests[0];

  // Three more rounds inside the 300 s TTL: answered from the cache, one query per type.
  std::this_thread::sleep_for(3s);
  EXPECT_GE(backend.requestCount(), 3);
  EXPECT_EQ(dns_.queries("backend.probe.test", "A"), 1);
  EXPECT_EQ(dns_.queries("backend.probe.test", "AAAA"), 1);
}

TEST_F(MonitorDnsTest, ShortTtlIsRaisedToTheMinimumThenReResolved) {
  HttpBackend backend;
  dns_.setA("short.probe.test", {"127.0.0.1"}, 0);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "short.probe.test", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
  const auto deadline = SteadyClock::now() + 5s + 1s + kMargin;
  while (dns_.queries("short.probe.test", "A") < 2 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  const auto times = dns_.queryTimes("short.probe.test", "A");
  ASSERT_EQ(times.size(), 2u);
  EXPECT_GE(times[1] - times[0], 5s - 100ms);  // Resolver::kMinTtl
}

TEST_F(MonitorDnsTest, NxdomainIsAResolveFailure) {
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "missing.probe.test", 80)}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (resolve failed: NXDOMAIN)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
  EXPECT_GE(dns_.queries("missing.probe.test", "A"), 1);
  // Targets are absolute: no search-list suffix is tried after the NXDOMAIN.
  for (const std::string& seen : dns_.seenNames()) {
    EXPECT_TRUE(seen == "missing.probe.test/A" || seen == "missing.probe.test/AAAA") << seen;
  }
}

TEST_F(MonitorDnsTest, SilentResolverIsAResolveTimeout) {
  dns_.setSilent("silent.probe.test");
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "silent.probe.test", 80)}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (resolve failed: timeout)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorDnsTest, EveryAddressIsProbedAndAnySuccessIsEnough) {
  HttpBackend first("127.0.0.1");
  HttpBackend second("127.0.0.2", first.port());
  ASSERT_NE(second.port(), 0);
  first.setMode(Mode::k503);
  second.setMode(Mode::k503);
  dns_.setA("multi.probe.test", {"127.0.0.1", "127.0.0.2"}, 300);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "multi.probe.test", first.port())}));
  monitor.start();
  // Both fail alike: one reason.
  ASSERT_TRUE(
      recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (HTTP 503)", degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
  EXPECT_GE(first.requestCount(), 1);
  EXPECT_GE(second.requestCount(), 1);
  EXPECT_NE(second.requests()[0].find("\r\nHost: multi.probe.test\r\n"), std::string::npos);

  // One address healthy is enough: a client connecting by name falls back to it too.
  second.setMode(Mode::k200);
  ASSERT_TRUE(recorder_.waitLine("p/e0: Degraded -> Online (HTTP 200)", 2s + kMargin))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorDnsTest, DifferentFailuresAreListedPerAddressInResolverOrder) {
  HttpBackend first("127.0.0.1");
  first.setMode(Mode::k503);
  // Nothing listens on 127.0.0.3 at that port: refused.
  dns_.setA("mixed.probe.test", {"127.0.0.3", "127.0.0.1"}, 300);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "mixed.probe.test", first.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine(
      "p/e0: CheckingEndpoint -> Degraded (127.0.0.3: connect refused; 127.0.0.1: HTTP 503)",
      degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorDnsTest, AaaaOnlyNameIsProbedOverIpv6) {
  HttpBackend backend("::1");
  ASSERT_NE(backend.port(), 0) << "no IPv6 loopback";
  dns_.setAaaa("v6.probe.test", {"::1"}, 300);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "v6.probe.test", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin))
      << ::testing::PrintToString(recorder_.lines());
  EXPECT_NE(backend.requests()[0].find("\r\nHost: v6.probe.test\r\n"), std::string::npos);
}

TEST_F(MonitorDnsTest, UnusableResolverSettingFailsProbesInsteadOfFallingBack) {
  MonitorOptions options = loopbackOptions("not an address");
  Monitor monitor(options, recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "backend.probe.test", 80)}));
  monitor.start();
  ASSERT_TRUE(
      recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (resolve failed: resolver "
                         "unavailable: invalid resolvers \"not an address\": "
                         "Misformatted string)",
                         degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
  EXPECT_EQ(dns_.queries("backend.probe.test", "A"), 0);
}

}  // namespace
}  // namespace tmdns::probes::testing
