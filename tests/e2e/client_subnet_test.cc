// Subnet routing through the real server (traffic-manager.md §2.7, §3.4, §8 case 12): the ECS
// client subnet, else the query's source address, picks the endpoint owning it; the fallback
// takes the rest; ECS scopes; IPv6; the zone's subnet_no_match / subnet_unhealthy answers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/client_harness.h"

namespace tmdns::e2e::client {
namespace {

const std::string kOffice = "office.tm.example.test.";

// §8 case 12, plus loopback ranges so that the query's source address (dig -b) can be any of
// them: e1 owns 198.51.100.0/24, 2001:db8:1::/48 and 127.0.0.0/29; e2 owns 203.0.113.5-9,
// 127.0.0.10-12 and ::1; e3 has no ranges and takes everything else.
std::string officeConfig(const std::string& e1Status) {
  return clientConfig("",
                      {tmZone({profileYaml(
                          "office", "Subnet",
                          {endpointYaml("e1", "e1.example.test",
                                        "endpointStatus: " + e1Status +
                                            ", subnets: [{first: 198.51.100.0, scope: 24}, "
                                            "{first: \"2001:db8:1::\", scope: 48}, "
                                            "{first: 127.0.0.0, scope: 29}]"),
                           endpointYaml("e2", "e2.example.test",
                                        "subnets: [{first: 203.0.113.5, last: 203.0.113.9}, "
                                        "{first: 127.0.0.10, last: 127.0.0.12}, {first: \"::1\"}]"),
                           endpointYaml("e3", "e3.example.test")})})});
}

Answer to(const std::string& endpoint, int scope = -1) {
  return positive({cname(kOffice, endpoint + ".example.test.")}, scope);
}

TEST(ClientSubnet, Case12EcsElseSourceAddressPicksTheOwnerOrTheFallback) {
  Server s;
  s.writeConfig(officeConfig("Enabled"));
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();

  // ECS: scope = the matched range's block, never longer than the SOURCE PREFIX-LENGTH.
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("198.51.100.7/32"), to("e1", 24)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("198.51.100.0/24"), to("e1", 24)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("198.51.100.0/22"), to("e1", 22)));
  // 203.0.113.5-9: .5 is alone in its aligned block, .6-.7 and .8-.9 are /31s.
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.6/32"), to("e2", 31)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.5/32"), to("e2", 32)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.8/32"), to("e2", 31)));
  // Just outside the range: .4 shares no aligned block with it beyond /32, .10-.11 is a /31.
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.4/32"), to("e3", 32)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.10/32"), to("e3", 31)));
  // 192.0.0.0/6 (192-195.x) holds no range; 192.0.0.0/5 would hold 198.51.100.0/24.
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("192.0.2.1/32"), to("e3", 6)));
  EXPECT_TRUE(routes(v4, kOffice, "AAAA", ecs("198.51.100.0/24"), to("e1", 24)));

  // No ECS: the source address decides.
  EXPECT_TRUE(routes(v4, kOffice, "A", {}, to("e1")));  // 127.0.0.1
  EXPECT_TRUE(routes(v4, kOffice, "A", source("127.0.0.7"), to("e1")));
  EXPECT_TRUE(routes(v4, kOffice, "A", source("127.0.0.11"), to("e2")));
  EXPECT_TRUE(routes(v4, kOffice, "A", source("127.0.0.20"), to("e3")));
  // ECS beats the source address (§8 case 12: src 192.0.2.1 with ECS 198.51.100.0/24 => E1).
  EXPECT_TRUE(routes(v4, kOffice, "A", ecsFrom("198.51.100.0/24", "127.0.0.20"), to("e1", 24)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecsFrom("192.0.2.0/24", "127.0.0.7"), to("e3", 6)));
  // RFC 7871 §7.1.2: SOURCE PREFIX-LENGTH 0 gives no client address; the source decides and
  // the scope is 0.
  EXPECT_TRUE(routes(v4, kOffice, "A", ecsFrom("0.0.0.0/0", "127.0.0.11"), to("e2", 0)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecsFrom("0.0.0.0/0", "127.0.0.7"), to("e1", 0)));

  // The same through the ldns client, checking the echoed option byte for byte.
  EXPECT_TRUE(routesWire(v4, kOffice, LDNS_RR_TYPE_A, "198.51.100.0", 24, to("e1", 24)));
  EXPECT_TRUE(routesWire(v4, kOffice, LDNS_RR_TYPE_A, "203.0.113.6", 32, to("e2", 31)));
  EXPECT_TRUE(routesWire(v4, kOffice, LDNS_RR_TYPE_A, "192.0.2.0", 24, to("e3", 6)));
}

