// Unit tests for Subnet routing (§2.7): §8 case 12, both negative settings, IPv6, ECS scope.
#include "routing/subnet.h"

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
using testing::withSubnets;
using Outcome = Selection::Outcome;
using enum MonitorStatus;

// §8 case 12: E1 198.51.100.0/24, E2 203.0.113.5-203.0.113.9, E3 no subnets (the fallback).
// E1 also owns 2001:db8:1::/48 for the IPv6 cases.
struct Case12 {
  Table table;
  ProfileId profile = 0;
  EndpointId e1 = 0, e2 = 1, e3 = 2;
};

Case12 buildCase12(bool e1Enabled = true) {
  TableBuilder builder;
  Endpoint e1 = testing::nameEndpoint(1);
  e1.enabled = e1Enabled;
  PolicyInputs inputs;
  inputs.endpoints = {withSubnets({"198.51.100.0/24", "2001:db8:1::/48"}),
                      withSubnets({"203.0.113.5-203.0.113.9"}),
                      {}};
  Case12 c;
  c.profile = builder.addProfile(Profile{.method = Method::kSubnet},
                                 {e1, testing::nameEndpoint(2), testing::nameEndpoint(3)}, inputs);
  c.table = builder.build();
  return c;
}

struct Query {
  std::string name;
  ClientInfo client;
  EndpointId expected;
  int scope;
};

TEST(Subnet, Case12) {
  const Case12 c = buildCase12();
  const Health health(c.table);
  const std::vector<Query> queries = {
      {"src 198.51.100.7 => E1", sourceClient("198.51.100.7"), c.e1, 24},
      {"src 203.0.113.6 => E2", sourceClient("203.0.113.6"), c.e2, 31},
      {"src 192.0.2.1 => E3", sourceClient("192.0.2.1"), c.e3, 6},
      // dns/ routes on the ECS subnet instead of the source when the query carries one.
      {"src 192.0.2.1 with ECS 198.51.100.0/24 => E1", ecsClient("198.51.100.0", 24), c.e1, 24},
  };
  for (const Query& q : queries) {
    SCOPED_TRACE(q.name);
    for (const Family family : {Family::kV4, Family::kV6, Family::kAny}) {
      const Selection s = testing::routeFrom(c.table, health, c.profile, q.client, family);
      ASSERT_EQ(s.outcome, Outcome::kAnswer);
      EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{q.expected});
      EXPECT_EQ(s.ecsScope, q.scope);
    }
  }
}

TEST(Subnet, Case12DisabledOwnerFallsBack) {
  const Case12 c = buildCase12(false);
  const Health health(c.table);
  const Selection s = testing::routeFrom(c.table, health, c.profile, sourceClient("198.51.100.7"));
  ASSERT_EQ(s.outcome, Outcome::kAnswer);
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{c.e3});
  // Unchanged elsewhere.
  EXPECT_EQ(testing::endpointsOf(
                testing::routeFrom(c.table, health, c.profile, sourceClient("203.0.113.9"))),
            std::vector<EndpointId>{c.e2});
}

TEST(Subnet, Ipv6SourcesAndEcs) {
  const Case12 c = buildCase12();
  const Health health(c.table);
  const std::vector<Query> queries = {
      {"IPv6 source in E1's /48", sourceClient("2001:db8:1:2::3"), c.e1, 48},
      {"IPv6 ECS /56 inside the /48", ecsClient("2001:db8:1:ff00::", 56), c.e1, 48},
      {"IPv6 source elsewhere", sourceClient("2001:db8:2::1"), c.e3, 47},
      // The /32 ECS prefix's network address is outside the /48: the fallback, and the scope
      // never claims more than the 32 bits the resolver sent.
      {"IPv6 ECS /32 covering the /48", ecsClient("2001:db8::", 32), c.e3, 32},
      {"IPv6 ECS /0 is not routed on", ecsClient("::", 0), c.e3, 0},
  };
  for (const Query& q : queries) {
    SCOPED_TRACE(q.name);
    const Selection s = testing::routeFrom(c.table, health, c.profile, q.client, Family::kV6);
    ASSERT_EQ(s.outcome, Outcome::kAnswer);
    EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{q.expected});
    EXPECT_EQ(s.ecsScope, q.scope);
  }
}

TEST(Subnet, ScopeNeverExceedsTheSourcePrefix) {
  const Case12 c = buildCase12();
  const Health health(c.table);
  // 203.0.113.0/24 as ECS: its network address 203.0.113.0 is outside 5-9, in a gap whose block
  // around .0 is a /30; the resolver only sent 24 bits, so the scope is 24.
  const Selection s = testing::routeFrom(c.table, health, c.profile, ecsClient("203.0.113.0", 24));
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{c.e3});
  EXPECT_EQ(s.ecsScope, 24);
}

TEST(Subnet, ClientWithoutAddressGetsTheFallback) {
  const Case12 c = buildCase12();
  const Health health(c.table);
  const Selection s = testing::routeFrom(c.table, health, c.profile, ClientInfo{});
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{c.e3});
  EXPECT_EQ(s.ecsScope, 0);
}

// §2.7 CONFLICT, §3.5: both negative situations, under both settings.
struct NegativeCase {
  std::string name;
  bool fallback;
  Outcome noMatch, unhealthy;
  std::string client;
  std::vector<MonitorStatus> probed;  // E1, E2[, E3]
  Outcome expected;
  int scope;
};

