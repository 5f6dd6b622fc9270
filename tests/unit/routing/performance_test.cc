// Unit tests for Performance routing (§2.4): §8 case 7, great-circle fallback, even spread,
// overrides (§2.8), unlocated clients, IPv6 and ECS scope.
#include "routing/performance.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::ecsClient;
using testing::Health;
using testing::regionEndpoint;
using testing::sourceClient;
using testing::TableBuilder;
using testing::withSubnets;
using Outcome = Selection::Outcome;
using enum MonitorStatus;

constexpr char kLatency[] =
    "network,region,rtt_ms\n"
    "198.51.100.0/24,West Europe,15\n"
    "198.51.100.0/24,East US,90\n"
    "2001:db8:1::/48,East US,20\n"
    "2001:db8:1::/48,West Europe,80\n"
    // The nearest region is one no endpoint is in: distance decides.
    "203.0.113.0/24,Brazil South,10\n";

constexpr char kGeo[] =
    "100.64.0.0/24,IE,,53.35,-6.26\n"     // Dublin
    "100.64.1.0/24,JP,,35.68,139.77\n"    // Tokyo
    "100.64.2.0/24,US,NY,40.71,-74.0\n"   // New York
    "203.0.113.0/24,BR,,-23.55,-46.63\n"  // São Paulo
    "100.64.3.0/24,DE\n";                 // located, but without coordinates

Profile performance() {
  return Profile{.method = Method::kPerformance};
}

struct Built {
  Table table;
  ProfileId profile;
};

Built build(const std::vector<Endpoint>& endpoints, bool latency, bool geo,
            std::vector<EndpointInputs> inputs = {}) {
  TableBuilder builder;
  if (latency) {
    builder.setLatency(testing::latencyTable(kLatency));
  }
  if (geo) {
    builder.setGeo(testing::csvLocator(kGeo));
  }
  PolicyInputs policyInputs;
  policyInputs.endpoints = std::move(inputs);
  const ProfileId id = builder.addProfile(performance(), endpoints, policyInputs);
  return Built{builder.build(), id};
}

struct Query {
  std::string name;
  ClientInfo client;
  std::vector<EndpointId> expected;
  int scope;
};

void expectQueries(const Built& b, const Health& health, const std::vector<Query>& queries) {
  for (const Query& q : queries) {
    SCOPED_TRACE(q.name);
    const Selection s = testing::routeFrom(b.table, health, b.profile, q.client);
    EXPECT_EQ(s.outcome, Outcome::kAnswer);
    EXPECT_EQ(testing::endpointsOf(s), q.expected);
    EXPECT_EQ(s.ecsScope, q.scope);
  }
}

// §8 case 7: E1 West Europe, E2 East US; the latency table puts 198.51.100.1 nearest West
// Europe, then East US.
TEST(Performance, Case7) {
  const Built b =
      build({regionEndpoint("West Europe", 1), regionEndpoint("East US", 2)}, true, false);
  Health health(b.table);
  const ClientInfo src = sourceClient("198.51.100.1");
  for (int q = 0; q < 50; ++q) {
    const Selection s = testing::routeFrom(b.table, health, b.profile, src);
    ASSERT_EQ(s.outcome, Outcome::kAnswer);
    ASSERT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{0});
    ASSERT_EQ(s.ecsScope, 24);
  }
  health.set(0, kDegraded);
  for (int q = 0; q < 50; ++q) {
    const Selection s = testing::routeFrom(b.table, health, b.profile, src);
    ASSERT_EQ(s.outcome, Outcome::kAnswer);
    ASSERT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{1});
  }
  // §2.1 fail-open: both Degraded => the nearest region again.
  health.set(1, kDegraded);
  EXPECT_EQ(testing::endpointsOf(testing::routeFrom(b.table, health, b.profile, src)),
            std::vector<EndpointId>{0});
}

TEST(Performance, LatencyTableIpv6AndEcs) {
  const Built b =
      build({regionEndpoint("West Europe", 1), regionEndpoint("East US", 2)}, true, false);
  const Health health(b.table);
  expectQueries(b, health,
                {
                    {"IPv6 source", sourceClient("2001:db8:1::5"), {1}, 48},
                    {"IPv6 ECS /56", ecsClient("2001:db8:1:100::", 56), {1}, 48},
                    {"IPv4 ECS /24", ecsClient("198.51.100.0", 24), {0}, 24},
                    {"IPv4 ECS /28", ecsClient("198.51.100.16", 28), {0}, 24},
                    // Only 16 bits were sent: never claim more.
                    {"IPv4 ECS /16", ecsClient("198.51.0.0", 16), {0}, 16},
                });
}

// Without a latency row: great-circle distance from the geolocated client to each region.
TEST(Performance, GreatCircleFallback) {
  const Built b = build({regionEndpoint("North Europe", 3), regionEndpoint("West Europe", 4),
                         regionEndpoint("East US", 2), regionEndpoint("Japan East", 1)},
                        false, true);
  Health health(b.table);
  expectQueries(b, health,
                {
                    {"Dublin", sourceClient("100.64.0.9"), {0}, 24},
                    {"Tokyo", sourceClient("100.64.1.9"), {3}, 24},
                    {"New York", sourceClient("100.64.2.9"), {2}, 24},
                    {"Sao Paulo", sourceClient("203.0.113.9"), {2}, 24},
                });
  // §2.4: the closest region has no candidate => the next closest (Tokyo: Amsterdam ~9,300 km,
  // Dublin ~9,600 km, Virginia ~10,900 km).
  health.set(3, kDegraded);
  expectQueries(b, health, {{"Tokyo, Japan East Degraded", sourceClient("100.64.1.9"), {1}, 24}});
}