TEST(ClientSubnet, Ipv6EcsAndIpv6TransportRouteOnTheIpv6Address) {
  Server s;
  s.writeConfig(officeConfig("Enabled"));
  ASSERT_TRUE(s.start());

  for (const Address& server : {s.v4(), s.v6()}) {
    SCOPED_TRACE(server.hostPort());
    EXPECT_TRUE(routes(server, kOffice, "A", ecs("2001:db8:1::/48"), to("e1", 48)));
    EXPECT_TRUE(routes(server, kOffice, "AAAA", ecs("2001:db8:1:ab00::/56"), to("e1", 48)));
    EXPECT_TRUE(routes(server, kOffice, "A", ecs("2001:db8:1::1/128"), to("e1", 48)));
    // 2001:db8:2::/47 (2::-3:ffff...) holds no range; the /46 would hold 2001:db8:1::/48.
    EXPECT_TRUE(routes(server, kOffice, "A", ecs("2001:db8:2::/48"), to("e3", 47)));
    EXPECT_TRUE(routesWire(server, kOffice, LDNS_RR_TYPE_A, "2001:db8:1::", 48, to("e1", 48)));
    // An IPv4 client subnet over either transport.
    EXPECT_TRUE(routes(server, kOffice, "A", ecs("198.51.100.0/24"), to("e1", 24)));
  }
  // Over IPv6 without ECS the source ::1 decides: e2 owns it.
  const Address v6 = s.v6();
  EXPECT_TRUE(routes(v6, kOffice, "A", {}, to("e2")));
  EXPECT_TRUE(routes(v6, kOffice, "A", source("::1"), to("e2")));
  EXPECT_TRUE(routes(v6, kOffice, "A", ecsFrom("::/0", "::1"), to("e2", 0)));
  // ...and over IPv4 the source 127.0.0.1 (e1).
  EXPECT_TRUE(routes(s.v4(), kOffice, "A", {}, to("e1")));
}

TEST(ClientSubnet, DisabledOwnerVanishesWithItsRanges) {
  // §8 case 12: with E1 Disabled, src 198.51.100.7 => E3 (the fallback); e2 is untouched. The
  // ECS scopes of E1's former clients are checked in DisabledOwnersRangesDoNotNarrowTheScope.
  Server s;
  s.writeConfig(officeConfig("Enabled"));
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  ASSERT_TRUE(routes(v4, kOffice, "A", source("127.0.0.7"), to("e1")));

  s.writeConfig(officeConfig("Disabled"));
  ASSERT_EQ(s.reload(), std::optional<bool>(true)) << s.log();
  EXPECT_TRUE(routes(v4, kOffice, "A", source("127.0.0.7"), to("e3")));
  EXPECT_TRUE(routes(v4, kOffice, "A", source("127.0.0.1"), to("e3")));
  EXPECT_TRUE(routes(v4, kOffice, "A", {}, to("e3")));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.6/32"), to("e2", 31)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("203.0.113.10/32"), to("e3", 31)));
  EXPECT_TRUE(routes(v4, kOffice, "A", source("127.0.0.11"), to("e2")));
  EXPECT_TRUE(routes(s.v6(), kOffice, "A", {}, to("e2")));
}

