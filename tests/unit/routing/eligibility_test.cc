// Unit tests for findCandidates: §2.1 candidates and fail-open, the rule every policy shares.
#include "routing/eligibility.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::Health;
constexpr MonitorStatus kOn = MonitorStatus::kOnline;
constexpr MonitorStatus kDeg = MonitorStatus::kDegraded;
constexpr MonitorStatus kChk = MonitorStatus::kCheckingEndpoint;
constexpr MonitorStatus kStop = MonitorStatus::kStopped;

struct Spec {
  TargetKind kind = TargetKind::kName;
  bool enabled = true;
  bool alwaysServe = false;
  MonitorStatus probed = kOn;
};

struct Case {
  std::string name;
  std::vector<Spec> endpoints;
  KindMask kinds;
  std::vector<bool> expected;
  bool failOpen;
};

TEST(FindCandidates, Table) {
  constexpr KindMask kV4 = kindBit(TargetKind::kIPv4);
  constexpr KindMask kV6 = kindBit(TargetKind::kIPv6);
  const std::vector<Case> cases = {
      {"healthy ones only",
       {{.probed = kOn}, {.probed = kDeg}, {.probed = kChk}},
       kAllKinds,
       {true, false, true},
       false},
      {"all Degraded: fail-open",
       {{.probed = kDeg}, {.probed = kDeg}},
       kAllKinds,
       {true, true},
       true},
      {"fail-open never takes Disabled or Stopped",
       {{.enabled = false, .probed = kDeg}, {.probed = kStop}, {.probed = kDeg}},
       kAllKinds,
       {false, false, true},
       true},
      {"Disabled and Stopped only: nothing",
       {{.enabled = false}, {.probed = kStop}},
       kAllKinds,
       {false, false},
       false},
      {"alwaysServe is Unmonitored, so no fail-open",
       {{.alwaysServe = true, .probed = kDeg}, {.probed = kDeg}},
       kAllKinds,
       {true, false},
       false},
      {"alwaysServe and Disabled is not served",
       {{.enabled = false, .alwaysServe = true}, {.probed = kDeg}},
       kAllKinds,
       {false, true},
       true},
      {"fail-open within the kinds asked for",
       {{.kind = TargetKind::kIPv4, .probed = kDeg},
        {.kind = TargetKind::kIPv6, .probed = kOn},
        {.kind = TargetKind::kIPv4, .probed = kDeg}},
       kV4,
       {true, false, true},
       true},
      {"other kinds are never candidates",
       {{.kind = TargetKind::kIPv4, .probed = kOn}, {.kind = TargetKind::kIPv6, .probed = kOn}},
       kV6,
       {false, true},
       false},
      {"no endpoint of the kinds", {{.kind = TargetKind::kIPv4}}, kV6, {false}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // No policy needed: findCandidates looks at statuses only.
    Table table;
    table.profiles.push_back(
        Profile{.firstEndpoint = 0, .endpointCount = static_cast<uint32_t>(c.endpoints.size())});
    for (const Spec& s : c.endpoints) {
      table.endpoints.push_back(Endpoint{
          .profile = 0, .kind = s.kind, .enabled = s.enabled, .alwaysServe = s.alwaysServe});
    }
    Health health(table);
    for (size_t i = 0; i < c.endpoints.size(); ++i) {
      health.set(static_cast<EndpointId>(i), c.endpoints[i].probed);
    }
    const Request request;
    util::Rng rng(1);
    const Context ctx{table, health.view(), request, rng};
    Candidates out;
    findCandidates(ctx, table.profiles[0], c.kinds, out);
    ASSERT_EQ(out.size, c.expected.size());
    uint32_t count = 0;
    for (size_t i = 0; i < c.expected.size(); ++i) {
      EXPECT_EQ(out.candidate[i], c.expected[i]) << "endpoint " << i;
      count += c.expected[i] ? 1 : 0;
    }
    EXPECT_EQ(out.count, count);
    EXPECT_EQ(out.failOpen, c.failOpen);
  }
}

TEST(ServedEndpointCount, ClampsToTableAndLimit) {
  Table table;
  table.endpoints.resize(300);
  EXPECT_EQ(servedEndpointCount(table, Profile{.firstEndpoint = 10, .endpointCount = 5}), 5u);
  EXPECT_EQ(servedEndpointCount(table, Profile{.firstEndpoint = 290, .endpointCount = 20}), 10u);
  EXPECT_EQ(servedEndpointCount(table, Profile{.firstEndpoint = 400, .endpointCount = 1}), 0u);
  EXPECT_EQ(servedEndpointCount(table, Profile{.firstEndpoint = 0, .endpointCount = 300}),
            kMaxProfileEndpoints);
}

}  // namespace
}  // namespace tmdns::routing
