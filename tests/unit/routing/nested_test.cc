// Unit tests for nested endpoints (§2.9): child rollup, minChildEndpoints per family, descent to
// the leaf, depth bound.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing/router.h"
#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::Health;
using testing::TableBuilder;
using Outcome = Selection::Outcome;
using enum MonitorStatus;

// §2.1 last bullet: an answer only ever carries leaves.
void expectLeaves(const Table& table, const Selection& s) {
  for (uint32_t i = 0; i < s.count; ++i) {
    EXPECT_NE(table.endpoints[s.endpoints[i]].kind, TargetKind::kNested) << s.endpoints[i];
  }
}

// §8 case 13.
struct Case13 {
  Table table;
  ProfileId parent;
  EndpointId n1, c1, c2, backup;
};

Case13 buildCase13(uint16_t minChild) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(testing::weightedProfile(),
                                             {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId parent =
      builder.addProfile(testing::priorityProfile(),
                         {testing::nestedEndpoint(child, 1, minChild), testing::nameEndpoint(2)});
  Case13 c{builder.build(), parent, 0, 0, 0, 0};
  c.c1 = c.table.profiles[child].firstEndpoint;
  c.c2 = c.c1 + 1;
  c.n1 = c.table.profiles[parent].firstEndpoint;
  c.backup = c.n1 + 1;
  return c;
}

TEST(Nested, Case13MinChildTwoFallsOverToBackup) {
  const Case13 c = buildCase13(2);
  Health health(c.table);
  health.set(c.c2, kDegraded);
  EXPECT_EQ(testing::statusOf(c.table, health, c.n1, Family::kV4), kDegraded);
  util::Rng rng(13);
  for (int q = 0; q < 100; ++q) {
    const Selection s = testing::routeOnce(c.table, health, c.parent, rng, Family::kV4);
    ASSERT_EQ(s.outcome, Outcome::kAnswer);
    ASSERT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{c.backup});
  }
}

TEST(Nested, Case13MinChildOneAnswersTheLeaf) {
  const Case13 c = buildCase13(1);
  Health health(c.table);
  health.set(c.c2, kDegraded);
  EXPECT_EQ(testing::statusOf(c.table, health, c.n1, Family::kV4), kOnline);
  util::Rng rng(13);
  for (int q = 0; q < 1000; ++q) {
    const Selection s = testing::routeOnce(c.table, health, c.parent, rng, Family::kV4);
    ASSERT_EQ(s.outcome, Outcome::kAnswer);
    // Straight to the leaf c1 (C2 is Degraded), never the nested endpoint itself.
    ASSERT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{c.c1});
  }
}

struct ChildSpec {
  MonitorStatus probed = kOnline;
  bool enabled = true;
  bool alwaysServe = false;
};

struct RollupCase {
  std::string name;
  std::vector<ChildSpec> children;
  uint16_t minChild;
  MonitorStatus expected;
  bool childProfileEnabled = true;
  bool nestedEnabled = true;
  bool nestedAlwaysServe = false;
};

// §2.9 table, §4.4-4.5.
TEST(Nested, RollupTable) {
  const std::vector<RollupCase> cases = {
      {"2 Online >= 2", {{kOnline}, {kOnline}}, 2, kOnline},
      {"Online + Checking >= 2", {{kOnline}, {kCheckingEndpoint}}, 2, kCheckingEndpoint},
      {"Checking only", {{kCheckingEndpoint}, {kCheckingEndpoint}}, 2, kCheckingEndpoint},
      {"1 Online < 2", {{kOnline}, {kDegraded}}, 2, kDegraded},
      {"1 Online >= 1", {{kOnline}, {kDegraded}}, 1, kOnline},
      {"all Degraded", {{kDegraded}, {kDegraded}}, 1, kDegraded},
      {"Unmonitored counts as Online", {{kDegraded, true, true}, {kOnline}}, 2, kOnline},
      {"too high a minimum keeps it Degraded", {{kOnline}, {kOnline}, {kOnline}}, 4, kDegraded},
      {"Stopped children do not count", {{kStopped}, {kOnline}}, 2, kDegraded},
      {"Disabled children do not count", {{kOnline, false}, {kOnline}}, 2, kDegraded},
      {"a Degraded child keeps the child active", {{kOnline, false}, {kDegraded}}, 1, kDegraded},
      {"child Inactive (Disabled + Stopped) is Stopped",
       {{kOnline, false}, {kStopped}},
       1,
       kStopped},
      {"child without endpoints is Stopped", {}, 1, kStopped},
      {"§6 surprise 5: child profile disabled is Stopped",
       {{kOnline}, {kOnline}},
       1,
       kStopped,
       false},
      {"the parent's own Disabled wins", {{kOnline}}, 1, kDisabled, false, false},
      {"alwaysServe cannot bypass the rollup (§2.10)",
       {{kDegraded}},
       1,
       kDegraded,
       true,
       true,
       true},
  };
  for (const RollupCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Endpoint> children;
    for (size_t i = 0; i < c.children.size(); ++i) {
      Endpoint e = testing::nameEndpoint(static_cast<uint16_t>(i + 1));
      e.enabled = c.children[i].enabled;
      e.alwaysServe = c.children[i].alwaysServe;
      children.push_back(e);
    }
    Endpoint nested = testing::nestedEndpoint(0, 1, c.minChild);
    nested.enabled = c.nestedEnabled;
    nested.alwaysServe = c.nestedAlwaysServe;
    TableBuilder builder;
    const ProfileId child = builder.addProfile(
        Profile{.method = Method::kPriority, .enabled = c.childProfileEnabled}, children);
    nested.child = child;
    const ProfileId parent = builder.addProfile(testing::priorityProfile(), {nested});
    const Table table = builder.build();
    Health health(table);
    for (size_t i = 0; i < c.children.size(); ++i) {
      health.set(table.profiles[child].firstEndpoint + static_cast<EndpointId>(i),
                 c.children[i].probed);
    }
    // The parent never probes the child: a probe result for the nested endpoint is ignored.
    health.set(table.profiles[parent].firstEndpoint, kOnline);
    for (const Family family : {Family::kAny, Family::kV4, Family::kV6, Family::kOther}) {
      EXPECT_EQ(testing::statusOf(table, health, table.profiles[parent].firstEndpoint, family),
                c.expected)
          << "family " << static_cast<int>(family);
    }
  }
}