TEST(ClientSubnet, DisabledOwnersRangesDoNotNarrowTheScope) {
  // docs/routing-methods.md: a Disabled endpoint "is treated as if it and its ranges did not
  // exist", and the scope is "the shortest prefix that still decides the answer". Without e1's
  // ranges, 198.51.100.7 and 192.0.2.1 lie in the gap 192.0.0.0/5 (192-199.x; /4 would hold
  // 203.0.113.5-9), and 2001:db8:1:: in the gap 2000::/3 (/2 would hold ::1).
  Server s;
  s.writeConfig(clientConfig(
      "", {tmZone({profileYaml("office", "Subnet",
                               {endpointYaml("e1", "e1.example.test",
                                             "endpointStatus: Disabled, subnets: ["
                                             "{first: 198.51.100.0, scope: 24}, "
                                             "{first: \"2001:db8:1::\", scope: 48}, "
                                             "{first: 127.0.0.0, scope: 29}]"),
                                endpointYaml("e2", "e2.example.test",
                                             "subnets: [{first: 203.0.113.5, last: 203.0.113.9}, "
                                             "{first: 127.0.0.10, last: 127.0.0.12}, "
                                             "{first: \"::1\"}]"),
                                endpointYaml("e3", "e3.example.test")}),
                   // No fallback: the Disabled owner's clients match nothing (NODATA).
                   profileYaml("lonely", "Subnet",
                               {endpointYaml("e1", "e1.example.test",
                                             "endpointStatus: Disabled, "
                                             "subnets: [{first: 198.51.100.0, scope: 24}]"),
                                endpointYaml("e2", "e2.example.test",
                                             "subnets: [{first: 203.0.113.0, scope: 24}]")})})}));
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("198.51.100.7/32"), to("e3", 5)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("198.51.100.0/24"), to("e3", 5)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("192.0.2.1/32"), to("e3", 5)));
  EXPECT_TRUE(routes(v4, kOffice, "A", ecs("2001:db8:1::/48"), to("e3", 3)));
  // 192.0.0.0/5 again: without e1's range only 203.0.113.0/24 is left.
  EXPECT_TRUE(
      routes(v4, "lonely.tm.example.test.", "A", ecs("198.51.100.0/24"), nodata(kNegativeSoa, 5)));
}

// Three zones: subnet_no_match / subnet_unhealthy given as nodata / nxdomain, the other way
// round, and left at their defaults (nodata / nxdomain).
const std::vector<std::pair<std::string, std::string>> kZoneSettings = {
    {"tm.example.test", "subnet_no_match: nodata\nsubnet_unhealthy: nxdomain"},
    {"swap.example.test", "subnet_no_match: nxdomain\nsubnet_unhealthy: nodata"},
    {"default.example.test", ""},
};

TEST(ClientSubnet, NoMatchWithoutFallbackAnswersTheZonesSubnetNoMatch) {
  std::vector<ZoneYaml> zones;
  for (const auto& [zone, settings] : kZoneSettings) {
    // No fallback endpoint; in "strict-dis" the owner of 198.51.100.0/24 and 127.0.0.0/29 is
    // Disabled.
    const std::string label = zone.substr(0, zone.find('.'));
    const auto strict = [&](const std::string& relativeName, const std::string& e1Status) {
      return profileYaml(
          relativeName + "-" + label, "Subnet",
          {endpointYaml(
               "e1", "e1.example.test",
               "endpointStatus: " + e1Status +
                   ", subnets: [{first: 198.51.100.0, scope: 24}, {first: 127.0.0.0, scope: 29}]"),
           endpointYaml("e2", "e2.example.test", "subnets: [{first: 203.0.113.0, scope: 24}]")},
          "", relativeName);
    };
    zones.push_back(
        zoneYaml(zone, settings, {strict("strict", "Enabled"), strict("strict-dis", "Disabled")}));
  }
  Server s;
  s.writeConfig(clientConfig("", zones));
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();

  for (const auto& [zone, settings] : kZoneSettings) {
    SCOPED_TRACE(zone);
    const std::string name = "strict." + zone + ".";
    const std::string dis = "strict-dis." + zone + ".";
    const bool nx = zone == "swap.example.test";
    const auto noMatch = [&](int scope) {
      return nx ? nxdomain(negativeSoa(zone), scope) : nodata(negativeSoa(zone), scope);
    };
    EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/24"),
                       positive({cname(name, "e1.example.test.")}, 24)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("203.0.113.0/24"),
                       positive({cname(name, "e2.example.test.")}, 24)));
    // 192.0.0.0/6 holds no range.
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), noMatch(6)));
    EXPECT_TRUE(routes(v4, name, "AAAA", ecs("192.0.2.0/24"), noMatch(6)));
    // No IPv6 range at all: the answer holds for every IPv6 client.
    EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8::/48"), noMatch(0)));
    // No ECS: 127.0.0.1 is e1's, 127.0.0.20 and ::1 are in no range.
    const Answer plain = nx ? nxdomain(negativeSoa(zone)) : nodata(negativeSoa(zone));
    EXPECT_TRUE(routes(v4, name, "A", {}, positive({cname(name, "e1.example.test.")})));
    EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.20"), plain));
    EXPECT_TRUE(routes(s.v6(), name, "A", {}, plain));
    // The Disabled owner's ranges are no ranges (§2.7): no match either. (Asked from its
    // loopback range; ECS scopes here: DisabledOwnersRangesDoNotNarrowTheScope.)
    EXPECT_TRUE(routes(v4, dis, "A", source("127.0.0.1"), plain));
    EXPECT_TRUE(routes(v4, dis, "A", source("127.0.0.7"), plain));
    EXPECT_TRUE(routes(v4, dis, "A", ecs("203.0.113.0/24"),
                       positive({cname(dis, "e2.example.test.")}, 24)));
  }
}

