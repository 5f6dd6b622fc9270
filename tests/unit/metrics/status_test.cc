// Monitor status rollup (traffic-manager.md §4.4-4.5), the status gauges and /status read back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/health_status.h"
#include "metrics/json_writer.h"
#include "tests/unit/metrics/metrics_test_support.h"

namespace tmdns::metrics {
namespace {

using routing::MonitorStatus;
using routing::ProfileMonitorStatus;

TEST(ProfileMonitorStatus, FollowsSection45) {
  struct Case {
    bool enabled;
    std::vector<MonitorStatus> endpoints;
    ProfileMonitorStatus expected;
  };
  const std::vector<Case> cases = {
      {false, {MonitorStatus::kOnline}, ProfileMonitorStatus::kDisabled},
      {false, {}, ProfileMonitorStatus::kDisabled},
      {true, {MonitorStatus::kOnline, MonitorStatus::kDegraded}, ProfileMonitorStatus::kDegraded},
      {true, {MonitorStatus::kDegraded}, ProfileMonitorStatus::kDegraded},
      {true,
       {MonitorStatus::kOnline, MonitorStatus::kCheckingEndpoint},
       ProfileMonitorStatus::kOnline},
      {true, {MonitorStatus::kUnmonitored}, ProfileMonitorStatus::kOnline},
      {true,
       {MonitorStatus::kCheckingEndpoint, MonitorStatus::kDisabled},
       ProfileMonitorStatus::kCheckingEndpoints},
      {true, {MonitorStatus::kDisabled, MonitorStatus::kStopped}, ProfileMonitorStatus::kInactive},
      {true, {}, ProfileMonitorStatus::kInactive},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(profileMonitorStatus(cases[i].enabled, cases[i].endpoints), cases[i].expected)
        << "case " << i;
  }
}

TEST(HealthStatus, EffectiveStatusesAndGauges) {
  test::Compiled compiled = test::compileConfig();
  routing::HealthTable health;
  health.status.assign(6, MonitorStatus::kCheckingEndpoint);
  health.status[0] = MonitorStatus::kDegraded;
  health.status[1] = MonitorStatus::kOnline;
  health.status[3] = MonitorStatus::kOnline;
  const HealthStatus status = computeHealthStatus(compiled.snapshot->routing, &health);
  const std::vector<MonitorStatus> endpoints = {
      MonitorStatus::kDegraded, MonitorStatus::kOnline,   MonitorStatus::kOnline,  // nested rollup
      MonitorStatus::kOnline,   MonitorStatus::kDisabled, MonitorStatus::kInactive,
  };
  EXPECT_EQ(status.endpoints, endpoints);
  const std::vector<ProfileMonitorStatus> profiles = {ProfileMonitorStatus::kDegraded,
                                                      ProfileMonitorStatus::kOnline,
                                                      ProfileMonitorStatus::kDisabled};
  EXPECT_EQ(status.profiles, profiles);

  std::vector<Family> families;
  collectHealthStatus(*compiled.catalog, status, families);
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "tmdns_endpoint_up");
  std::vector<double> up;
  for (const Sample& s : families[0].samples) {
    up.push_back(s.value);
  }
  EXPECT_EQ(up, (std::vector<double>{0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(families[0].samples[3].labels,
            (Labels{{"zone", "z.test"}, {"profile", "child"}, {"endpoint", "c1"}}));
  // One series per state and endpoint, exactly one of them 1.
  EXPECT_EQ(families[1].samples.size(), 6u * 7u);
  double ones = 0;
  for (const Sample& s : families[1].samples) {
    ones += s.value;
    if (s.labels[2].second == "primary" && s.value == 1) {
      EXPECT_EQ(s.labels[3], (std::pair<std::string, std::string>("status", "Degraded")));
    }
  }
  EXPECT_EQ(ones, 6);
  EXPECT_EQ(families[2].samples.size(), 3u * 5u);
}

TEST(StatusJson, ParsesBackWithTrafficManagerFields) {
  test::Compiled compiled = test::compileConfig();
  routing::HealthTable health;
  health.status.assign(6, MonitorStatus::kOnline);
  health.status[0] = MonitorStatus::kDegraded;
  const HealthStatus status = computeHealthStatus(compiled.snapshot->routing, &health);
  std::vector<probes::EndpointProbeState> details(6);
  details[0].status = MonitorStatus::kDegraded;
  details[0].lastResult = "HTTP 503 \"busy\"";
  details[0].lastLatencySeconds = 0.25;
  details[0].lastProbeUnixMs = 1700000000123;
  details[0].lastChangeUnixMs = 1700000000123;
  details[0].lastChangeFrom = MonitorStatus::kOnline;
  details[0].lastChangeReason = "HTTP 503";
  details[0].consecutiveFailures = 4;

  const std::optional<test::Json> doc =
      test::parseJson(statusJson(*compiled.catalog, status, details, 1));
  ASSERT_TRUE(doc.has_value());
  const test::Json& root = *doc;
  EXPECT_EQ(root["generation"].number, 1);
  EXPECT_EQ(root["configSha256"].string, "hash-1");
  EXPECT_TRUE(root["probing"].boolean);
  ASSERT_EQ(root["zones"].array.size(), 1u);
  const test::Json& zone = root["zones"].array[0];
  EXPECT_EQ(zone["name"].string, "z.test");
  ASSERT_EQ(zone["profiles"].array.size(), 3u);
  const test::Json& app = zone["profiles"].array[0];
  EXPECT_EQ(app["name"].string, "app");
  EXPECT_EQ(app["fqdn"].string, "app.z.test");
  EXPECT_EQ(app["trafficRoutingMethod"].string, "Priority");
  EXPECT_EQ(app["profileStatus"].string, "Enabled");
  EXPECT_EQ(app["profileMonitorStatus"].string, "Degraded");
  EXPECT_EQ(app["monitorConfig"]["protocol"].string, "HTTP");
  EXPECT_EQ(app["monitorConfig"]["port"].number, 8080);
  EXPECT_EQ(app["monitorConfig"]["path"].string, "/health");
  ASSERT_EQ(app["endpoints"].array.size(), 3u);
  const test::Json& primary = app["endpoints"].array[0];
  EXPECT_EQ(primary["name"].string, "primary");
  EXPECT_EQ(primary["type"].string, "Microsoft.Network/trafficManagerProfiles/externalEndpoints");
  EXPECT_EQ(primary["target"].string, "192.0.2.10");
  EXPECT_EQ(primary["endpointStatus"].string, "Enabled");
  EXPECT_EQ(primary["endpointMonitorStatus"].string, "Degraded");
  EXPECT_EQ(primary["priority"].number, 1);
  EXPECT_EQ(primary["lastProbeResult"].string, "HTTP 503 \"busy\"");
  EXPECT_EQ(primary["lastProbeLatencySeconds"].number, 0.25);
  EXPECT_EQ(primary["lastProbeTime"].string, "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(primary["consecutiveFailures"].number, 4);
  EXPECT_EQ(primary["lastChange"]["time"].string, "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(primary["lastChange"]["from"].string, "Online");
  EXPECT_EQ(primary["lastChange"]["to"].string, "Degraded");
  EXPECT_EQ(primary["lastChange"]["reason"].string, "HTTP 503");
  // Never probed: nulls, not made-up values.
  const test::Json& secondary = app["endpoints"].array[1];
  EXPECT_EQ(secondary["lastChange"].type, test::Json::Type::kNull);
  EXPECT_EQ(secondary["lastProbeResult"].type, test::Json::Type::kNull);
  EXPECT_EQ(secondary["lastProbeLatencySeconds"].type, test::Json::Type::kNull);
  const test::Json& nested = app["endpoints"].array[2];
  EXPECT_EQ(nested["type"].string, "Microsoft.Network/trafficManagerProfiles/nestedEndpoints");
  EXPECT_EQ(nested["targetProfile"].string, "child.z.test");
  EXPECT_EQ(nested["endpointMonitorStatus"].string, "Online");
  const test::Json& child = zone["profiles"].array[1];
  EXPECT_EQ(child["monitorConfig"]["protocol"].string, "TCP");
  EXPECT_FALSE(child["monitorConfig"].has("path"));
  EXPECT_EQ(child["endpoints"].array[1]["endpointStatus"].string, "Disabled");
  EXPECT_EQ(child["endpoints"].array[1]["endpointMonitorStatus"].string, "Disabled");
  const test::Json& off = zone["profiles"].array[2];
  EXPECT_EQ(off["profileStatus"].string, "Disabled");
  EXPECT_EQ(off["profileMonitorStatus"].string, "Disabled");
  EXPECT_EQ(off["endpoints"].array[0]["endpointMonitorStatus"].string, "Inactive");

  // Details of another plan generation are left out rather than misattributed.
  const std::optional<test::Json> stale =
      test::parseJson(statusJson(*compiled.catalog, status, details, 7));
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(
      (*stale)["zones"].array[0]["profiles"].array[0]["endpoints"].array[0]["lastProbeResult"].type,
      test::Json::Type::kNull);
}

TEST(JsonWriter, EscapesAndSeparates) {
  JsonWriter json;
  json.beginObject();
  json.key("s").string("a\"b\\c\n\x01");
  json.key("n").number(1.5);
  json.key("inf").number(1.0 / 0.0);
  json.key("list").beginArray().integer(1).boolean(false).null().endArray();
  json.key("empty").beginObject().endObject();
  json.endObject();
  EXPECT_EQ(json.text(),
            "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":1.5,\"inf\":null,\"list\":[1,false,null],"
            "\"empty\":{}}");
  EXPECT_TRUE(test::parseJson(json.text()).has_value());
}

}  // namespace
}  // namespace tmdns::metrics