TEST(Performance, LatencyRowWithoutAUsableRegionFallsBackToDistance) {
  const Built b =
      build({regionEndpoint("West Europe", 1), regionEndpoint("East US", 2)}, true, true);
  const Health health(b.table);
  // 203.0.113.0/24's only row entry is Brazil South: São Paulo is nearer Virginia than Amsterdam.
  expectQueries(b, health, {{"Sao Paulo", sourceClient("203.0.113.9"), {1}, 24}});
  // Not in the latency table at all: distance decides too, and both lookups shape the scope.
  expectQueries(b, health, {{"Dublin", sourceClient("100.64.0.9"), {0}, 24}});
}

// §2.4 says nothing about a client nobody can place; ours get the Priority-order answer.
TEST(Performance, UnlocatedClientsGetTheLowestPriorityNumber) {
  const Built b = build({regionEndpoint("West Europe", 2), regionEndpoint("East US", 1),
                         regionEndpoint("Japan East", 3)},
                        true, true);
  Health health(b.table);
  expectQueries(b, health,
                {
                    {"in no table", sourceClient("8.8.8.8"), {1}, 2},
                    {"located without coordinates", sourceClient("100.64.3.1"), {1}, 24},
                    {"no address", ClientInfo{}, {1}, 0},
                });
  health.set(1, kDegraded);
  expectQueries(b, health, {{"in no table, p1 Degraded", sourceClient("8.8.8.8"), {0}, 2}});
  // Without any data every client is unlocated, and the answer does not depend on it.
  const Built bare =
      build({regionEndpoint("West Europe", 2), regionEndpoint("East US", 1)}, false, false);
  const Health bareHealth(bare.table);
  expectQueries(bare, bareHealth, {{"no data", ecsClient("198.51.100.0", 24), {1}, 0}});
}

// §2.4: several candidates in the nearest region share its traffic evenly, per client network,
// and one network always gets the same one.
TEST(Performance, SpreadsEvenlyWithinARegionAndStaysPut) {
  std::string latency;
  for (int n = 0; n < 256; ++n) {
    latency += "10.0." + std::to_string(n) + ".0/24,West Europe,5\n";
    latency += "10.0." + std::to_string(n) + ".0/24,East US,70\n";
  }
  TableBuilder builder;
  builder.setLatency(testing::latencyTable(latency));
  const ProfileId id = builder.addProfile(
      performance(), {regionEndpoint("West Europe", 1), regionEndpoint("East US", 2),
                      regionEndpoint("West Europe", 3), regionEndpoint("West Europe", 4)});
  const Table table = builder.build();
  Health health(table);
  std::map<EndpointId, int> counts;
  for (int n = 0; n < 256; ++n) {
    const std::string net = "10.0." + std::to_string(n) + ".";
    const Selection first = testing::routeFrom(table, health, id, sourceClient(net + "1"));
    ASSERT_EQ(first.count, 1);
    ++counts[first.endpoints[0]];
    // Every address of the network (the answer's scope) gets the same answer.
    for (const char* host : {"7", "128", "255"}) {
      const Selection again = testing::routeFrom(table, health, id, sourceClient(net + host));
      ASSERT_EQ(testing::endpointsOf(again), testing::endpointsOf(first)) << net << host;
      ASSERT_EQ(again.ecsScope, 24);
    }
  }
  EXPECT_EQ(counts.count(1), 0u);  // East US is farther
  for (const EndpointId e : {0u, 2u, 3u}) {
    EXPECT_GT(counts[e], 256 / 3 - 30) << e;
    EXPECT_LT(counts[e], 256 / 3 + 30) << e;
  }
  // One of them Degraded: its share goes to the others of the region, not to East US.
  health.set(2, kDegraded);
  for (int n = 0; n < 256; ++n) {
    const Selection s =
        testing::routeFrom(table, health, id, sourceClient("10.0." + std::to_string(n) + ".1"));
    ASSERT_TRUE(s.endpoints[0] == 0 || s.endpoints[0] == 3) << n;
  }
}

// §2.8: an override is used only while its endpoint is healthy.
TEST(Performance, SubnetOverrideOnlyWhenHealthy) {
  const Built b = build({regionEndpoint("West Europe", 1), regionEndpoint("East US", 2)}, true,
                        false, {{}, withSubnets({"198.51.100.0/25", "2001:db8:1::/64"})});
  Health health(b.table);
  expectQueries(b, health,
                {
                    {"in the override", sourceClient("198.51.100.1"), {1}, 25},
                    {"outside it", sourceClient("198.51.100.200"), {0}, 25},
                    {"IPv6 in the override", sourceClient("2001:db8:1::1"), {1}, 64},
                });
  health.set(1, kDegraded);
  expectQueries(b, health, {{"override Degraded", sourceClient("198.51.100.1"), {0}, 25}});
}

}  // namespace
}  // namespace tmdns::routing