TEST(ClientSubnet, UnhealthyOwnerOrFallbackAnswersTheZonesSubnetUnhealthy) {
  // Real TCP probes on loopback: e1 listens, e2 and e3 (and both of "down") refuse connections.
  Backends backends({"127.0.0.101"});
  ASSERT_TRUE(backends.ok());
  const std::string monitor = tcpMonitor(backends.port());
  std::vector<ZoneYaml> zones;
  for (const auto& [zone, settings] : kZoneSettings) {
    const std::string label = zone.substr(0, zone.find('.'));
    zones.push_back(zoneYaml(
        zone, settings,
        {profileYaml(
            "sick-" + label, "Subnet",
            {endpointYaml("e1", "127.0.0.101", "subnets: [{first: 198.51.100.0, scope: 24}]"),
             endpointYaml("e2", "127.0.0.102", "subnets: [{first: 203.0.113.0, scope: 24}]"),
             endpointYaml("e3", "127.0.0.103")},
            "", "sick", monitor)}));
  }
  // Every endpoint Degraded: fail-open serves the owner (§2.1).
  zones[0].profiles.push_back(
      profileYaml("down", "Subnet",
                  {endpointYaml("e1", "127.0.0.104", "subnets: [{first: 198.51.100.0, scope: 24}]"),
                   endpointYaml("e2", "127.0.0.105", "subnets: [{first: 203.0.113.0, scope: 24}]")},
                  "", "down", monitor));
  Server s;
  s.writeConfig(clientConfig("probes: {enabled: true}", zones));
  ASSERT_TRUE(s.start());
  for (const auto& [zone, settings] : kZoneSettings) {
    const std::string label = "sick-" + zone.substr(0, zone.find('.'));
    ASSERT_TRUE(waitForStatus(s, label + "/e1", "CheckingEndpoint", "Online"));
    ASSERT_TRUE(waitForStatus(s, label + "/e2", "CheckingEndpoint", "Degraded"));
    ASSERT_TRUE(waitForStatus(s, label + "/e3", "CheckingEndpoint", "Degraded"));
  }
  ASSERT_TRUE(waitForStatus(s, "down/e1", "CheckingEndpoint", "Degraded"));
  ASSERT_TRUE(waitForStatus(s, "down/e2", "CheckingEndpoint", "Degraded"));
  const Address v4 = s.v4();

  for (const auto& [zone, settings] : kZoneSettings) {
    SCOPED_TRACE(zone);
    const std::string name = "sick." + zone + ".";
    const bool nodataWhenUnhealthy = zone == "swap.example.test";
    const auto unhealthy = [&](int scope) {
      return nodataWhenUnhealthy ? nodata(negativeSoa(zone), scope)
                                 : nxdomain(negativeSoa(zone), scope);
    };
    EXPECT_TRUE(
        routes(v4, name, "A", ecs("198.51.100.0/24"), positive({a(name, "127.0.0.101")}, 24)));
    // The owner of 203.0.113.0/24 is Degraded: no failover, not even to the fallback.
    EXPECT_TRUE(routes(v4, name, "A", ecs("203.0.113.0/24"), unhealthy(24)));
    EXPECT_TRUE(routesWire(v4, name, LDNS_RR_TYPE_A, "203.0.113.77", 32, unhealthy(24)));
    // The fallback e3 is Degraded: an unmatched client gets the same negative answer.
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), unhealthy(6)));
    EXPECT_TRUE(
        routes(v4, name, "A", {},
               nodataWhenUnhealthy ? nodata(negativeSoa(zone)) : nxdomain(negativeSoa(zone))));
  }
  const std::string down = "down.tm.example.test.";
  EXPECT_TRUE(routes(v4, down, "A", ecs("203.0.113.0/24"), positive({a(down, "127.0.0.105")}, 24)));
  EXPECT_TRUE(
      routes(v4, down, "A", ecs("198.51.100.0/24"), positive({a(down, "127.0.0.104")}, 24)));
  // Fail-open serves owners only: the unmatched client still has no endpoint.
  EXPECT_TRUE(routes(v4, down, "A", ecs("192.0.2.0/24"), nodata(kNegativeSoa, 6)));
}

}  // namespace
}  // namespace tmdns::e2e::client
