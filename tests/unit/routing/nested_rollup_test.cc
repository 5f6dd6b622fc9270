// Unit tests for the nested rollups precomputed per health publication (§2.9): the status read
// from a HealthTable equals the one recomputed per query, for every family, depth and health.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "routing/health_table.h"
#include "routing/router.h"
#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::TableBuilder;
using Outcome = Selection::Outcome;
using enum MonitorStatus;

constexpr Family kFamilies[] = {Family::kAny, Family::kV4, Family::kV6, Family::kOther};

// Probe results without rollups (what a probe publication carries) and the same results with
// the rollups the publisher adds for `table`.
struct Published {
  std::shared_ptr<const HealthTable> raw;
  std::shared_ptr<const HealthTable> precomputed;
};

Published publish(const Table& table, std::vector<MonitorStatus> status) {
  auto raw = std::make_shared<HealthTable>();
  raw->status = std::move(status);
  Published out{raw, nullptr};
  out.precomputed = withNestedRollups(table, out.raw);
  return out;
}

// Every endpoint's effectiveStatus, every nested endpoint's rollup at every depth (one past the
// limit included) and every profile's routing agree between per-query and precomputed rollups.
void expectSameAsPerQuery(const Table& table, const Published& health) {
  ASSERT_NE(health.precomputed, health.raw) << "a table with nested endpoints gets rollups";
  ASSERT_EQ(health.precomputed->rollups.size(), table.nestedCount);
  ASSERT_EQ(health.precomputed->status, health.raw->status);
  for (const Family family : kFamilies) {
    Request request;
    request.family = family;
    util::Rng rng(1);
    for (uint8_t depth = 0; depth <= kMaxNestingDepth + 1; ++depth) {
      const Context perQuery{table, health.raw->view(), request, rng, depth};
      const Context precomputed{table, health.precomputed->view(), request, rng, depth};
      for (EndpointId id = 0; id < table.endpoints.size(); ++id) {
        SCOPED_TRACE("family " + std::to_string(static_cast<int>(family)) + " depth " +
                     std::to_string(depth) + " endpoint " + std::to_string(id));
        const Endpoint& endpoint = table.endpoints[id];
        if (endpoint.kind == TargetKind::kNested) {
          ASSERT_NE(health.precomputed->view().rollup(table, endpoint.rollupSlot), nullptr);
          EXPECT_EQ(nestedStatus(precomputed, endpoint), recomputeNestedStatus(perQuery, endpoint));
        }
        EXPECT_EQ(effectiveStatus(precomputed, id), effectiveStatus(perQuery, id));
      }
    }
    for (ProfileId profile = 0; profile < table.profiles.size(); ++profile) {
      util::Rng perQueryRng(7);
      util::Rng precomputedRng(7);
      for (int q = 0; q < 20; ++q) {
        const Context perQuery{table, health.raw->view(), request, perQueryRng};
        const Context precomputed{table, health.precomputed->view(), request, precomputedRng};
        Selection a;
        Selection b;
        route(perQuery, profile, a);
        route(precomputed, profile, b);
        ASSERT_EQ(a.outcome, b.outcome) << "profile " << profile;
        ASSERT_EQ(testing::endpointsOf(a), testing::endpointsOf(b)) << "profile " << profile;
      }
    }
  }
}

Endpoint nested(ProfileId child, uint16_t priority, uint16_t minChild, uint16_t minV4 = 0,
                uint16_t minV6 = 0) {
  Endpoint e = testing::nestedEndpoint(child, priority, minChild);
  e.minChildV4 = minV4;
  e.minChildV6 = minV6;
  return e;
}

Endpoint leaf(TargetKind kind, uint16_t priority) {
  return Endpoint{.kind = kind, .priority = priority};
}

// §2.9 per family: a child with 2 A, 2 AAAA and 1 CNAME endpoint under one nested endpoint with
// minChildEndpoints 3, minChildEndpointsIPv4 2, minChildEndpointsIPv6 1.
struct FamilyCase {
  std::string name;
  std::vector<MonitorStatus> child;  // v4, v4, v6, v6, name
  MonitorStatus any, v4, v6;
};

