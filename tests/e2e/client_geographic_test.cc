// Geographic routing through the real server (traffic-manager.md §2.5, §2.8, §8 cases 8, 9, 10):
// the most specific mapped code of where the ECS subnet or source address is wins, whatever its
// health; Stopped matches and unmapped clients are NODATA; subnet overrides; nested profiles.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/client_harness.h"

namespace tmdns::e2e::client {
namespace {

const std::string kGeo = "geo.tm.example.test.";

Server& startWith(Server& s, const std::string& top, const std::vector<std::string>& profiles) {
  s.dir().write("geo.csv", kGeoCsv);
  s.writeConfig(clientConfig("geoip: {csv: geo.csv}\n" + top, {tmZone(profiles)}));
  return s;
}

TEST(ClientGeographic, Case8MostSpecificMappedCodeWins) {
  // §8 case 8: E1 {IE}, E2 {GEO-EU}, E3 {WORLD}, E4 {US-CA}.
  Server s;
  startWith(s, "",
            {profileYaml("geo", "Geographic",
                         {endpointYaml("e1", "ie.example.test", "geoMapping: [IE]"),
                          endpointYaml("e2", "eu.example.test", "geoMapping: [GEO-EU]"),
                          endpointYaml("e3", "world.example.test", "geoMapping: [WORLD]"),
                          endpointYaml("e4", "ca.example.test", "geoMapping: [US-CA]")})});
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const auto to = [](const std::string& target, int scope = -1) {
    return positive({cname(kGeo, target + ".example.test.")}, scope);
  };

  // ECS; the scope is the database network's length, capped at the SOURCE PREFIX-LENGTH.
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.0/24"), to("ie", 24)));     // Ireland
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.77/32"), to("ie", 24)));    // Ireland
  EXPECT_TRUE(routes(v4, kGeo, "AAAA", ecs("198.51.100.0/24"), to("ie", 24)));  // Ireland
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("203.0.113.0/24"), to("eu", 24)));      // France
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.2.0/24"), to("eu", 24)));       // Germany
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("192.0.2.0/24"), to("world", 24)));     // Japan
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.1.0/24"), to("world", 24)));    // Brazil
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.0.0/24"), to("ca", 24)));       // California
  // New York: US-NY, US, GEO-NA are unmapped; WORLD answers. Its network is a /25.
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.3.0/25"), to("world", 25)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.3.0/24"), to("world", 24)));
  // Unknown to the database: only WORLD matches. 0.0.0.0/2 holds no network of the database.
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("10.0.0.0/8"), to("world", 2)));
  // IPv6 client subnets.
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("2001:db8:1::/48"), to("eu", 48)));     // Germany
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("2001:db8:2::/56"), to("world", 48)));  // Japan
  EXPECT_TRUE(routesWire(v4, kGeo, LDNS_RR_TYPE_A, "198.51.100.0", 24, to("ie", 24)));
  EXPECT_TRUE(routesWire(v4, kGeo, LDNS_RR_TYPE_A, "2001:db8:1::", 48, to("eu", 48)));

  // No ECS: the source address is located.
  EXPECT_TRUE(routes(v4, kGeo, "A", {}, to("ie")));  // 127.0.0.1
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.9"), to("eu")));
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.17"), to("world")));
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.25"), to("eu")));
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.33"), to("ca")));
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.50"), to("world")));
  EXPECT_TRUE(routes(s.v6(), kGeo, "A", {}, to("ca")));  // ::1
  // ECS beats the source; a /0 ECS leaves the decision to the source, with scope 0.
  EXPECT_TRUE(routes(v4, kGeo, "A", ecsFrom("192.0.2.0/24", "127.0.0.33"), to("world", 24)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecsFrom("0.0.0.0/0", "127.0.0.33"), to("ca", 0)));
  EXPECT_TRUE(routes(s.v6(), kGeo, "A", ecs("203.0.113.0/24"), to("eu", 24)));
}

