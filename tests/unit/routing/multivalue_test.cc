// Unit tests for MultiValue routing (§2.6): family filter, count, distinctness, variation, health.
#include "routing/multivalue.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::Health;
using testing::TableBuilder;
using Outcome = Selection::Outcome;

struct Spec {
  TargetKind kind;
  MonitorStatus probed = MonitorStatus::kOnline;
  bool enabled = true;
};

struct Case {
  std::string name;
  uint16_t maxReturn;
  std::vector<Spec> endpoints;
  Family family;
  Outcome outcome;
  uint32_t count;              // exact number of endpoints in every answer
  std::set<uint32_t> allowed;  // indexes (configuration order) that may appear; all of them do
};

uint64_t binomial(uint64_t n, uint64_t k) {
  uint64_t r = 1;
  for (uint64_t i = 1; i <= k; ++i) {
    r = r * (n - k + i) / i;
  }
  return r;
}

TEST(MultiValue, Table) {
  using enum MonitorStatus;
  constexpr TargetKind k4 = TargetKind::kIPv4;
  constexpr TargetKind k6 = TargetKind::kIPv6;
  // §8 case 11: .1-.4 are indexes 0-3, ::1 and ::2 are 4 and 5.
  const std::vector<Spec> healthy = {{k4}, {k4}, {k4}, {k4}, {k6}, {k6}};
  const std::vector<Case> cases = {
      {"§8 case 11: A", 3, healthy, Family::kV4, Outcome::kAnswer, 3, {0, 1, 2, 3}},
      {"§8 case 11: AAAA", 3, healthy, Family::kV6, Outcome::kAnswer, 2, {4, 5}},
      {"§8 case 11: CNAME", 3, healthy, Family::kOther, Outcome::kNoData, 0, {}},
      {"ANY draws from both families",
       3,
       healthy,
       Family::kAny,
       Outcome::kAnswer,
       3,
       {0, 1, 2, 3, 4, 5}},
      {"maxReturn above the candidates returns them all",
       8,
       healthy,
       Family::kV4,
       Outcome::kAnswer,
       4,
       {0, 1, 2, 3}},
      {"maxReturn 1", 1, healthy, Family::kV4, Outcome::kAnswer, 1, {0, 1, 2, 3}},
      {"§8 case 11: a Degraded .1 never appears",
       3,
       {{k4, kDegraded}, {k4}, {k4}, {k4}, {k6}, {k6}},
       Family::kV4,
       Outcome::kAnswer,
       3,
       {1, 2, 3}},
      {"Degraded excluded even when fewer than maxReturn remain",
       3,
       {{k4, kDegraded}, {k4, kDegraded}, {k4}, {k4}, {k6}},
       Family::kV4,
       Outcome::kAnswer,
       2,
       {2, 3}},
      {"only one healthy",
       3,
       {{k4, kDegraded}, {k4, kCheckingEndpoint}, {k4, kDegraded}},
       Family::kV4,
       Outcome::kAnswer,
       1,
       {1}},
      {"fail-open within the family: all A Degraded, AAAA healthy",
       3,
       {{k4, kDegraded}, {k4, kDegraded}, {k6}},
       Family::kV4,
       Outcome::kAnswer,
       2,
       {0, 1}},
      {"ANY is one pool: healthy AAAA hide Degraded A",
       3,
       {{k4, kDegraded}, {k4, kDegraded}, {k6}},
       Family::kAny,
       Outcome::kAnswer,
       1,
       {2}},
      {"fail-open never takes Disabled or Stopped",
       3,
       {{k4, kDegraded}, {k4, kStopped}, {k4, kDegraded, false}, {k6}},
       Family::kV4,
       Outcome::kAnswer,
       1,
       {0}},
      {"no servable A, AAAA fine: NODATA",
       3,
       {{k4, kStopped}, {k4, kOnline, false}, {k6}},
       Family::kV4,
       Outcome::kNoData,
       0,
       {}},
      {"no A endpoint at all: NODATA", 3, {{k6}, {k6}}, Family::kV4, Outcome::kNoData, 0, {}},
      {"no AAAA endpoint at all: NODATA", 3, {{k4}}, Family::kV6, Outcome::kNoData, 0, {}},
  };
  constexpr int kQueries = 4000;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Endpoint> endpoints;
    for (const Spec& s : c.endpoints) {
      endpoints.push_back(Endpoint{.kind = s.kind, .enabled = s.enabled});
    }
    TableBuilder builder;
    // A first profile so that the tested one's endpoints do not start at id 0.
    builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
    const ProfileId id = builder.addProfile(testing::multiValueProfile(c.maxReturn), endpoints);
    const Table table = builder.build();
    const EndpointId first = table.profiles[id].firstEndpoint;
    Health health(table);
    for (size_t i = 0; i < c.endpoints.size(); ++i) {
      health.set(first + static_cast<EndpointId>(i), c.endpoints[i].probed);
    }
    util::Rng rng(77);
    std::map<uint32_t, int> included;
    std::set<std::set<uint32_t>> subsets;
    std::set<std::vector<uint32_t>> orders;
    for (int q = 0; q < kQueries; ++q) {
      const Selection s = testing::routeOnce(table, health, id, rng, c.family);
      ASSERT_EQ(s.outcome, c.outcome);
      ASSERT_EQ(s.count, c.count);
      ASSERT_EQ(s.ecsScope, 0);
      std::set<uint32_t> subset;
      std::vector<uint32_t> order;
      for (uint32_t i = 0; i < s.count; ++i) {
        ASSERT_GE(s.endpoints[i], first);
        const uint32_t index = s.endpoints[i] - first;
        ASSERT_EQ(c.allowed.count(index), 1u) << "index " << index;
        ASSERT_TRUE(subset.insert(index).second) << "duplicate index " << index;
        order.push_back(index);
        ++included[index];
      }
      subsets.insert(subset);
      orders.insert(order);
    }
    if (c.count == 0) {
      continue;
    }
    // The subset varies per query (§2.6): every possible subset shows up, each endpoint about
    // equally often, and the order within an answer varies too.
    EXPECT_EQ(subsets.size(), binomial(c.allowed.size(), c.count));
    for (const uint32_t index : c.allowed) {
      EXPECT_NEAR(1.0 * included[index] / kQueries, 1.0 * c.count / c.allowed.size(), 0.05)
          << "index " << index;
    }
    if (c.count > 1) {
      EXPECT_GT(orders.size(), subsets.size());
    }
  }
}

