// Unit tests for Weighted routing (§2.3): the split follows weight / Σ weights of candidates.
#include "routing/weighted.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::Health;
using testing::TableBuilder;

struct Spec {
  uint16_t weight;
  MonitorStatus probed = MonitorStatus::kOnline;
  bool enabled = true;
  bool alwaysServe = false;
};

struct Case {
  std::string name;
  std::vector<Spec> endpoints;
  std::vector<double> expectedShare;  // per endpoint, in percent
};

TEST(Weighted, SplitTable) {
  using enum MonitorStatus;
  const std::vector<Case> cases = {
      {"1:3 (§8 case 6)", {{1}, {3}}, {25, 75}},
      {"1:2:7", {{1}, {2}, {7}}, {10, 20, 70}},
      {"equal weights split evenly", {{5}, {5}, {5}, {5}}, {25, 25, 25, 25}},
      {"extreme weights", {{1}, {1000}}, {100.0 / 1001, 100000.0 / 1001}},
      {"§8 case 6: the Degraded one gets nothing", {{1}, {3, kDegraded}}, {100, 0}},
      {"a Degraded one leaves the others' ratio",
       {{1}, {2}, {7, kDegraded}},
       {100.0 / 3, 200.0 / 3, 0}},
      {"all Degraded: fail-open splits by weight", {{1, kDegraded}, {3, kDegraded}}, {25, 75}},
      {"fail-open never takes Stopped or Disabled",
       {{1, kDegraded}, {3, kStopped}, {6, kDegraded, false}},
       {100, 0, 0}},
      {"Disabled is out", {{1}, {3, kOnline, false}, {1}}, {50, 0, 50}},
      {"CheckingEndpoint and Unmonitored count as healthy",
       {{1, kCheckingEndpoint}, {1, kDegraded, true, true}, {2, kDegraded}},
       {50, 50, 0}},
  };
  constexpr int kQueries = 100000;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Endpoint> endpoints;
    for (size_t i = 0; i < c.endpoints.size(); ++i) {
      Endpoint e = testing::nameEndpoint(static_cast<uint16_t>(i + 1), c.endpoints[i].weight);
      e.enabled = c.endpoints[i].enabled;
      e.alwaysServe = c.endpoints[i].alwaysServe;
      endpoints.push_back(e);
    }
    TableBuilder builder;
    // A first profile so that the tested one's endpoints do not start at id 0.
    builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
    const ProfileId id = builder.addProfile(testing::weightedProfile(), endpoints);
    const Table table = builder.build();
    const EndpointId first = table.profiles[id].firstEndpoint;
    Health health(table);
    for (size_t i = 0; i < c.endpoints.size(); ++i) {
      health.set(first + static_cast<EndpointId>(i), c.endpoints[i].probed);
    }
    util::Rng rng(20240601);
    std::vector<int> hits(c.endpoints.size(), 0);
    for (int q = 0; q < kQueries; ++q) {
      const Selection s = testing::routeOnce(table, health, id, rng);
      ASSERT_EQ(s.outcome, Selection::Outcome::kAnswer);
      ASSERT_EQ(s.count, 1);
      ASSERT_GE(s.endpoints[0], first);
      ASSERT_LT(s.endpoints[0], first + c.endpoints.size());
      ASSERT_EQ(s.ecsScope, 0);
      ++hits[s.endpoints[0] - first];
    }
    for (size_t i = 0; i < hits.size(); ++i) {
      const double share = 100.0 * hits[i] / kQueries;
      EXPECT_NEAR(share, c.expectedShare[i], 1.0) << "endpoint " << i;
      if (c.expectedShare[i] == 0) {
        EXPECT_EQ(hits[i], 0) << "endpoint " << i;
      }
    }
  }
}

// The choice is random per query, not per seed: one Rng keeps producing both answers.
TEST(Weighted, VariesPerQueryWithOneRng) {
  TableBuilder builder;
  const ProfileId id = builder.addProfile(
      testing::weightedProfile(), {testing::nameEndpoint(1, 1), testing::nameEndpoint(2, 1)});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(9);
  int first = 0;
  for (int q = 0; q < 100; ++q) {
    first += testing::routeOnce(table, health, id, rng).endpoints[0] == 0 ? 1 : 0;
  }
  EXPECT_GT(first, 20);
  EXPECT_LT(first, 80);
}

}  // namespace
}  // namespace tmdns::routing
