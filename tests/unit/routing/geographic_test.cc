// Unit tests for Geographic routing (§2.5): §8 cases 8-10, hierarchy walk, overrides, ECS scope.
#include "routing/geographic.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::ecsClient;
using testing::Health;
using testing::sourceClient;
using testing::TableBuilder;
using testing::withCodes;
using Outcome = Selection::Outcome;
using enum MonitorStatus;

// Where the test clients are.
constexpr char kGeo[] =
    "198.51.100.0/24,IE\n"   // Ireland
    "203.0.113.0/24,FR\n"    // France
    "192.0.2.0/24,JP\n"      // Japan
    "100.64.0.0/24,US,CA\n"  // California
    "100.64.1.0/24,US,NY\n"  // New York
    "100.64.2.0/24,BR\n"     // Brazil
    "100.64.3.0/24,DE\n"     // Germany
    "100.64.4.0/24,ZZ\n"     // a country Azure's hierarchy does not list
    "2001:db8:1::/48,IE\n"
    "2001:db8:2::/48,US,CA\n";

constexpr char kIreland[] = "198.51.100.7";
constexpr char kFrance[] = "203.0.113.7";
constexpr char kJapan[] = "192.0.2.7";
constexpr char kCalifornia[] = "100.64.0.7";
constexpr char kNewYork[] = "100.64.1.7";
constexpr char kBrazil[] = "100.64.2.7";
constexpr char kGermany[] = "100.64.3.7";
constexpr char kUnlisted[] = "100.64.4.7";
constexpr char kNowhere[] = "8.8.8.8";

Profile geographic() {
  return Profile{.method = Method::kGeographic};
}

struct Built {
  Table table;
  ProfileId profile;
};

Built build(const std::vector<Endpoint>& endpoints, std::vector<EndpointInputs> inputs,
            bool withGeo = true) {
  TableBuilder builder;
  if (withGeo) {
    builder.setGeo(testing::csvLocator(kGeo));
  }
  PolicyInputs policyInputs;
  policyInputs.endpoints = std::move(inputs);
  const ProfileId id = builder.addProfile(geographic(), endpoints, policyInputs);
  return Built{builder.build(), id};
}

std::vector<Endpoint> names(size_t count) {
  std::vector<Endpoint> out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back(testing::nameEndpoint(static_cast<uint16_t>(i + 1)));
  }
  return out;
}

struct Query {
  std::string client;
  Outcome outcome;
  std::vector<EndpointId> expected;
};

void expectQueries(const Table& table, const Health& health, ProfileId profile,
                   const std::vector<Query>& queries) {
  for (const Query& q : queries) {
    SCOPED_TRACE(q.client);
    const Selection s = testing::routeFrom(table, health, profile, sourceClient(q.client));
    EXPECT_EQ(s.outcome, q.outcome);
    EXPECT_EQ(testing::endpointsOf(s), q.expected);
  }
}

// §8 case 8: E1 {IE}, E2 {GEO-EU}, E3 {WORLD}, all Online.
TEST(Geographic, Case8MostSpecificMatch) {
  const Built b = build(names(3), {withCodes({"IE"}), withCodes({"GEO-EU"}), withCodes({"WORLD"})});
  const Health health(b.table);
  expectQueries(b.table, health, b.profile,
                {{kIreland, Outcome::kAnswer, {0}},
                 {kFrance, Outcome::kAnswer, {1}},
                 {kJapan, Outcome::kAnswer, {2}},
                 {kCalifornia, Outcome::kAnswer, {2}}});
  // ... and a US-CA source with an extra E4 {US-CA} gets E4.
  const Built b4 = build(names(4), {withCodes({"IE"}), withCodes({"GEO-EU"}), withCodes({"WORLD"}),
                                    withCodes({"US-CA"})});
  const Health health4(b4.table);
  expectQueries(b4.table, health4, b4.profile,
                {{kCalifornia, Outcome::kAnswer, {3}},
                 {kNewYork, Outcome::kAnswer, {2}},
                 {kIreland, Outcome::kAnswer, {0}}});
}

TEST(Geographic, EveryLevelOfTheHierarchy) {
  // State > country > grouping > WORLD, each mapped to another endpoint.
  const Built b = build(names(5), {withCodes({"US-CA"}), withCodes({"US"}), withCodes({"GEO-NA"}),
                                   withCodes({"GEO-SA", "JP"}), withCodes({"WORLD"})});
  const Health health(b.table);
  expectQueries(b.table, health, b.profile,
                {{kCalifornia, Outcome::kAnswer, {0}},
                 {kNewYork, Outcome::kAnswer, {1}},
                 {kBrazil, Outcome::kAnswer, {3}},
                 {kJapan, Outcome::kAnswer, {3}},
                 {kIreland, Outcome::kAnswer, {4}},
                 // Not in the database, or a country Azure does not list: only WORLD applies.
                 {kNowhere, Outcome::kAnswer, {4}},
                 {kUnlisted, Outcome::kAnswer, {4}}});
}