struct FamilyCase {
  std::string name;
  uint16_t minChild, minChildV4, minChildV6;
  Family family;
  MonitorStatus expected;
};

// §2.9: minChildEndpointsIPv4/IPv6. Child: A Online, A Degraded, AAAA Online, AAAA Online.
TEST(Nested, MinChildPerFamily) {
  const std::vector<FamilyCase> cases = {
      {"A query needs 2 A: only 1 Online", 1, 2, 2, Family::kV4, kDegraded},
      {"AAAA query needs 2 AAAA: 2 Online", 1, 2, 2, Family::kV6, kOnline},
      {"ANY uses minChildEndpoints", 1, 2, 2, Family::kAny, kOnline},
      {"other types use minChildEndpoints", 1, 2, 2, Family::kOther, kOnline},
      {"A needs 1", 1, 1, 3, Family::kV4, kOnline},
      {"AAAA needs 3", 1, 1, 3, Family::kV6, kDegraded},
      {"unset per-family: minChildEndpoints over all (3 Online >= 3)", 3, 0, 0, Family::kV4,
       kOnline},
      {"unset per-family: minChildEndpoints over all (3 Online < 4)", 4, 0, 0, Family::kV6,
       kDegraded},
      {"per-family replaces minChildEndpoints", 4, 1, 0, Family::kV4, kOnline},
  };
  for (const FamilyCase& c : cases) {
    SCOPED_TRACE(c.name);
    TableBuilder builder;
    const ProfileId child = builder.addProfile(testing::multiValueProfile(2),
                                               {testing::v4Endpoint(), testing::v4Endpoint(),
                                                testing::v6Endpoint(), testing::v6Endpoint()});
    Endpoint nested = testing::nestedEndpoint(child, 1, c.minChild);
    nested.minChildV4 = c.minChildV4;
    nested.minChildV6 = c.minChildV6;
    const ProfileId parent = builder.addProfile(testing::priorityProfile(), {nested});
    const Table table = builder.build();
    Health health(table);
    health.set(table.profiles[child].firstEndpoint + 1, kDegraded);
    EXPECT_EQ(testing::statusOf(table, health, table.profiles[parent].firstEndpoint, c.family),
              c.expected);
  }
}