// §6: 200 endpoints per profile is the most the stack arrays must hold.
TEST(MultiValue, LargestProfile) {
  std::vector<Endpoint> endpoints(kMaxProfileEndpoints, testing::v4Endpoint());
  TableBuilder builder;
  const ProfileId id = builder.addProfile(testing::multiValueProfile(8), endpoints);
  const Table table = builder.build();
  Health health(table);
  for (EndpointId i = 0; i + 1 < kMaxProfileEndpoints; ++i) {
    health.set(i, MonitorStatus::kDegraded);
  }
  util::Rng rng(4);
  // Only the last one is healthy.
  Selection s = testing::routeOnce(table, health, id, rng, Family::kV4);
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{kMaxProfileEndpoints - 1});
  health.set(kMaxProfileEndpoints - 1, MonitorStatus::kDegraded);
  std::set<EndpointId> seen;
  for (int q = 0; q < 200; ++q) {
    s = testing::routeOnce(table, health, id, rng, Family::kV4);
    ASSERT_EQ(s.count, 8);
    const std::set<EndpointId> distinct(s.endpoints, s.endpoints + s.count);
    ASSERT_EQ(distinct.size(), 8u);
    seen.insert(distinct.begin(), distinct.end());
  }
  EXPECT_GT(seen.size(), 150u);
}

}  // namespace
}  // namespace tmdns::routing