// §8 case 9: E1 {IE} Degraded, E2 {GEO-EU} Online, no WORLD.
TEST(Geographic, Case9NoFailoverAndNoMatch) {
  const Built b = build(names(2), {withCodes({"IE"}), withCodes({"GEO-EU"})});
  Health health(b.table);
  health.set(0, kDegraded);
  expectQueries(b.table, health, b.profile,
                {{kIreland, Outcome::kAnswer, {0}},
                 {kBrazil, Outcome::kNoData, {}},
                 {kNowhere, Outcome::kNoData, {}},
                 {kFrance, Outcome::kAnswer, {1}}});
}

// §8 case 10: nested N1 {DE} whose child profile is Disabled (N1 Stopped), E2 {WORLD} Online.
TEST(Geographic, Case10StoppedVersusDisabled) {
  for (const bool n1Disabled : {false, true}) {
    SCOPED_TRACE(n1Disabled ? "N1 endpointStatus Disabled" : "N1 Stopped");
    TableBuilder builder;
    builder.setGeo(testing::csvLocator(kGeo));
    const ProfileId child = builder.addProfile(
        Profile{.method = Method::kPriority, .enabled = false}, {testing::nameEndpoint(1)});
    Endpoint n1 = testing::nestedEndpoint(child, 1);
    n1.enabled = !n1Disabled;
    PolicyInputs inputs;
    inputs.endpoints = {withCodes({"DE"}), withCodes({"WORLD"})};
    const ProfileId parent =
        builder.addProfile(geographic(), {n1, testing::nameEndpoint(2)}, inputs);
    const Table table = builder.build();
    const Health health(table);
    const EndpointId e2 = table.profiles[parent].firstEndpoint + 1;
    EXPECT_EQ(testing::statusOf(table, health, table.profiles[parent].firstEndpoint),
              n1Disabled ? kDisabled : kStopped);
    const Selection s = testing::routeFrom(table, health, parent, sourceClient(kGermany));
    if (n1Disabled) {
      // Disabled endpoints are removed before matching: DE is unmapped, WORLD answers.
      EXPECT_EQ(s.outcome, Outcome::kAnswer);
      EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{e2});
    } else {
      // Stopped: NODATA, no walk up to WORLD.
      EXPECT_EQ(s.outcome, Outcome::kNoData);
      EXPECT_EQ(s.count, 0);
    }
    // Other clients are unaffected either way.
    EXPECT_EQ(testing::endpointsOf(testing::routeFrom(table, health, parent, sourceClient(kJapan))),
              std::vector<EndpointId>{e2});
  }
}

TEST(Geographic, DisabledEndpointCodesBehaveAsUnmapped) {
  std::vector<Endpoint> endpoints = names(3);
  endpoints[0].enabled = false;
  const Built b =
      build(endpoints, {withCodes({"IE"}), withCodes({"GEO-EU"}), withCodes({"WORLD"})});
  const Health health(b.table);
  expectQueries(b.table, health, b.profile, {{kIreland, Outcome::kAnswer, {1}}});
}

TEST(Geographic, DegradedNestedMatchDescends) {
  // A Degraded match is served (no failover); a nested one still answers with its child's leaf.
  TableBuilder builder;
  builder.setGeo(testing::csvLocator(kGeo));
  const ProfileId child = builder.addProfile(testing::priorityProfile(),
                                             {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  PolicyInputs inputs;
  inputs.endpoints = {withCodes({"IE"}), withCodes({"WORLD"})};
  const ProfileId parent = builder.addProfile(
      geographic(), {testing::nestedEndpoint(child, 1, 2), testing::nameEndpoint(2)}, inputs);
  const Table table = builder.build();
  Health health(table);
  health.set(1, kDegraded);  // child's second endpoint: the rollup (min 2) is Degraded
  EXPECT_EQ(testing::statusOf(table, health, table.profiles[parent].firstEndpoint), kDegraded);
  const Selection s = testing::routeFrom(table, health, parent, sourceClient(kIreland));
  ASSERT_EQ(s.outcome, Outcome::kAnswer);
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{0});
}

TEST(Geographic, WithoutADatabaseOnlyWorldApplies) {
  const Built b = build(names(2), {withCodes({"IE"}), withCodes({"WORLD"})}, /*withGeo=*/false);
  const Health health(b.table);
  const Selection s = testing::routeFrom(b.table, health, b.profile, sourceClient(kIreland));
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{1});
  EXPECT_EQ(s.ecsScope, 0);
}

struct ScopeQuery {
  std::string name;
  ClientInfo client;
  Outcome outcome;
  std::vector<EndpointId> expected;
  int scope;
};

