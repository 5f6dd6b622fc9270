// Unit tests for HealthModel: shared keys, reload keeping health, tables, log lines, details.
#include "probes/health_model.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tmdns::probes {
namespace {

using routing::MonitorStatus;

ProbeSpec spec(routing::EndpointId id, const std::string& name, const std::string& target,
               int tolerated = 0) {
  ProbeSpec s;
  s.endpoint = id;
  s.profileName = "prof";
  s.endpointName = name;
  s.target = target;
  s.headers = {{"Host", target}};
  s.toleratedFailures = tolerated;
  return s;
}

ProbePlan plan(uint64_t generation, size_t count, std::vector<ProbeSpec> specs) {
  ProbePlan p;
  p.generation = generation;
  p.endpointCount = count;
  p.probes = std::move(specs);
  return p;
}

RoundResult result(bool ok, const std::string& reason, int64_t at) {
  return {ok, reason, 0.25, at};
}

TEST(HealthModel, TableHasOneStatusPerEndpointUnprobedChecking) {
  HealthModel model;
  auto table = model.setPlan(plan(7, 4, {spec(1, "a", "10.0.0.1"), spec(3, "b", "10.0.0.2")}));
  ASSERT_EQ(table->status.size(), 4u);
  for (MonitorStatus s : table->status) {
    EXPECT_EQ(s, MonitorStatus::kCheckingEndpoint);
  }
  uint64_t version = 0;
  EXPECT_EQ(model.probes(version).size(), 2u);
  EXPECT_EQ(version, 1u);
}

TEST(HealthModel, ApplyAnnouncesChangesOnly) {
  HealthModel model;
  model.setPlan(plan(7, 3, {spec(0, "a", "10.0.0.1", 1), spec(2, "b", "10.0.0.2", 1)}));
  const std::string keyA = spec(0, "a", "10.0.0.1", 1).key();

  auto u = model.apply(keyA, result(true, "HTTP 200", 1000));
  EXPECT_EQ(u.generation, 7u);
  ASSERT_TRUE(u.table);
  EXPECT_EQ(u.table->status,
            (std::vector<MonitorStatus>{MonitorStatus::kOnline, MonitorStatus::kCheckingEndpoint,
                                        MonitorStatus::kCheckingEndpoint}));
  EXPECT_EQ(u.logLines, std::vector<std::string>{"prof/a: CheckingEndpoint -> Online (HTTP 200)"});

  u = model.apply(keyA, result(false, "HTTP 503", 2000));  // within tolerance: no change
  EXPECT_FALSE(u.table);
  EXPECT_TRUE(u.logLines.empty());

  u = model.apply(keyA, result(false, "timeout after 5s", 3000));
  ASSERT_TRUE(u.table);
  EXPECT_EQ(u.table->status[0], MonitorStatus::kDegraded);
  EXPECT_EQ(u.logLines, std::vector<std::string>{"prof/a: Online -> Degraded (timeout after 5s)"});

  const auto details = model.details();
  ASSERT_EQ(details.size(), 3u);
  EXPECT_EQ(details[0].status, MonitorStatus::kDegraded);
  EXPECT_EQ(details[0].lastResult, "timeout after 5s");
  EXPECT_EQ(details[0].lastChangeUnixMs, 3000);
  EXPECT_EQ(details[0].lastProbeUnixMs, 3000);
  EXPECT_EQ(details[0].consecutiveFailures, 2u);
  EXPECT_DOUBLE_EQ(details[0].lastLatencySeconds, 0.25);
  EXPECT_EQ(details[1].status, MonitorStatus::kCheckingEndpoint);
  EXPECT_EQ(details[1].lastProbeUnixMs, 0);
}

TEST(HealthModel, EqualKeysShareOneTrackerAndLogEachEndpoint) {
  HealthModel model;
  ProbeSpec a = spec(0, "a", "10.0.0.1");
  ProbeSpec b = spec(1, "b", "10.0.0.1");
  b.profileName = "other";
  ASSERT_EQ(a.key(), b.key());
  model.setPlan(plan(1, 2, {a, b}));
  uint64_t version = 0;
  EXPECT_EQ(model.probes(version).size(), 1u);  // probed once

  auto u = model.apply(a.key(), result(false, "HTTP 503", 10));
  ASSERT_TRUE(u.table);
  EXPECT_EQ(u.table->status,
            (std::vector<MonitorStatus>{MonitorStatus::kDegraded, MonitorStatus::kDegraded}));
  EXPECT_EQ(u.logLines,
            (std::vector<std::string>{"prof/a: CheckingEndpoint -> Degraded (HTTP 503)",
                                      "other/b: CheckingEndpoint -> Degraded (HTTP 503)"}));
}

TEST(HealthModel, ReloadKeepsUnchangedKeysAndResetsChangedOnes) {
  HealthModel model;
  model.setPlan(plan(1, 2, {spec(0, "a", "10.0.0.1"), spec(1, "b", "10.0.0.2")}));
  model.apply(spec(0, "a", "10.0.0.1").key(), result(true, "HTTP 200", 10));
  model.apply(spec(1, "b", "10.0.0.2").key(), result(false, "HTTP 503", 10));

  // Reload: a endpoint inserted before `a` shifts its id; `b` changes its target.
  auto table = model.setPlan(
      plan(2, 3, {spec(1, "a", "10.0.0.1"), spec(2, "b", "10.0.0.3"), spec(0, "n", "10.0.0.9")}));
  EXPECT_EQ(table->status,
            (std::vector<MonitorStatus>{MonitorStatus::kCheckingEndpoint, MonitorStatus::kOnline,
                                        MonitorStatus::kCheckingEndpoint}));
  const auto details = model.details();
  EXPECT_EQ(details[1].lastResult, "HTTP 200");
  EXPECT_EQ(details[2].lastResult, "");

  // A result for a key the reload removed is dropped.
  auto u = model.apply(spec(1, "b", "10.0.0.2").key(), result(true, "HTTP 200", 20));
  EXPECT_FALSE(u.table);
  EXPECT_TRUE(u.logLines.empty());
  // Results now carry the new generation.
  u = model.apply(spec(2, "b", "10.0.0.3").key(), result(true, "HTTP 200", 20));
  EXPECT_EQ(u.generation, 2u);
}

TEST(HealthModel, OutOfRangeEndpointIdsAreIgnored) {
  HealthModel model;
  auto table = model.setPlan(plan(1, 1, {spec(5, "a", "10.0.0.1")}));
  EXPECT_EQ(table->status.size(), 1u);
  auto u = model.apply(spec(5, "a", "10.0.0.1").key(), result(true, "HTTP 200", 1));
  ASSERT_TRUE(u.table);
  EXPECT_EQ(u.table->status.size(), 1u);
  EXPECT_EQ(model.details().size(), 1u);
}

}  // namespace
}  // namespace tmdns::probes
