// Monitor with real HTTP backends on 127.0.0.1: transitions, timing bounds, headers, isolation.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "monitor_fixture.h"
#include "probes/monitor.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::probes::testing {
namespace {

using routing::MonitorStatus;
using Mode = HttpBackend::Mode;

int openDescriptors() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  closedir(dir);
  return count - 1;  // the DIR's own descriptor
}

class MonitorHttpTest : public ::testing::Test {
 protected:
  DnsResponder dns_;  // the only resolver any test uses: nothing is looked up elsewhere
  Recorder recorder_;
};

TEST_F(MonitorHttpTest, HealthyEndpointGoesOnlineAndIsPublished) {
  HttpBackend backend;
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  auto table = monitor.setPlan(planOf(5, 2, {httpSpec(0, "e0", "127.0.0.1", backend.port())}));
  EXPECT_EQ(table->status, (std::vector<MonitorStatus>{MonitorStatus::kCheckingEndpoint,
                                                       MonitorStatus::kCheckingEndpoint}));
  const auto start = SteadyClock::now();
  monitor.start();

  // First probe within one interval (jitter), answered well within the timeout.
  const auto at = recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin);
  ASSERT_TRUE(at.has_value()) << ::testing::PrintToString(recorder_.lines());
  EXPECT_LE(*at - start, 2s + kMargin);

  const auto [generation, published] = recorder_.lastTable();
  EXPECT_EQ(generation, 5u);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->status,
            (std::vector<MonitorStatus>{MonitorStatus::kOnline, MonitorStatus::kCheckingEndpoint}));
  const auto details = monitor.details();
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[0].status, MonitorStatus::kOnline);
  EXPECT_EQ(details[0].lastResult, "HTTP 200");
  EXPECT_GT(details[0].lastProbeUnixMs, 0);
  EXPECT_EQ(details[0].lastChangeUnixMs, details[0].lastProbeUnixMs);
  EXPECT_GT(details[0].lastLatencySeconds, 0.0);
  EXPECT_LT(details[0].lastLatencySeconds, 1.0);
  EXPECT_EQ(details[1].status, MonitorStatus::kCheckingEndpoint);
  EXPECT_EQ(details[1].lastProbeUnixMs, 0);
  monitor.stop();
}

TEST_F(MonitorHttpTest, DegradesAfterToleratedFailuresThenRecoversOnFirstSuccess) {
  HttpBackend backend;
  backend.setMode(Mode::k503);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "127.0.0.1", backend.port(), 2)}));
  const auto start = SteadyClock::now();
  monitor.start();

  // §4.2: tolerated 2 => Degraded on the 3rd consecutive failure.
  const auto degraded =
      recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (HTTP 503)", degradeBound(1, 2, 1));
  ASSERT_TRUE(degraded.has_value()) << ::testing::PrintToString(recorder_.lines());
  EXPECT_LE(*degraded - start, degradeBound(1, 2, 1));
  const auto times = backend.requestTimes();
  ASSERT_GE(times.size(), 3u);
  EXPECT_EQ(backend.requestCount(), 3);
  // Probes are one interval apart: the 3rd cannot come before two intervals after the 1st.
  EXPECT_GE(times[2] - times[0], 2s - 100ms);

  backend.setMode(Mode::k200);
  const auto online = recorder_.waitLine("p/e0: Degraded -> Online (HTTP 200)", 2s + kMargin);
  ASSERT_TRUE(online.has_value()) << ::testing::PrintToString(recorder_.lines());
  EXPECT_EQ(recorder_.linesFor("p/e0"),
            (std::vector<std::string>{"p/e0: CheckingEndpoint -> Degraded (HTTP 503)",
                                      "p/e0: Degraded -> Online (HTTP 200)"}));
  EXPECT_EQ(recorder_.lastTable().second->status[0], MonitorStatus::kOnline);
}

TEST_F(MonitorHttpTest, RedirectFailsUnlessExpectedRangesAllowIt) {
  // traffic-manager.md §8 case 15: 301 three times with tolerated 2 degrades; with
  // expectedStatusCodeRanges [200, 399] the 301s never degrade.
  HttpBackend backend;
  backend.setMode(Mode::k301);
  ProbeSpec allowed = httpSpec(0, "allowed", "127.0.0.1", backend.port(), 2);
  allowed.expectedStatus = {{200, 399}};
  ProbeSpec strict = httpSpec(1, "strict", "127.0.0.1", backend.port(), 2);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 2, {allowed, strict}));
  monitor.start();

  ASSERT_TRUE(recorder_.waitLine("p/strict: CheckingEndpoint -> Degraded (HTTP 301)",
                                 degradeBound(1, 2, 1)))
      << ::testing::PrintToString(recorder_.lines());
  EXPECT_EQ(recorder_.linesFor("p/allowed"),
            std::vector<std::string>{"p/allowed: CheckingEndpoint -> Online (HTTP 301)"});
  // The redirect is never followed: every request is for the probe path.
  for (const std::string& request : backend.requests()) {
    EXPECT_EQ(request.rfind("GET / HTTP/1.1\r\n", 0), 0u) << request;
  }
}