void expectScoped(const Table& table, const Health& health, ProfileId profile,
                  const std::vector<ScopeQuery>& queries) {
  for (const ScopeQuery& q : queries) {
    SCOPED_TRACE(q.name);
    for (const Family family : {Family::kV4, Family::kV6, Family::kAny, Family::kOther}) {
      const Selection s = testing::routeFrom(table, health, profile, q.client, family);
      EXPECT_EQ(s.outcome, q.outcome);
      EXPECT_EQ(testing::endpointsOf(s), q.expected);
      EXPECT_EQ(s.ecsScope, q.scope);
    }
  }
}

// RFC 7871 §7.2.1: the scope is the geolocation network's length, at most the source prefix.
TEST(Geographic, EcsScopeAndIpv6) {
  const Built b = build(names(3), {withCodes({"IE"}), withCodes({"US-CA"}), withCodes({"WORLD"})});
  const Health health(b.table);
  expectScoped(
      b.table, health, b.profile,
      {
          {"source in a /24", sourceClient(kIreland), Outcome::kAnswer, {0}, 24},
          {"ECS /24", ecsClient("198.51.100.0", 24), Outcome::kAnswer, {0}, 24},
          {"ECS /28 inside the /24", ecsClient("198.51.100.16", 28), Outcome::kAnswer, {0}, 24},
          {"ECS /20 wider than the network",
           ecsClient("198.51.96.0", 20),
           Outcome::kAnswer,
           {2},
           20},
          {"IPv6 source", sourceClient("2001:db8:1::5"), Outcome::kAnswer, {0}, 48},
          {"IPv6 ECS /56", ecsClient("2001:db8:2:100::", 56), Outcome::kAnswer, {1}, 48},
          {"IPv6 ECS /32", ecsClient("2001:db8::", 32), Outcome::kAnswer, {2}, 32},
          {"not located", sourceClient(kNowhere), Outcome::kAnswer, {2}, 2},
      });
}

TEST(Geographic, NoDataCarriesTheScope) {
  const Built b = build(names(1), {withCodes({"IE"})});
  const Health health(b.table);
  expectScoped(b.table, health, b.profile,
               {{"Japan, nothing mapped", ecsClient("192.0.2.0", 24), Outcome::kNoData, {}, 24}});
}

// §2.8: E1 {IE} also owns 203.0.113.0/25 (part of France) and 2001:db8:2::/48 as overrides.
TEST(Geographic, SubnetOverrideWinsRegardlessOfHealth) {
  const Built b = build(names(3), {withCodes({"IE"}, {"203.0.113.0/25", "2001:db8:2::/48"}),
                                   withCodes({"GEO-EU"}), withCodes({"WORLD"})});
  Health health(b.table);
  health.set(0, kDegraded);
  expectScoped(
      b.table, health, b.profile,
      {
          {"France in the override", sourceClient("203.0.113.5"), Outcome::kAnswer, {0}, 25},
          // Outside the override: the normal method; both lookups decided the answer.
          {"France outside it", sourceClient("203.0.113.200"), Outcome::kAnswer, {1}, 25},
          {"IPv6 override", ecsClient("2001:db8:2::", 48), Outcome::kAnswer, {0}, 48},
          {"Ireland, override gap", sourceClient(kIreland), Outcome::kAnswer, {0}, 24},
      });
}

TEST(Geographic, OverrideOfADisabledEndpointIsIgnored) {
  std::vector<Endpoint> endpoints = names(3);
  endpoints[0].enabled = false;
  const Built b = build(endpoints, {withCodes({"IE"}, {"203.0.113.0/25"}), withCodes({"GEO-EU"}),
                                    withCodes({"WORLD"})});
  const Health health(b.table);
  expectQueries(b.table, health, b.profile, {{"203.0.113.5", Outcome::kAnswer, {1}}});
}

TEST(Geographic, OverrideOfAStoppedEndpointIsNoData) {
  TableBuilder builder;
  builder.setGeo(testing::csvLocator(kGeo));
  const ProfileId child = builder.addProfile(Profile{.method = Method::kPriority, .enabled = false},
                                             {testing::nameEndpoint(1)});
  PolicyInputs inputs;
  inputs.endpoints = {withCodes({"IE"}, {"203.0.113.0/25"}), withCodes({"WORLD"})};
  const ProfileId parent = builder.addProfile(
      geographic(), {testing::nestedEndpoint(child, 1), testing::nameEndpoint(2)}, inputs);
  const Table table = builder.build();
  const Health health(table);
  EXPECT_EQ(testing::routeFrom(table, health, parent, sourceClient("203.0.113.5")).outcome,
            Outcome::kNoData);
}

}  // namespace
}  // namespace tmdns::routing
