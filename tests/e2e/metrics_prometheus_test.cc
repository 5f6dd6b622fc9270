// A real Prometheus scrapes a real tmdns every second: exact query and per-endpoint counts and
// the endpoint status falling to 0 when its loopback backend goes away, read through
// Prometheus' query API.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/metrics_support.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::e2e {
namespace {

using probes::testing::HttpBackend;

// One Priority profile: "primary" probed over HTTP on a loopback backend (interval 2 s,
// timeout 1 s, first failure degrades), "backup" alwaysServe (never probed). NETWORK SAFETY:
// the only probe target is 127.0.0.1.
std::string config(uint16_t backendPort) {
  return probedAppConfig(
      backendPort,
      "path: /, intervalInSeconds: 2, timeoutInSeconds: 1, toleratedNumberOfFailures: 0",
      {"{name: primary, type: externalEndpoints, properties: {target: 127.0.0.1, priority: 1}}",
       "{name: backup, type: externalEndpoints, properties: {target: 192.0.2.10, priority: 2, "
       "alwaysServe: Enabled}}"},
      "threads: 2\n");
}

bool isZero(double v) {
  return v == 0;
}
bool isOne(double v) {
  return v == 1;
}

TEST(MetricsPrometheus, ScrapedCountersAndEndpointStatus) {
  HttpBackend backend;
  Server server;
  server.writeConfig(config(backend.port()));
  ASSERT_TRUE(server.start());
  const uint16_t http = httpPort(server);
  ASSERT_NE(http, 0);
  Prometheus prometheus(http);
  ASSERT_TRUE(prometheus.start());

  // Scraped, and the first probe has made primary Online.
  EXPECT_EQ(prometheus.waitFor("up{job=\"tmdns\"}", isOne, 30s), 1) << prometheus.log();
  const std::string primaryUp =
      "tmdns_endpoint_up{zone=\"tm.example.test\",profile=\"app\",endpoint=\"primary\"}";
  ASSERT_EQ(prometheus.waitFor(primaryUp, isOne, 30s), 1) << server.log();
  EXPECT_EQ(prometheus.query("tmdns_endpoint_monitor_status{endpoint=\"primary\",status="
                             "\"Online\"}"),
            1);

  const std::string udpQueries =
      "sum(tmdns_dns_queries_total{zone=\"tm.example.test\",profile=\"app\",qtype=\"A\","
      "rcode=\"NOERROR\",transport=\"udp\"}) or vector(0)";
  const std::string tcpQueries =
      "sum(tmdns_dns_queries_total{zone=\"tm.example.test\",profile=\"app\",qtype=\"A\","
      "rcode=\"NOERROR\",transport=\"tcp\"}) or vector(0)";
  const std::string primaryAnswers =
      "sum(tmdns_dns_endpoint_answers_total{zone=\"tm.example.test\",profile=\"app\","
      "endpoint=\"primary\"}) or vector(0)";
  const std::string backupAnswers =
      "sum(tmdns_dns_endpoint_answers_total{zone=\"tm.example.test\",profile=\"app\","
      "endpoint=\"backup\"}) or vector(0)";
  // Nothing has been asked yet.
  EXPECT_EQ(prometheus.query(udpQueries), 0);
  EXPECT_EQ(prometheus.query(primaryAnswers), 0);
  EXPECT_EQ(prometheus.query(backupAnswers), 0);

  for (int i = 0; i < 5; ++i) {
    const DigResult r = dig(server.v4(), {"app.tm.example.test", "A"});
    ASSERT_EQ(r.status, "NOERROR") << r.describe();
    ASSERT_EQ(r.answer.size(), 1u) << r.describe();
    EXPECT_EQ(r.answer[0].rdata, "127.0.0.1");
  }
  for (int i = 0; i < 2; ++i) {
    const DigResult r = dig(server.v4(), {"+tcp", "app.tm.example.test", "A"});
    ASSERT_EQ(r.status, "NOERROR") << r.describe();
  }
  // Exact values once Prometheus has them, and still exact a few scrapes later.
  EXPECT_EQ(prometheus.waitFor(
                udpQueries, [](double v) { return v >= 5; }, 20s),
            5);
  EXPECT_EQ(prometheus.waitFor(
                tcpQueries, [](double v) { return v >= 2; }, 20s),
            2);
  EXPECT_EQ(prometheus.waitFor(
                primaryAnswers, [](double v) { return v >= 7; }, 20s),
            7);
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(prometheus.query(udpQueries), 5);
  EXPECT_EQ(prometheus.query(tcpQueries), 2);
  EXPECT_EQ(prometheus.query(primaryAnswers), 7);
  EXPECT_EQ(prometheus.query(backupAnswers), 0);

  // The backend goes away: the next probe is refused and primary is Degraded (tolerated 0).
  backend.stop();
  EXPECT_EQ(prometheus.waitFor(primaryUp, isZero, 40s), 0) << server.log();
  EXPECT_EQ(prometheus.query("tmdns_endpoint_monitor_status{endpoint=\"primary\",status="
                             "\"Degraded\"}"),
            1);
  EXPECT_EQ(prometheus.query("tmdns_profile_monitor_status{profile=\"app\",status=\"Degraded\"}"),
            1);
  EXPECT_EQ(prometheus.query("tmdns_endpoint_status_changes_total{endpoint=\"primary\","
                             "status=\"Degraded\"}"),
            1);
  EXPECT_GE(prometheus
                .query("tmdns_probe_results_total{endpoint=\"primary\","
                       "result=\"connect_refused\"}")
                .value_or(0),
            1);
  // Failover: backup is returned, and counted exactly once.
  const DigResult r = dig(server.v4(), {"app.tm.example.test", "A"});
  ASSERT_EQ(r.answer.size(), 1u) << r.describe();
  EXPECT_EQ(r.answer[0].rdata, "192.0.2.10");
  EXPECT_EQ(prometheus.waitFor(
                backupAnswers, [](double v) { return v >= 1; }, 20s),
            1);
  EXPECT_EQ(prometheus.query(primaryAnswers), 7);
  EXPECT_EQ(prometheus.query(udpQueries), 6);
}

}  // namespace
}  // namespace tmdns::e2e
