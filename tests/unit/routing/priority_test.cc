// Unit tests for Priority routing (§2.2): order, failover, fail-open, alwaysServe.
#include "routing/priority.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::Health;
using testing::TableBuilder;

struct Spec {
  uint16_t priority;
  MonitorStatus probed = MonitorStatus::kOnline;
  bool enabled = true;
  bool alwaysServe = false;
};

struct Case {
  std::string name;
  std::vector<Spec> endpoints;  // configuration order
  uint32_t expected;            // index of the answer in configuration order
};

TEST(Priority, Table) {
  using enum MonitorStatus;
  const std::vector<Case> cases = {
      {"§8 case 1: failover past a Degraded p1", {{1, kDegraded}, {2, kOnline}, {3, kOnline}}, 1},
      {"§8 case 2: all Degraded, fail-open to p1",
       {{1, kDegraded}, {2, kDegraded}, {3, kDegraded}},
       0},
      {"healthy p1 wins", {{1, kOnline}, {2, kOnline}}, 0},
      {"Degraded is skipped while any is healthy", {{1, kOnline}, {2, kDegraded}}, 0},
      {"priority, not configuration order", {{3, kOnline}, {1, kDegraded}, {2, kOnline}}, 2},
      {"fail-open picks the lowest number, not the first configured",
       {{3, kDegraded}, {2, kDegraded}, {5, kDegraded}},
       1},
      {"fail-open skips Disabled and Stopped",
       {{1, kDegraded, false}, {2, kStopped}, {4, kDegraded}, {3, kDegraded}},
       3},
      {"Stopped is not eligible, the Degraded one is served", {{1, kStopped}, {2, kDegraded}}, 1},
      {"CheckingEndpoint is served", {{1, kCheckingEndpoint}, {2, kOnline}}, 0},
      {"Disabled p1 fails over", {{1, kOnline, false}, {2, kOnline}}, 1},
      {"§8 case 14: alwaysServe served though probes fail",
       {{1, kDegraded, true, true}, {2, kOnline}},
       0},
      {"§8 case 14: alwaysServe but Disabled is not served",
       {{1, kOnline, false, true}, {2, kOnline}},
       1},
      {"alwaysServe beats fail-open", {{1, kDegraded}, {2, kDegraded, true, true}}, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Endpoint> endpoints;
    for (const Spec& s : c.endpoints) {
      Endpoint e = testing::nameEndpoint(s.priority);
      e.enabled = s.enabled;
      e.alwaysServe = s.alwaysServe;
      endpoints.push_back(e);
    }
    TableBuilder builder;
    const ProfileId id = builder.addProfile(testing::priorityProfile(), endpoints);
    const Table table = builder.build();
    Health health(table);
    for (size_t i = 0; i < c.endpoints.size(); ++i) {
      health.set(table.profiles[id].firstEndpoint + static_cast<EndpointId>(i),
                 c.endpoints[i].probed);
    }
    // Priority is deterministic: every seed gives the same answer.
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      util::Rng rng(seed);
      const Selection s = testing::routeOnce(table, health, id, rng);
      ASSERT_EQ(s.outcome, Selection::Outcome::kAnswer);
      ASSERT_EQ(s.count, 1);
      EXPECT_EQ(s.endpoints[0], table.profiles[id].firstEndpoint + c.expected);
      EXPECT_EQ(s.ecsScope, 0);
    }
  }
}

// Failover follows health as it is republished, and comes back (§8 case 15's routing half).
TEST(Priority, FollowsHealthChanges) {
  TableBuilder builder;
  // A first profile so that the tested one's endpoints do not start at id 0.
  builder.addProfile(testing::priorityProfile(),
                     {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId id = builder.addProfile(testing::priorityProfile(),
                                          {testing::nameEndpoint(2), testing::nameEndpoint(1)});
  const Table table = builder.build();
  const EndpointId p2 = table.profiles[id].firstEndpoint;
  const EndpointId p1 = p2 + 1;
  Health health(table);
  util::Rng rng(1);
  health.set(p1, MonitorStatus::kCheckingEndpoint);
  EXPECT_EQ(testing::routeOnce(table, health, id, rng).endpoints[0], p1);
  health.set(p1, MonitorStatus::kDegraded);
  EXPECT_EQ(testing::routeOnce(table, health, id, rng).endpoints[0], p2);
  health.set(p1, MonitorStatus::kOnline);
  EXPECT_EQ(testing::routeOnce(table, health, id, rng).endpoints[0], p1);
}

// Selection happens first; the record type is applied later (§3.2), so the family never filters.
TEST(Priority, FamilyDoesNotFilter) {
  TableBuilder builder;
  const ProfileId id = builder.addProfile(testing::priorityProfile(), {testing::v4Endpoint()});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(1);
  for (const Family family : {Family::kAny, Family::kV4, Family::kV6, Family::kOther}) {
    const Selection s = testing::routeOnce(table, health, id, rng, family);
    EXPECT_EQ(s.outcome, Selection::Outcome::kAnswer);
    EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{table.profiles[id].firstEndpoint});
  }
}

}  // namespace
}  // namespace tmdns::routing