TEST_F(MonitorHttpTest, SendsPathHostCustomHeadersAndUserAgent) {
  HttpBackend backend;
  ProbeSpec spec = httpSpec(0, "e0", "127.0.0.1", backend.port());
  spec.path = "/health?probe=1";
  spec.headers = {{"Host", "custom.example"}, {"X-Probe", "yes"}, {"X-Empty", ""}};
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {spec}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
  monitor.stop();

  const auto requests = backend.requests();
  ASSERT_FALSE(requests.empty());
  const std::string& r = requests[0];
  EXPECT_EQ(r.rfind("GET /health?probe=1 HTTP/1.1\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("\r\nHost: custom.example\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nX-Probe: yes\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nX-Empty:\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nUser-Agent: tmdns-test/1\r\n"), std::string::npos) << r;
  EXPECT_EQ(r.find("Host: 127.0.0.1"), std::string::npos) << r;
}

TEST_F(MonitorHttpTest, ProbesLeaveFromTheConfiguredSourceAddress) {
  HttpBackend backend;
  MonitorOptions options = loopbackOptions(dns_.server());
  options.sourceAddress = "127.0.0.2";
  Monitor monitor(options, recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "127.0.0.1", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin))
      << ::testing::PrintToString(recorder_.lines());
  monitor.stop();
  ASSERT_FALSE(backend.peers().empty());
  EXPECT_EQ(backend.peers()[0], "127.0.0.2");
}

TEST_F(MonitorHttpTest, HangingEndpointDoesNotDelayAHealthyOne) {
  HttpBackend hanging;
  hanging.setMode(Mode::kHang);
  HttpBackend healthy;
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 2,
                         {httpSpec(0, "hang", "127.0.0.1", hanging.port()),
                          httpSpec(1, "ok", "127.0.0.1", healthy.port())}));
  monitor.start();

  const auto degraded = recorder_.waitLine(
      "p/hang: CheckingEndpoint -> Degraded (timeout after 1s)", degradeBound(1, 0, 1));
  ASSERT_TRUE(degraded.has_value()) << ::testing::PrintToString(recorder_.lines());
  // The timeout is measured from the probe's own start, which the backend saw arrive.
  const auto hangTimes = hanging.requestTimes();
  ASSERT_FALSE(hangTimes.empty());
  EXPECT_GE(*degraded - hangTimes[0], 1s - 50ms);
  ASSERT_TRUE(recorder_.waitLine("p/ok: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));

  // While the other endpoint hangs round after round, the healthy one keeps its cadence.
  std::this_thread::sleep_for(3500ms);
  const auto times = healthy.requestTimes();
  ASSERT_GE(times.size(), 4u);
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_LE(times[i] - times[i - 1], 1s + 400ms) << "gap before probe " << i;
  }
  EXPECT_EQ(recorder_.linesFor("p/ok").size(), 1u);
}

TEST_F(MonitorHttpTest, TricklingHeadersCostOnlyTheTimeout) {
  HttpBackend backend;
  backend.setMode(Mode::kTrickle);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "127.0.0.1", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (timeout after 1s)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorHttpTest, HugeHeadersAreAFailure) {
  HttpBackend backend;
  backend.setMode(Mode::kHugeHeader);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "127.0.0.1", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (response headers too large)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorHttpTest, HugeBodyIsNotReadBeyondTheBound) {
  HttpBackend backend;
  backend.setMode(Mode::kBigBody);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "127.0.0.1", backend.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin))
      << ::testing::PrintToString(recorder_.lines());
  monitor.stop();
  std::this_thread::sleep_for(200ms);
  // The prober aborted the transfer: the backend could not write the whole 16 MiB body.
  EXPECT_LT(backend.bodyBytesSent(), size_t{16} * 1024 * 1024);
  EXPECT_EQ(monitor.details()[0].lastResult, "HTTP 200");
}