TEST(Nested, MinChildPerFamilyCountsNamesAndCheckingForBoth) {
  TableBuilder builder;
  const ProfileId names = builder.addProfile(testing::weightedProfile(),
                                             {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId mixed = builder.addProfile(testing::multiValueProfile(2),
                                             {testing::v4Endpoint(), testing::v6Endpoint()});
  Endpoint toNames = testing::nestedEndpoint(names);
  toNames.minChildV4 = 2;
  toNames.minChildV6 = 2;
  Endpoint toMixed = testing::nestedEndpoint(mixed, 2);
  toMixed.minChildV6 = 1;
  const ProfileId parent = builder.addProfile(testing::priorityProfile(), {toNames, toMixed});
  const Table table = builder.build();
  Health health(table);
  health.set(table.profiles[mixed].firstEndpoint + 1, kCheckingEndpoint);
  const EndpointId first = table.profiles[parent].firstEndpoint;
  // CNAME targets may yield either family, so both count for A and for AAAA.
  EXPECT_EQ(testing::statusOf(table, health, first, Family::kV4), kOnline);
  EXPECT_EQ(testing::statusOf(table, health, first, Family::kV6), kOnline);
  // The only AAAA child is CheckingEndpoint.
  EXPECT_EQ(testing::statusOf(table, health, first + 1, Family::kV6), kCheckingEndpoint);
  EXPECT_EQ(testing::statusOf(table, health, first + 1, Family::kV4), kOnline);
}

// A parent over a MultiValue child: the family picks the branch, all the child's leaves come up.
TEST(Nested, FamilyDecidesTheBranchAndMultipleLeavesComeUp) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(
      testing::multiValueProfile(2),
      {testing::v4Endpoint(), testing::v4Endpoint(), testing::v6Endpoint(), testing::v6Endpoint()});
  Endpoint nested = testing::nestedEndpoint(child, 1);
  nested.minChildV4 = 2;
  const ProfileId parent =
      builder.addProfile(testing::priorityProfile(), {nested, testing::nameEndpoint(2)});
  const Table table = builder.build();
  const EndpointId c = table.profiles[child].firstEndpoint;
  const EndpointId backup = table.profiles[parent].firstEndpoint + 1;
  Health health(table);
  health.set(c + 1, kDegraded);
  util::Rng rng(8);
  Selection s = testing::routeOnce(table, health, parent, rng, Family::kV4);
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{backup});
  s = testing::routeOnce(table, health, parent, rng, Family::kV6);
  ASSERT_EQ(s.outcome, Outcome::kAnswer);
  ASSERT_EQ(s.count, 2);
  EXPECT_EQ(std::min(s.endpoints[0], s.endpoints[1]), c + 2);
  EXPECT_EQ(std::max(s.endpoints[0], s.endpoints[1]), c + 3);
}

// "If the child yields nothing, the selection outcome follows from the child."
TEST(Nested, ChildNoDataIsTheParentsOutcome) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(testing::multiValueProfile(2),
                                             {testing::v4Endpoint(), testing::v4Endpoint()});
  const ProfileId parent = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(child, 1), testing::nameEndpoint(2)});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(2);
  for (const Family family : {Family::kV6, Family::kOther}) {
    const Selection s = testing::routeOnce(table, health, parent, rng, family);
    EXPECT_EQ(s.outcome, Outcome::kNoData) << static_cast<int>(family);
    EXPECT_EQ(s.count, 0);
  }
  EXPECT_EQ(testing::routeOnce(table, health, parent, rng, Family::kV4).count, 2);
}

TEST(Nested, ChildDisabledFailsOverOrIsNxDomain) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(Profile{.method = Method::kPriority, .enabled = false},
                                             {testing::nameEndpoint(1)});
  const ProfileId withBackup = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(child, 1), testing::nameEndpoint(2)});
  const ProfileId alone =
      builder.addProfile(testing::priorityProfile(), {testing::nestedEndpoint(child, 1)});
  const Table table = builder.build();
  Health health(table);
  // Stopped is never served, not even by fail-open: the Degraded backup is.
  health.set(table.profiles[withBackup].firstEndpoint + 1, kDegraded);
  util::Rng rng(1);
  EXPECT_EQ(testing::statusOf(table, health, table.profiles[withBackup].firstEndpoint), kStopped);
  EXPECT_EQ(testing::endpointsOf(testing::routeOnce(table, health, withBackup, rng)),
            std::vector<EndpointId>{table.profiles[withBackup].firstEndpoint + 1});
  // §3.5 last row: every endpoint Stopped is NXDOMAIN.
  EXPECT_EQ(testing::routeOnce(table, health, alone, rng).outcome, Outcome::kNxDomain);
}

// Fail-open at both levels: everything Degraded still answers a leaf, by priority.
TEST(Nested, FailOpenDescendsToALeaf) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(testing::priorityProfile(),
                                             {testing::nameEndpoint(2), testing::nameEndpoint(1)});
  const ProfileId parent = builder.addProfile(
      testing::priorityProfile(), {testing::nameEndpoint(2), testing::nestedEndpoint(child, 1)});
  const Table table = builder.build();
  Health health(table);
  for (EndpointId id = 0; id < table.endpoints.size(); ++id) {
    health.set(id, kDegraded);
  }
  util::Rng rng(1);
  const Selection s = testing::routeOnce(table, health, parent, rng);
  EXPECT_EQ(testing::endpointsOf(s),
            std::vector<EndpointId>{table.profiles[child].firstEndpoint + 1});
}