TEST(NestedRollup, ThresholdsPerFamilyMatchExpectedAndPerQuery) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(
      testing::weightedProfile(),
      {leaf(TargetKind::kIPv4, 1), leaf(TargetKind::kIPv4, 2), leaf(TargetKind::kIPv6, 3),
       leaf(TargetKind::kIPv6, 4), leaf(TargetKind::kName, 5)});
  builder.addProfile(testing::priorityProfile(),
                     {nested(child, 1, 3, 2, 1), testing::nameEndpoint(2)});
  const Table table = builder.build();
  const EndpointId n = table.profiles[1].firstEndpoint;
  const std::vector<FamilyCase> cases = {
      {"all Online", {kOnline, kOnline, kOnline, kOnline, kOnline}, kOnline, kOnline, kOnline},
      {"v6 down: the CNAME still counts for AAAA",
       {kOnline, kOnline, kDegraded, kDegraded, kOnline},
       kOnline,
       kOnline,
       kOnline},
      {"v6 and CNAME down: only A meets its minimum",
       {kOnline, kOnline, kDegraded, kDegraded, kDegraded},
       kDegraded,
       kOnline,
       kDegraded},
      {"one v4 checking: the name counts for both families",
       {kOnline, kCheckingEndpoint, kDegraded, kOnline, kDegraded},
       kCheckingEndpoint,
       kCheckingEndpoint,
       kOnline},
      {"only the name Online",
       {kDegraded, kDegraded, kDegraded, kDegraded, kOnline},
       kDegraded,
       kDegraded,
       kOnline},
      {"v4 Stopped: no eligible endpoint left but the rest Degraded",
       {kStopped, kStopped, kDegraded, kDegraded, kDegraded},
       kDegraded,
       kDegraded,
       kDegraded},
      {"everything Stopped",
       {kStopped, kStopped, kStopped, kStopped, kStopped},
       kStopped,
       kStopped,
       kStopped},
  };
  for (const FamilyCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<MonitorStatus> status(table.endpoints.size(), kOnline);
    for (size_t i = 0; i < c.child.size(); ++i) {
      status[table.profiles[child].firstEndpoint + i] = c.child[i];
    }
    const Published health = publish(table, status);
    const NestedRollup* rollup =
        health.precomputed->view().rollup(table, table.endpoints[n].rollupSlot);
    ASSERT_NE(rollup, nullptr);
    for (uint8_t depth = 0; depth < kMaxNestingDepth; ++depth) {
      EXPECT_EQ(rollup->at(depth, Family::kAny), c.any);
      EXPECT_EQ(rollup->at(depth, Family::kOther), c.any);
      EXPECT_EQ(rollup->at(depth, Family::kV4), c.v4);
      EXPECT_EQ(rollup->at(depth, Family::kV6), c.v6);
    }
    EXPECT_EQ(rollup->at(kMaxNestingDepth, Family::kAny), kStopped);
    expectSameAsPerQuery(table, health);
  }
}

// Two levels below the queried profile, with every kind of endpoint, a disabled child profile,
// a disabled nested endpoint, alwaysServe leaves and thresholds per family, under many health
// publications: the precomputed rollups never differ from the per-query ones.
TEST(NestedRollup, DeepTreeAcrossHealthChanges) {
  TableBuilder builder;
  std::vector<ProfileId> leaves;
  for (int p = 0; p < 6; ++p) {
    std::vector<Endpoint> endpoints;
    for (int i = 0; i < 5; ++i) {
      Endpoint e = leaf(static_cast<TargetKind>((p + i) % 3), static_cast<uint16_t>(i + 1));
      e.alwaysServe = (p == 2 && i == 0);
      e.enabled = !(p == 3 && i == 1);
      endpoints.push_back(e);
    }
    leaves.push_back(builder.addProfile(
        Profile{.method = p % 2 ? Method::kWeighted : Method::kPriority, .enabled = p != 5},
        endpoints));
  }
  // Depth 1 children: nested endpoints over the leaf profiles, mixed with leaves.
  Endpoint disabledNested = nested(leaves[1], 3, 1);
  disabledNested.enabled = false;
  const ProfileId midA = builder.addProfile(
      testing::priorityProfile(), {nested(leaves[0], 1, 2, 1, 0), nested(leaves[1], 2, 3, 0, 2),
                                   disabledNested, leaf(TargetKind::kIPv4, 4)});
  const ProfileId midB = builder.addProfile(
      testing::weightedProfile(),
      {nested(leaves[2], 1, 1, 2, 2), nested(leaves[3], 2, 2), nested(leaves[5], 3, 1)});
  // Depth 2 below the top: a chain, so nesting goes three hops deep.
  const ProfileId deep = builder.addProfile(
      testing::priorityProfile(),
      {nested(midA, 1, 1, 1, 1), nested(leaves[4], 2, 4, 0, 1), leaf(TargetKind::kName, 3)});
  builder.addProfile(testing::priorityProfile(),
                     {nested(deep, 1, 2), nested(midB, 2, 1, 1, 0), nested(midA, 3, 2, 0, 1),
                      leaf(TargetKind::kIPv6, 4)});
  const Table table = builder.build();
  ASSERT_EQ(table.nestedCount, 11u);

  constexpr MonitorStatus kProbed[] = {kOnline, kOnline, kCheckingEndpoint, kDegraded, kStopped};
  util::Rng rng(2026);
  std::vector<MonitorStatus> status(table.endpoints.size(), kOnline);
  for (int publication = 0; publication < 200; ++publication) {
    SCOPED_TRACE("publication " + std::to_string(publication));
    // A few probe results change per publication, as the probe engine publishes them.
    for (int change = 0; change < 3; ++change) {
      status[rng.below(static_cast<uint32_t>(status.size()))] = kProbed[rng.below(5)];
    }
    expectSameAsPerQuery(table, publish(table, status));
    if (HasFatalFailure()) {
      return;
    }
  }
}