TEST_F(MonitorHttpTest, RefusedConnectionIsAFailureWithItsReason) {
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpSpec(0, "e0", "127.0.0.1", unusedPort())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (connect refused)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorHttpTest, EndpointsWithEqualProbesAreProbedOnce) {
  HttpBackend backend;
  ProbeSpec a = httpSpec(0, "a", "127.0.0.1", backend.port());
  ProbeSpec b = httpSpec(2, "b", "127.0.0.1", backend.port());
  b.profileName = "q";
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 3, {a, b}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("q/b: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
  ASSERT_TRUE(recorder_.waitLine("p/a: CheckingEndpoint -> Online (HTTP 200)", 0ms));
  EXPECT_EQ(backend.requestCount(), 1);
  EXPECT_EQ(recorder_.lastTable().second->status,
            (std::vector<MonitorStatus>{MonitorStatus::kOnline, MonitorStatus::kCheckingEndpoint,
                                        MonitorStatus::kOnline}));
}

TEST_F(MonitorHttpTest, SetPlanKeepsHealthOfUnchangedKeys) {
  HttpBackend backend;
  ProbeSpec kept = httpSpec(0, "kept", "127.0.0.1", backend.port());
  ProbeSpec changed = httpSpec(1, "changed", "127.0.0.1", backend.port());
  changed.path = "/a";
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 2, {kept, changed}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/kept: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
  ASSERT_TRUE(recorder_.waitLine("p/changed: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));

  // Reload: a new endpoint first shifts the ids; `changed` changes its path (a new probe).
  ProbeSpec newcomer = httpSpec(0, "new", "127.0.0.1", backend.port());
  newcomer.path = "/new";
  kept.endpoint = 1;
  changed.endpoint = 2;
  changed.path = "/b";
  auto table = monitor.setPlan(planOf(2, 3, {newcomer, kept, changed}));
  EXPECT_EQ(table->status,
            (std::vector<MonitorStatus>{MonitorStatus::kCheckingEndpoint, MonitorStatus::kOnline,
                                        MonitorStatus::kCheckingEndpoint}));
  EXPECT_EQ(monitor.details()[1].lastResult, "HTTP 200");

  ASSERT_TRUE(recorder_.waitLine("p/new: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
  std::this_thread::sleep_for(1500ms);
  // No flapping and no return to CheckingEndpoint for the kept probe.
  EXPECT_EQ(recorder_.linesFor("p/kept"),
            std::vector<std::string>{"p/kept: CheckingEndpoint -> Online (HTTP 200)"});
  EXPECT_EQ(recorder_.lastTable().first, 2u);
  const auto requests = backend.requests();
  EXPECT_NE(std::find_if(requests.begin(), requests.end(),
                         [](const std::string& r) { return r.rfind("GET /b ", 0) == 0; }),
            requests.end());
}

TEST_F(MonitorHttpTest, ConcurrencyCapQueuesButServesEveryone) {
  HttpBackend backend;
  MonitorOptions options = loopbackOptions(dns_.server());
  options.maxConcurrent = 1;
  std::vector<ProbeSpec> specs;
  for (int i = 0; i < 4; ++i) {
    ProbeSpec spec = httpSpec(static_cast<routing::EndpointId>(i), "e" + std::to_string(i),
                              "127.0.0.1", backend.port());
    spec.path = "/" + std::to_string(i);
    specs.push_back(spec);
  }
  Monitor monitor(options, recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 4, specs));
  monitor.start();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(recorder_.waitLine(
        "p/e" + std::to_string(i) + ": CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
  }
}

TEST_F(MonitorHttpTest, StopAbandonsHangingProbesPromptlyAndLeaksNoDescriptor) {
  HttpBackend hanging;
  hanging.setMode(Mode::kHang);
  HttpBackend healthy;
  const int before = openDescriptors();
  {
    Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
    ProbeSpec slow = httpSpec(0, "hang", "127.0.0.1", hanging.port());
    slow.timeoutSeconds = 10;  // still in flight when stop() comes
    monitor.setPlan(planOf(1, 2, {slow, httpSpec(1, "ok", "127.0.0.1", healthy.port())}));
    monitor.start();
    ASSERT_TRUE(recorder_.waitLine("p/ok: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin));
    const auto deadline = SteadyClock::now() + 2s + kMargin;
    while (hanging.requestCount() == 0 && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(hanging.requestCount(), 1);
    const auto stopStart = SteadyClock::now();
    monitor.stop();
    EXPECT_LT(SteadyClock::now() - stopStart, 500ms);
  }
  // The backend closes its side once it sees the prober's close.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(openDescriptors(), before);
}

}  // namespace
}  // namespace tmdns::probes::testing