TEST(Subnet, NegativeSettings) {
  const std::vector<NegativeCase> cases = {
      {"no match, no fallback, NODATA setting",
       false,
       Outcome::kNoData,
       Outcome::kNxDomain,
       "192.0.2.1",
       {kOnline, kOnline},
       Outcome::kNoData,
       6},
      {"no match, no fallback, NXDOMAIN setting",
       false,
       Outcome::kNxDomain,
       Outcome::kNoData,
       "192.0.2.1",
       {kOnline, kOnline},
       Outcome::kNxDomain,
       6},
      {"matched owner Degraded, NXDOMAIN setting",
       false,
       Outcome::kNoData,
       Outcome::kNxDomain,
       "198.51.100.7",
       {kDegraded, kOnline},
       Outcome::kNxDomain,
       24},
      {"matched owner Degraded, NODATA setting",
       false,
       Outcome::kNxDomain,
       Outcome::kNoData,
       "198.51.100.7",
       {kDegraded, kOnline},
       Outcome::kNoData,
       24},
      {"matched owner Stopped counts as unhealthy",
       true,
       Outcome::kNoData,
       Outcome::kNxDomain,
       "198.51.100.7",
       {kStopped, kOnline, kOnline},
       Outcome::kNxDomain,
       24},
      {"no failover to the fallback when the owner is Degraded",
       true,
       Outcome::kNoData,
       Outcome::kNoData,
       "198.51.100.7",
       {kDegraded, kOnline, kOnline},
       Outcome::kNoData,
       24},
      {"fallback Degraded is unhealthy too",
       true,
       Outcome::kNxDomain,
       Outcome::kNoData,
       "192.0.2.1",
       {kOnline, kOnline, kDegraded},
       Outcome::kNoData,
       6},
  };
  for (const NegativeCase& c : cases) {
    SCOPED_TRACE(c.name);
    TableBuilder builder;
    PolicyInputs inputs;
    inputs.endpoints = {withSubnets({"198.51.100.0/24"}), withSubnets({"203.0.113.0/24"})};
    std::vector<Endpoint> endpoints = {testing::nameEndpoint(1), testing::nameEndpoint(2)};
    if (c.fallback) {
      endpoints.push_back(testing::nameEndpoint(3));
      inputs.endpoints.emplace_back();
    }
    inputs.subnetNoMatch = c.noMatch;
    inputs.subnetUnhealthy = c.unhealthy;
    const ProfileId id = builder.addProfile(Profile{.method = Method::kSubnet}, endpoints, inputs);
    const Table table = builder.build();
    Health health(table);
    for (size_t i = 0; i < c.probed.size(); ++i) {
      health.set(static_cast<EndpointId>(i), c.probed[i]);
    }
    const Selection s = testing::routeFrom(table, health, id, sourceClient(c.client));
    EXPECT_EQ(s.outcome, c.expected);
    EXPECT_EQ(s.count, 0);
    // A negative answer depends on the client just as much: it carries the scope too.
    EXPECT_EQ(s.ecsScope, c.scope);
  }
}

TEST(Subnet, DisabledOwnerWithoutFallbackIsNoMatch) {
  TableBuilder builder;
  Endpoint e1 = testing::nameEndpoint(1);
  e1.enabled = false;
  PolicyInputs inputs;
  inputs.endpoints = {withSubnets({"198.51.100.0/24"}), withSubnets({"203.0.113.0/24"})};
  inputs.subnetNoMatch = Outcome::kNxDomain;
  inputs.subnetUnhealthy = Outcome::kNoData;
  const ProfileId id = builder.addProfile(Profile{.method = Method::kSubnet},
                                          {e1, testing::nameEndpoint(2)}, inputs);
  const Table table = builder.build();
  const Health health(table);
  EXPECT_EQ(testing::routeFrom(table, health, id, sourceClient("198.51.100.7")).outcome,
            Outcome::kNxDomain);
}

// §2.1 fail-open: when every endpoint is Degraded, the owner is served after all.
TEST(Subnet, FailOpenServesTheOwner) {
  const Case12 c = buildCase12();
  Health health(c.table);
  for (const EndpointId id : {c.e1, c.e2, c.e3}) {
    health.set(id, kDegraded);
  }
  const Selection s = testing::routeFrom(c.table, health, c.profile, sourceClient("203.0.113.7"));
  ASSERT_EQ(s.outcome, Outcome::kAnswer);
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{c.e2});
}

TEST(Subnet, AllDisabledIsNxDomain) {
  TableBuilder builder;
  Endpoint e = testing::nameEndpoint(1);
  e.enabled = false;
  PolicyInputs inputs;
  inputs.endpoints = {withSubnets({"198.51.100.0/24"})};
  inputs.subnetNoMatch = Outcome::kNoData;
  const ProfileId id = builder.addProfile(Profile{.method = Method::kSubnet}, {e}, inputs);
  const Table table = builder.build();
  const Health health(table);
  EXPECT_EQ(testing::routeFrom(table, health, id, sourceClient("198.51.100.7")).outcome,
            Outcome::kNxDomain);  // §3.5: all endpoints disabled
}

}  // namespace
}  // namespace tmdns::routing
