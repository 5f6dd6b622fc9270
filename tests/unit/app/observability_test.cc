// The status interface wired as the daemon wires it: every exposed metric name against
// Prometheus' naming rules, the pages and their status codes, /readyz transitions.
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "app/observability.h"
#include "app/state_publisher.h"
#include "dns/query_stats.h"
#include "dns/server.h"
#include "metrics/exposition.h"
#include "tests/unit/metrics/metrics_test_support.h"
#include "util/rcu.h"

namespace tmdns::app {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class ObservabilityTest : public ::testing::Test {
 protected:
  ObservabilityTest()
      : state_(domain_),
        publisher_(state_),
        monitor_(probes::MonitorOptions{}, nullptr, nullptr,
                 [this](const probes::ProbeEvent& e) { probeMetrics_.observe(e); }),
        server_(domain_, state_),
        readiness_([this] { return monitor_.firstRoundDone(); }),
        observability_({publisher_, monitor_, server_, queryMetrics_, probeMetrics_, configMetrics_,
                        readiness_}) {}

  void SetUp() override {
    compiled_ = metrics::test::compileConfig();
    auto stats = std::make_shared<dns::QueryStats>(*compiled_.snapshot, 1, 1);
    auto health = std::make_shared<routing::HealthTable>();
    health->status.assign(6, routing::MonitorStatus::kOnline);
    health->status[0] = routing::MonitorStatus::kDegraded;
    publisher_.publishSnapshot(
        compiled_.snapshot, [&] { return health; }, stats, compiled_.catalog);
    queryMetrics_.replace(compiled_.catalog, stats);
    configMetrics_.started("hash-1", 1, 1700000000);
    configMetrics_.reloaded(false, "", 1, 1700000001);
    // Every probe outcome and a status change, so that each family has samples.
    probes::ProbeEvent event;
    event.zone = "z.test";
    event.profile = "app";
    event.endpoint = "primary";
    event.statusChanged = true;
    event.to = routing::MonitorStatus::kDegraded;
    for (size_t i = 0; i < probes::kProbeOutcomeCount; ++i) {
      event.outcome = static_cast<probes::ProbeOutcome>(i);
      probeMetrics_.observe(event);
    }
  }

  http::Response get(const std::string& path, const std::string& accept = "",
                     const std::string& method = "GET") {
    http::Request request;
    request.method = method;
    request.target = path;
    request.path = path;
    request.headers.emplace_back("Host", "localhost");
    if (!accept.empty()) {
      request.headers.emplace_back("Accept", accept);
    }
    return observability_.handle(request);
  }