TEST(Nested, ThreeLevelsDeepReturnsTheLeaf) {
  TableBuilder builder;
  const ProfileId l3 = builder.addProfile(testing::weightedProfile(),
                                          {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId l2 = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(l3, 1), testing::nameEndpoint(2)});
  const ProfileId l1 = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(l2, 1), testing::nameEndpoint(2)});
  const Table table = builder.build();
  const EndpointId leafA = table.profiles[l3].firstEndpoint;
  const EndpointId l2Name = table.profiles[l2].firstEndpoint + 1;
  Health health(table);
  health.set(leafA + 1, kDegraded);
  util::Rng rng(3);
  for (int q = 0; q < 100; ++q) {
    const Selection s = testing::routeOnce(table, health, l1, rng);
    ASSERT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{leafA});
    expectLeaves(table, s);
  }
  // l3 all Degraded ⇒ its nested endpoint in l2 is Degraded ⇒ l2 answers its own name, and l1
  // (which sees l2 as Online) still descends through l2.
  health.set(leafA, kDegraded);
  const Selection s = testing::routeOnce(table, health, l1, rng);
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{l2Name});
}

TEST(Nested, WeightedOverNestedSplitsAcrossLeaves) {
  TableBuilder builder;
  const ProfileId a = builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  const ProfileId b = builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  Endpoint toA = testing::nestedEndpoint(a, 1);
  Endpoint toB = testing::nestedEndpoint(b, 2);
  toB.weight = 3;
  const ProfileId parent = builder.addProfile(testing::weightedProfile(), {toA, toB});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(99);
  int hitsB = 0;
  constexpr int kQueries = 100000;
  for (int q = 0; q < kQueries; ++q) {
    const Selection s = testing::routeOnce(table, health, parent, rng);
    ASSERT_EQ(s.count, 1);
    hitsB += s.endpoints[0] == table.profiles[b].firstEndpoint ? 1 : 0;
  }
  EXPECT_NEAR(100.0 * hitsB / kQueries, 75.0, 1.0);
}

// A chain of `hops` nested endpoints ending in one leaf.
Table buildChain(int hops, ProfileId& top, EndpointId& leaf) {
  TableBuilder builder;
  ProfileId below = builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  for (int i = 0; i < hops; ++i) {
    below = builder.addProfile(testing::priorityProfile(), {testing::nestedEndpoint(below)});
  }
  top = below;
  Table table = builder.build();
  leaf = table.profiles[0].firstEndpoint;
  return table;
}

// §1.5: nesting depth ≤ 10. Ten nested hops answer; an eleventh is Stopped.
TEST(Nested, DepthIsBounded) {
  ProfileId top = 0;
  EndpointId leaf = 0;
  util::Rng rng(1);
  const Table ten = buildChain(kMaxNestingDepth, top, leaf);
  const Health tenHealth(ten);
  EXPECT_EQ(testing::endpointsOf(testing::routeOnce(ten, tenHealth, top, rng)),
            std::vector<EndpointId>{leaf});
  const Table eleven = buildChain(kMaxNestingDepth + 1, top, leaf);
  const Health elevenHealth(eleven);
  EXPECT_EQ(testing::statusOf(eleven, elevenHealth, eleven.profiles[top].firstEndpoint), kStopped);
  EXPECT_EQ(testing::routeOnce(eleven, elevenHealth, top, rng).outcome, Outcome::kNxDomain);
}

// The config compiler rejects loops (§1.5); routing must still terminate if one slips through.
TEST(Nested, LoopTerminates) {
  TableBuilder builder;
  const ProfileId selfOnly =
      builder.addProfile(testing::priorityProfile(), {testing::nestedEndpoint(0)});
  const ProfileId selfAndLeaf = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(1, 1), testing::nameEndpoint(2)});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(1);
  EXPECT_EQ(testing::routeOnce(table, health, selfOnly, rng).outcome, Outcome::kNxDomain);
  const Selection s = testing::routeOnce(table, health, selfAndLeaf, rng);
  EXPECT_EQ(testing::endpointsOf(s),
            std::vector<EndpointId>{table.profiles[selfAndLeaf].firstEndpoint + 1});
}

TEST(Nested, DanglingChildIsStopped) {
  TableBuilder builder;
  const ProfileId parent = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(kNone, 1), testing::nameEndpoint(2)});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(1);
  EXPECT_EQ(testing::statusOf(table, health, table.profiles[parent].firstEndpoint), kStopped);
  EXPECT_EQ(testing::endpointsOf(testing::routeOnce(table, health, parent, rng)),
            std::vector<EndpointId>{table.profiles[parent].firstEndpoint + 1});
}

}  // namespace
}  // namespace tmdns::routing