TEST(ClientGeographic, Case9DegradedMatchIsStillServedAndUnmappedIsNodata) {
  // §8 case 9: E1 {IE} Degraded, E2 {GEO-EU} Online, no WORLD. E1 also overrides
  // 203.0.113.0/25 (French clients): an override wins regardless of health too (§2.8).
  // Real TCP probes: e2 listens on loopback, e1's address refuses connections.
  Backends backends({"127.0.0.112"});
  ASSERT_TRUE(backends.ok());
  Server s;
  startWith(
      s, "probes: {enabled: true}\n",
      {profileYaml("geo-health", "Geographic",
                   {endpointYaml("e1", "127.0.0.111",
                                 "geoMapping: [IE], subnets: [{first: 203.0.113.0, scope: 25}]"),
                    endpointYaml("e2", "127.0.0.112", "geoMapping: [GEO-EU]")},
                   "", "geo", tcpMonitor(backends.port()))});
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(waitForStatus(s, "geo-health/e1", "CheckingEndpoint", "Degraded"));
  ASSERT_TRUE(waitForStatus(s, "geo-health/e2", "CheckingEndpoint", "Online"));
  const Address v4 = s.v4();
  const Answer e1 = positive({a(kGeo, "127.0.0.111")}, 24);
  const Answer e2 = positive({a(kGeo, "127.0.0.112")}, 24);

  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.0/24"), e1));  // Ireland
    EXPECT_TRUE(routes(v4, kGeo, "A", {}, positive({a(kGeo, "127.0.0.111")})));
    EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.2.0/24"), e2));  // Germany
    // France: the lower half is e1's override (Degraded, served), the upper half GEO-EU. The
    // override lookup decided too, so the scope is its /25.
    EXPECT_TRUE(
        routes(v4, kGeo, "A", ecs("203.0.113.0/25"), positive({a(kGeo, "127.0.0.111")}, 25)));
    EXPECT_TRUE(
        routes(v4, kGeo, "A", ecs("203.0.113.128/25"), positive({a(kGeo, "127.0.0.112")}, 25)));
    // Brazil, Japan, California, unknown: nothing mapped up to WORLD.
    EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.1.0/24"), nodata(kNegativeSoa, 24)));
    EXPECT_TRUE(routes(v4, kGeo, "A", ecs("192.0.2.0/24"), nodata(kNegativeSoa, 24)));
    EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.17"), nodata(kNegativeSoa)));
    EXPECT_TRUE(routes(v4, kGeo, "A", ecs("2001:db8:2::/48"), nodata(kNegativeSoa, 48)));
    EXPECT_TRUE(routes(s.v6(), kGeo, "A", {}, nodata(kNegativeSoa)));
  }
}

// §8 case 10: N1 {DE} is nested with a Disabled child (N1 is Stopped); E2 {WORLD}. N1 also
// overrides 192.0.2.0/25 (Japanese clients). "geo-inactive" is the same with a child whose
// endpoints are all Disabled (Inactive, so N1 is Stopped as well).
std::string nestedConfig(const std::string& n1Status) {
  const auto parent = [&](const std::string& name, const std::string& child) {
    return profileYaml(
        name, "Geographic",
        {nestedYaml("n1", child,
                    "endpointStatus: " + n1Status +
                        ", geoMapping: [DE], subnets: [{first: 192.0.2.0, scope: 25}]"),
         endpointYaml("e2", "world.example.test", "geoMapping: [WORLD]")});
  };
  return clientConfig(
      "geoip: {csv: geo.csv}",
      {tmZone(
          {parent("geo-nested", "de-child"), parent("geo-inactive", "empty-child"),
           profileYaml("de-child", "Priority", {endpointYaml("c1", "de1.example.test")},
                       "profileStatus: Disabled"),
           profileYaml("empty-child", "Priority",
                       {endpointYaml("c1", "de1.example.test", "endpointStatus: Disabled")})})});
}

TEST(ClientGeographic, Case10StoppedMatchIsNodataDisabledMatchWalksOn) {
  Server s;
  s.dir().write("geo.csv", kGeoCsv);
  s.writeConfig(nestedConfig("Enabled"));
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();

  for (const std::string profile : {"geo-nested", "geo-inactive"}) {
    SCOPED_TRACE(profile);
    const std::string name = profile + ".tm.example.test.";
    const Answer world = positive({cname(name, "world.example.test.")}, 24);
    // Germany matches N1, which is Stopped: NODATA, no walk up to WORLD.
    EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.2.0/24"), nodata(kNegativeSoa, 24)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:1::/48"), nodata(kNegativeSoa, 48)));
    EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.25"), nodata(kNegativeSoa)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/24"), world));  // Ireland
    // A Stopped override answers NODATA too; the other half of Japan walks up to WORLD.
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/25"), nodata(kNegativeSoa, 25)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.128/25"),
                       positive({cname(name, "world.example.test.")}, 25)));
  }
  // The Disabled child itself is NXDOMAIN.
  EXPECT_TRUE(routes(v4, "de-child.tm.example.test.", "A", ecs("100.64.2.0/24"),
                     nxdomain(kNegativeSoa, 0)));

  // Then N1 endpointStatus: Disabled: its codes and overrides are gone, Germany gets E2.
  s.writeConfig(nestedConfig("Disabled"));
  ASSERT_EQ(s.reload(), std::optional<bool>(true)) << s.log();
  for (const std::string profile : {"geo-nested", "geo-inactive"}) {
    SCOPED_TRACE(profile);
    const std::string name = profile + ".tm.example.test.";
    const auto world = [&](int scope) {
      return positive({cname(name, "world.example.test.")}, scope);
    };
    EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.2.0/24"), world(24)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:1::/48"), world(48)));
    EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.25"), world(-1)));
    // N1's override is ignored as well. (Source /24: DisabledOverridesDoNotNarrowTheScope
    // checks the scope of longer prefixes.)
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), world(24)));
  }
}

