// Monitor TCP probes against loopback ports: connect = healthy, refused = failure (§4.1).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "monitor_fixture.h"
#include "probes/monitor.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::probes::testing {
namespace {

ProbeSpec tcpSpec(routing::EndpointId id, const std::string& name, const std::string& target,
                  uint16_t port) {
  ProbeSpec spec = httpSpec(id, name, target, port);
  spec.protocol = Protocol::kTcp;
  spec.path.clear();
  spec.headers.clear();
  return spec;
}

TEST(MonitorTcp, OpenPortIsOnlineAndNothingIsSent) {
  DnsResponder dns;
  Recorder recorder;
  HttpBackend backend;
  Monitor monitor(loopbackOptions(dns.server()), recorder.publish(), recorder.log());
  monitor.setPlan(planOf(1, 1, {tcpSpec(0, "e0", "127.0.0.1", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder.waitLine("p/e0: CheckingEndpoint -> Online (TCP connected)", 2s + kMargin))
      << ::testing::PrintToString(recorder.lines());
  monitor.stop();
  EXPECT_EQ(backend.requestCount(), 0);
}

TEST(MonitorTcp, ClosedPortIsRefused) {
  DnsResponder dns;
  Recorder recorder;
  Monitor monitor(loopbackOptions(dns.server()), recorder.publish(), recorder.log());
  monitor.setPlan(planOf(1, 1, {tcpSpec(0, "e0", "127.0.0.1", unusedPort())}));
  monitor.start();
  ASSERT_TRUE(recorder.waitLine("p/e0: CheckingEndpoint -> Degraded (connect refused)",
                                degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder.lines());
}

TEST(MonitorTcp, PortThatClosesDegradesWithinTheBound) {
  DnsResponder dns;
  Recorder recorder;
  HttpBackend backend;
  ProbeSpec spec = tcpSpec(0, "e0", "127.0.0.1", backend.port());
  spec.toleratedFailures = 1;
  Monitor monitor(loopbackOptions(dns.server()), recorder.publish(), recorder.log());
  monitor.setPlan(planOf(1, 1, {spec}));
  monitor.start();
  ASSERT_TRUE(recorder.waitLine("p/e0: CheckingEndpoint -> Online (TCP connected)", 2s + kMargin));
  backend.stop();
  const auto closed = SteadyClock::now();
  const auto at =
      recorder.waitLine("p/e0: Online -> Degraded (connect refused)", degradeBound(1, 1, 1));
  ASSERT_TRUE(at.has_value()) << ::testing::PrintToString(recorder.lines());
  EXPECT_LE(*at - closed, degradeBound(1, 1, 1));
  // tolerated 1: the first refusal is tolerated, the second degrades, one interval later.
  EXPECT_GE(*at - closed, 1s - 100ms);
}

TEST(MonitorTcp, SourceAddressIsBoundAndMustMatchTheFamily) {
  DnsResponder dns;
  Recorder recorder;
  HttpBackend v4;
  HttpBackend v6("::1");
  MonitorOptions options = loopbackOptions(dns.server());
  options.sourceAddress = "127.0.0.3";
  Monitor monitor(options, recorder.publish(), recorder.log());
  monitor.setPlan(
      planOf(1, 2, {tcpSpec(0, "v4", "127.0.0.1", v4.port()), tcpSpec(1, "v6", "::1", v6.port())}));
  monitor.start();
  ASSERT_TRUE(recorder.waitLine("p/v4: CheckingEndpoint -> Online (TCP connected)", 2s + kMargin))
      << ::testing::PrintToString(recorder.lines());
  ASSERT_TRUE(recorder.waitLine(
      "p/v6: CheckingEndpoint -> Degraded (source address 127.0.0.3 is of another address family)",
      degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder.lines());
  monitor.stop();
  std::this_thread::sleep_for(100ms);
  ASSERT_FALSE(v4.peers().empty());
  EXPECT_EQ(v4.peers()[0], "127.0.0.3");
}

TEST(MonitorTcp, Ipv6LoopbackTarget) {
  DnsResponder dns;
  Recorder recorder;
  HttpBackend backend("::1");
  ASSERT_NE(backend.port(), 0) << "no IPv6 loopback";
  Monitor monitor(loopbackOptions(dns.server()), recorder.publish(), recorder.log());
  monitor.setPlan(planOf(1, 1, {tcpSpec(0, "e0", "::1", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder.waitLine("p/e0: CheckingEndpoint -> Online (TCP connected)", 2s + kMargin))
      << ::testing::PrintToString(recorder.lines());
}

}  // namespace
}  // namespace tmdns::probes::testing