  util::RcuDomain domain_;
  util::RcuPointer<dns::ServedState> state_;
  StatePublisher publisher_;
  metrics::QueryMetrics queryMetrics_;
  metrics::ProbeMetrics probeMetrics_;
  metrics::ConfigMetrics configMetrics_;
  probes::Monitor monitor_;
  dns::Server server_;
  metrics::Readiness readiness_;
  Observability observability_;
  metrics::test::Compiled compiled_;
};

TEST_F(ObservabilityTest, EveryExposedNameFollowsPrometheusNamingRules) {
  std::string error;
  ASSERT_TRUE(observability_.bind("127.0.0.1", 0, error)) << error;  // adds the HTTP families
  observability_.start();
  const std::vector<metrics::Family> families = observability_.registry().collect();
  const std::regex snake("^[a-z][a-z0-9_]*$");
  // Units are base units (seconds, bytes), spelled out; no abbreviations.
  const std::regex badUnit(
      "_(ms|us|ns|msec|usec|sec|secs|milliseconds|microseconds|nanoseconds|minutes|hours|days|"
      "kb|mb|gb|kilobytes|megabytes|percent|pct)(_|$)");
  std::set<std::string> names;
  std::set<std::string> sampleNames;
  for (const metrics::Family& f : families) {
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(metrics::isValidMetricName(f.name));
    EXPECT_TRUE(std::regex_match(f.name, snake));  // no colons: those are for recording rules
    EXPECT_TRUE(f.name.rfind("tmdns_", 0) == 0 || f.name.rfind("process_", 0) == 0);
    EXPECT_FALSE(std::regex_search(f.name, badUnit));
    EXPECT_FALSE(f.help.empty());
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate family";
    switch (f.type) {
      case metrics::MetricType::kCounter:
        EXPECT_TRUE(endsWith(f.name, "_total"));
        break;
      case metrics::MetricType::kInfo:
        EXPECT_TRUE(endsWith(f.name, "_info"));
        break;
      case metrics::MetricType::kGauge:
      case metrics::MetricType::kHistogram:
        for (const char* reserved : {"_total", "_count", "_sum", "_bucket", "_info", "_created"}) {
          EXPECT_FALSE(endsWith(f.name, reserved)) << reserved;
        }
        break;
    }
    for (const char* type : {"_counter", "_gauge", "_histogram", "_summary"}) {
      EXPECT_EQ(f.name.find(type), std::string::npos) << "type in the name";
    }
    std::set<std::string> labelSets;
    auto checkLabels = [&](const metrics::Labels& labels) {
      std::string key;
      for (const auto& [name, value] : labels) {
        EXPECT_TRUE(metrics::isValidLabelName(name)) << name;
        EXPECT_TRUE(std::regex_match(name, snake)) << name;
        EXPECT_NE(name, "le");
        EXPECT_NE(name, "quantile");
        key += name + "=" + value + ",";
      }
      EXPECT_TRUE(labelSets.insert(key).second) << "duplicate series " << key;
    };
    for (const metrics::Sample& s : f.samples) {
      checkLabels(s.labels);
    }
    for (const metrics::HistogramSample& h : f.histograms) {
      checkLabels(h.labels);
    }
    sampleNames.insert(f.name);
  }
  // The families the README documents are all there.
  for (const char* expected : {"tmdns_build_info",
                               "tmdns_config_reloads_total",
                               "tmdns_config_last_reload_successful",
                               "tmdns_config_last_reload_success_timestamp_seconds",
                               "tmdns_config_generation",
                               "tmdns_config_info",
                               "tmdns_dns_queries_total",
                               "tmdns_dns_endpoint_answers_total",
                               "tmdns_dns_ecs_queries_total",
                               "tmdns_dns_truncated_responses_total",
                               "tmdns_dns_malformed_queries_total",
                               "tmdns_dns_refused_queries_total",
                               "tmdns_dns_dropped_queries_total",
                               "tmdns_dns_rate_limited_responses_total",
                               "tmdns_endpoint_up",
                               "tmdns_endpoint_monitor_status",
                               "tmdns_profile_monitor_status",
                               "tmdns_probe_results_total",
                               "tmdns_endpoint_status_changes_total",
                               "tmdns_probe_duration_seconds",
                               "tmdns_probe_scheduler_lag_seconds",
                               "tmdns_probe_first_round_done",
                               "tmdns_http_responses_total",
                               "tmdns_http_rejected_connections_total",
                               "process_cpu_seconds_total",
                               "process_resident_memory_bytes",
                               "process_open_fds",
                               "process_start_time_seconds"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
  // OpenMetrics: a family's name without _total/_info must not be another family's name.
  for (const std::string& name : names) {
    for (const char* suffix : {"_total", "_info"}) {
      if (endsWith(name, suffix)) {
        EXPECT_EQ(names.count(name.substr(0, name.size() - std::string(suffix).size())), 0u)
            << name;
      }
    }
  }
}

TEST_F(ObservabilityTest, MetricsPageNegotiatesTheFormat) {
  const http::Response text = get("/metrics");
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(text.contentType, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(text.body.find("# TYPE tmdns_dns_queries_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.body.find("tmdns_endpoint_up{zone=\"z.test\",profile=\"app\",endpoint=\"primary\"} 0\n"),
      std::string::npos);
  EXPECT_NE(text.body.find("tmdns_config_last_reload_successful 0\n"), std::string::npos);
  EXPECT_EQ(text.body.find("# EOF"), std::string::npos);
  const http::Response om = get("/metrics", "application/openmetrics-text;version=1.0.0");
  EXPECT_EQ(om.contentType, "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_NE(om.body.find("# TYPE tmdns_dns_queries counter\n"), std::string::npos);
  EXPECT_TRUE(endsWith(om.body, "\n# EOF\n"));
}

TEST_F(ObservabilityTest, PagesAndStatusCodes) {
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/healthz").body, "ok\n");
  EXPECT_EQ(get("/nothing").status, 404);
  const http::Response post = get("/metrics", "", "POST");
  EXPECT_EQ(post.status, 405);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0], (std::pair<std::string, std::string>("Allow", "GET, HEAD")));
  EXPECT_EQ(get("/metrics", "", "BREW").status, 501);
  const http::Response status = get("/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.contentType, "application/json");
  const std::optional<metrics::test::Json> doc = metrics::test::parseJson(status.body);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["zones"].array[0]["profiles"].array[0]["profileMonitorStatus"].string,
            "Degraded");
}

TEST_F(ObservabilityTest, ReadyzFollowsStartUp) {
  // The monitor has no plan yet: nothing to probe, so the first round is trivially done.
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/readyz").body, "configuration not loaded\n");
  readiness_.configurationLoaded();
  EXPECT_EQ(get("/readyz").body, "DNS listeners not bound\n");
  readiness_.listenersBound();
  probes::ProbePlan plan;
  plan.generation = 1;
  plan.endpointCount = 1;
  probes::ProbeSpec spec;
  spec.target = "127.0.0.1";
  spec.protocol = probes::Protocol::kTcp;
  plan.probes.push_back(spec);
  monitor_.setPlan(plan);
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/readyz").body, "first probe round not done\n");
  monitor_.setPlan(probes::ProbePlan{});
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(get("/readyz").body, "ready\n");
  readiness_.stopping();
  EXPECT_EQ(get("/readyz").status, 503);
}

}  // namespace
}  // namespace tmdns::app