TEST(ClientGeographic, DisabledOverridesDoNotNarrowTheScope) {
  // docs/routing-methods.md: "a Disabled endpoint's overrides are ignored", and the scope is
  // "the shortest prefix that still decides the answer": with e3's ranges ignored only the
  // database decides, and its networks here are /24s.
  Server s;
  startWith(s, "",
            {profileYaml("geo", "Geographic",
                         {endpointYaml("e1", "ie.example.test", "geoMapping: [IE]"),
                          endpointYaml("e2", "world.example.test", "geoMapping: [WORLD]"),
                          endpointYaml("e3", "jp.example.test",
                                       "endpointStatus: Disabled, geoMapping: [JP], subnets: ["
                                       "{first: 192.0.2.0, scope: 25}, "
                                       "{first: 198.51.100.0, scope: 25}]")})});
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const auto to = [](const std::string& target, int scope) {
    return positive({cname(kGeo, target + ".example.test.")}, scope);
  };
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("192.0.2.0/25"), to("world", 24)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("192.0.2.128/25"), to("world", 24)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.0/25"), to("ie", 24)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.128/26"), to("ie", 24)));
}

TEST(ClientGeographic, SubnetOverridesWinInnermostFirstAndIgnoreDisabledOwners) {
  // §2.8. e2 {GEO-EU} overrides the upper half of Ireland's network; e3 {WORLD} overrides a
  // quarter inside it (the innermost wins) and Germany; e4 {JP} is Disabled, so its override of
  // France is ignored and Japan walks up to WORLD.
  Server s;
  startWith(
      s, "",
      {profileYaml(
          "geo-override", "Geographic",
          {endpointYaml("e1", "ie.example.test", "geoMapping: [IE]"),
           endpointYaml("e2", "eu.example.test",
                        "geoMapping: [GEO-EU], subnets: [{first: 198.51.100.128, scope: 25}]"),
           endpointYaml("e3", "world.example.test",
                        "geoMapping: [WORLD], subnets: [{first: 198.51.100.192, scope: 26}, "
                        "{first: 100.64.2.0, last: 100.64.2.255}, "
                        "{first: \"2001:db8:1::\", scope: 48}, {first: 127.0.0.3}]"),
           endpointYaml("e4", "jp.example.test",
                        "endpointStatus: Disabled, geoMapping: [JP], "
                        "subnets: [{first: 203.0.113.0, scope: 24}]")},
          "", "geo")});
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const auto to = [](const std::string& target, int scope = -1) {
    return positive({cname(kGeo, target + ".example.test.")}, scope);
  };

  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.0/25"), to("ie", 25)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.128/26"), to("eu", 26)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.130/32"), to("eu", 26)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.192/26"), to("world", 26)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("198.51.100.200/32"), to("world", 26)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("100.64.2.0/24"), to("world", 24)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("2001:db8:1::/48"), to("world", 48)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("203.0.113.0/24"), to("eu", 24)));
  EXPECT_TRUE(routes(v4, kGeo, "A", ecs("192.0.2.0/24"), to("world", 24)));
  // The source address meets the overrides as well: 127.0.0.3 (Ireland) is e3's.
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.3"), to("world")));
  EXPECT_TRUE(routes(v4, kGeo, "A", source("127.0.0.2"), to("ie")));
}

TEST(ClientGeographic, NestedSubnetChildWidensTheScopeAndAnswersTheLeaf) {
  // Parent Geographic: N1 {GEO-EU} -> child Subnet (c1 owns 198.51.100.0/26, c2 the rest);
  // E2 {WORLD}. The answer is one CNAME to the leaf; the scope is the longest of both levels.
  Server s;
  startWith(s, "",
            {profileYaml("geo-parent", "Geographic",
                         {nestedYaml("n1", "eu-child", "geoMapping: [GEO-EU]"),
                          endpointYaml("e2", "world.example.test", "geoMapping: [WORLD]")}),
             profileYaml("eu-child", "Subnet",
                         {endpointYaml("c1", "c1.example.test",
                                       "subnets: [{first: 198.51.100.0, scope: 26}]"),
                          endpointYaml("c2", "c2.example.test")})});
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const std::string name = "geo-parent.tm.example.test.";
  const auto to = [&](const std::string& target, int scope = -1) {
    return positive({cname(name, target + ".example.test.")}, scope);
  };
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/26"), to("c1", 26)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.64/26"), to("c2", 26)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/24"), to("c1", 24)));
  // France: the child's gap block (200.0.0.0/5) is wider than the /24 the database gives.
  EXPECT_TRUE(routes(v4, name, "A", ecs("203.0.113.0/24"), to("c2", 24)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), to("world", 24)));
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.1"), to("c2")));
  EXPECT_TRUE(routesWire(v4, name, LDNS_RR_TYPE_A, "198.51.100.0", 26, to("c1", 26)));
}

}  // namespace
}  // namespace tmdns::e2e::client