// Deeper than kMaxNestingDepth (config rejects it, a hand-built table need not): the depth
// cut-off reads the same from precomputed rollups, Stopped past the limit.
TEST(NestedRollup, ChainPastTheDepthLimit) {
  TableBuilder builder;
  ProfileId below = builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint(1)});
  for (int level = 0; level < kMaxNestingDepth + 2; ++level) {
    below = builder.addProfile(testing::priorityProfile(),
                               {nested(below, 1, 1), testing::nameEndpoint(2)});
  }
  const Table table = builder.build();
  std::vector<MonitorStatus> status(table.endpoints.size(), kOnline);
  const Published online = publish(table, status);
  expectSameAsPerQuery(table, online);
  // The top's nested endpoint reaches the leaf profile 12 hops down: past the limit, Stopped.
  const Endpoint& top = table.endpoints[table.profiles[below].firstEndpoint];
  const NestedRollup* rollup = online.precomputed->view().rollup(table, top.rollupSlot);
  ASSERT_NE(rollup, nullptr);
  // Routed at depth 0 the chain below has 12 nested hops: the one 10 deep is Stopped, every
  // profile above it still has its Online name endpoint, so the top stays Online.
  EXPECT_EQ(rollup->at(0, Family::kAny), kOnline);
  EXPECT_EQ(rollup->at(kMaxNestingDepth, Family::kAny), kStopped);
  // Every name endpoint Degraded: only a leaf the chain reaches within the limit is Online.
  for (EndpointId id = 0; id < table.endpoints.size(); ++id) {
    if (table.endpoints[id].kind == TargetKind::kName) {
      status[id] = kDegraded;
    }
  }
  status[0] = kOnline;  // the bottom profile's only endpoint
  const Published degraded = publish(table, status);
  expectSameAsPerQuery(table, degraded);
  const NestedRollup* cut = degraded.precomputed->view().rollup(table, top.rollupSlot);
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ(cut->at(0, Family::kAny), kDegraded);
}

// A loop (config forbids it; a hand-built table need not): both ways stop at the depth limit
// with the same status.
TEST(NestedRollup, LoopIsBoundedAndAgrees) {
  TableBuilder builder;
  const ProfileId a = builder.addProfile(testing::priorityProfile(),
                                         {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId b =
      builder.addProfile(testing::priorityProfile(), {nested(a, 1, 1), testing::nameEndpoint(2)});
  Table table = builder.build();
  // a's first endpoint becomes nested into b: a -> b -> a.
  Endpoint& loop = table.endpoints[table.profiles[a].firstEndpoint];
  loop.kind = TargetKind::kNested;
  loop.child = b;
  assignRollupSlots(table);
  ASSERT_EQ(table.nestedCount, 2u);
  std::vector<MonitorStatus> status(table.endpoints.size(), kDegraded);
  expectSameAsPerQuery(table, publish(table, status));
  status[table.profiles[b].firstEndpoint + 1] = kOnline;
  expectSameAsPerQuery(table, publish(table, status));
}

// Rollups belong to the table they were computed for; with any other table, or with none,
// routing recomputes them.
TEST(NestedRollup, OnlyServedWithTheirTable) {
  TableBuilder builder;
  const ProfileId child = builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  builder.addProfile(testing::priorityProfile(), {nested(child, 1, 1)});
  const Table table = builder.build();
  TableBuilder otherBuilder;
  const ProfileId otherChild =
      otherBuilder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  otherBuilder.addProfile(testing::priorityProfile(), {nested(otherChild, 1, 1)});
  const Table other = otherBuilder.build();

  const Published health = publish(table, {kOnline, kOnline});
  EXPECT_NE(health.precomputed->view().rollup(table, 0), nullptr);
  EXPECT_EQ(health.precomputed->view().rollup(other, 0), nullptr);
  EXPECT_EQ(health.precomputed->view().rollup(table, 1), nullptr);
  EXPECT_EQ(health.raw->view().rollup(table, 0), nullptr);
  EXPECT_EQ(HealthView().rollup(table, 0), nullptr);
  // Nothing to add: no health, or no nested endpoint.
  EXPECT_EQ(withNestedRollups(table, nullptr), nullptr);
  TableBuilder flatBuilder;
  flatBuilder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  const Table flat = flatBuilder.build();
  const Published flatHealth = publish(flat, {kOnline});
  EXPECT_EQ(flatHealth.precomputed, flatHealth.raw);
}

}  // namespace
}  // namespace tmdns::routing
