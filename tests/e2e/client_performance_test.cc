// Performance routing through the real server (traffic-manager.md §2.4, §2.8, §8 case 7): the
// region nearest the ECS subnet or source address by the latency table, else by distance from
// where the geolocation database places it; the next region when one is down; stable answers;
// subnet overrides only while their endpoint is healthy.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/client_harness.h"

namespace tmdns::e2e::client {
namespace {

void startWith(Server& s, const std::string& top, const std::vector<std::string>& profiles) {
  s.dir().write("geo.csv", kGeoCsv);
  s.dir().write("latency.csv", latencyCsv());
  s.writeConfig(clientConfig("geoip: {csv: geo.csv}\nlatency: {csv: latency.csv}\n" + top,
                             {tmZone(profiles)}));
}

TEST(ClientPerformance, NearestRegionByLatencyElseDistanceElsePriority) {
  Server s;
  startWith(
      s, "",
      {profileYaml(
          "api", "Performance",
          {endpointYaml("we", "we.example.test", "endpointLocation: West Europe, priority: 2"),
           endpointYaml("eus", "eus.example.test", "endpointLocation: eastus, priority: 1"),
           endpointYaml("jpe", "jpe.example.test", "endpointLocation: Japan East, priority: 3")})});
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const std::string name = "api.tm.example.test.";
  const auto to = [&](const std::string& target, int scope = -1) {
    return positive({cname(name, target + ".example.test.")}, scope);
  };

  // The latency table; scope = its network's length.
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/24"), to("we", 24)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.1/32"), to("we", 24)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), to("eus", 24)));  // not Tokyo's JPE
  EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:2::/48"), to("jpe", 48)));
  // Not in the latency table: great-circle distance from the database's coordinates.
  EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.2.0/24"), to("we", 24)));    // Frankfurt
  EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.0.0/24"), to("eus", 24)));   // San Francisco
  EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.1.0/24"), to("eus", 24)));   // Sao Paulo
  EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:1::/48"), to("we", 48)));  // Frankfurt
  // Placed by neither: the lowest priority number. 10.128.0.0/9 holds no latency network (and
  // 0.0.0.0/2 no database network); 2001:db8:4::/46 neither.
  EXPECT_TRUE(routes(v4, name, "A", ecs("10.200.0.0/16"), to("eus", 9)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:5::/48"), to("eus", 46)));

  // No ECS: the source address.
  EXPECT_TRUE(routes(v4, name, "A", {}, to("we")));  // 127.0.0.1
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.3"), to("we")));
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.9"), to("eus")));
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.17"), to("jpe")));  // Tokyo by distance
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.50"), to("eus")));  // unplaced
  EXPECT_TRUE(routes(s.v6(), name, "A", {}, to("eus")));                // ::1
  EXPECT_TRUE(routes(v4, name, "A", ecsFrom("198.51.100.0/24", "127.0.0.9"), to("we", 24)));
  EXPECT_TRUE(routes(v4, name, "A", ecsFrom("0.0.0.0/0", "127.0.0.9"), to("eus", 0)));

  // Deterministic (§2.4): the same client gets the same answer every time.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(routesWire(v4, name, LDNS_RR_TYPE_A, "198.51.100.0", 24, to("we", 24)));
    ASSERT_TRUE(routesWire(v4, name, LDNS_RR_TYPE_A, "100.64.0.0", 24, to("eus", 24)));
  }
}

TEST(ClientPerformance, EndpointsOfOneRegionShareItsClientsStably) {
  // §2.4: w1 and w2 are both in West Europe, where the latency table puts 10.N.0.0/16
  // (N = 0..15). Each /16 sticks to one of them (its whole scope block); both get clients.
  Server s;
  startWith(s, "",
            {profileYaml("spread", "Performance",
                         {endpointYaml("w1", "w1.example.test", "endpointLocation: West Europe"),
                          endpointYaml("w2", "w2.example.test", "endpointLocation: westeurope"),
                          endpointYaml("u1", "u1.example.test", "endpointLocation: East US")})});
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const std::string name = "spread.tm.example.test.";
  std::map<std::string, int> perTarget;
  for (int n = 0; n < 16; ++n) {
    SCOPED_TRACE(n);
    const std::string block = "10." + std::to_string(n) + ".";
    QueryOptions o;
    o.edns = true;
    o.ednsOptions = ecsOption(block + "0.0", 16);
    auto m = ask(v4, name, LDNS_RR_TYPE_A, o);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->answer.size(), 1u);
    const std::string target = m->answer[0].rdata;
    ASSERT_TRUE(target == "w1.example.test." || target == "w2.example.test.") << target;
    ++perTarget[target];
    const Answer same = positive({cname(name, target)}, 16);
    EXPECT_TRUE(routes(v4, name, "A", ecs(block + "0.0/16"), same));
    EXPECT_TRUE(routes(v4, name, "A", ecs(block + "123.0/24"), same));
    EXPECT_TRUE(routesWire(v4, name, LDNS_RR_TYPE_A, block + "200.7", 32, same));
  }
  EXPECT_EQ(perTarget.size(), 2u) << "one endpoint got all 16 client networks";
}

TEST(ClientPerformance, Case7NearestRegionDownMovesToTheNextClosest) {
  // §8 case 7: E1 West Europe, E2 East US; 198.51.100.0/24 (and the source 127.0.0.3) are
  // nearest West Europe, then East US. Real TCP probes on loopback; E1's listener then closes.
  Backends backends({"127.0.0.121", "127.0.0.122"});
  ASSERT_TRUE(backends.ok());
  Server s;
  startWith(s, "probes: {enabled: true}\n",
            {profileYaml("perf", "Performance",
                         {endpointYaml("e1", "127.0.0.121", "endpointLocation: West Europe"),
                          endpointYaml("e2", "127.0.0.122", "endpointLocation: East US")},
                         "", "perf", tcpMonitor(backends.port()))});
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(waitForStatus(s, "perf/e1", "CheckingEndpoint", "Online"));
  ASSERT_TRUE(waitForStatus(s, "perf/e2", "CheckingEndpoint", "Online"));
  const Address v4 = s.v4();
  const std::string name = "perf.tm.example.test.";
  const auto at = [&](const std::string& address, int scope = -1) {
    return positive({a(name, address)}, scope);
  };

  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.1/32"), at("127.0.0.121", 24)));
    EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.3"), at("127.0.0.121")));
    EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.9"), at("127.0.0.122")));
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), at("127.0.0.122", 24)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.2.0/24"), at("127.0.0.121", 24)));
  }

  const size_t before = s.process().stderrLines().size();
  backends.stop(0);
  ASSERT_TRUE(waitForStatus(s, "perf/e1", "Online", "Degraded", 30s, before));
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.1/32"), at("127.0.0.122", 24)));
    EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.3"), at("127.0.0.122")));
    EXPECT_TRUE(routes(v4, name, "A", ecs("100.64.2.0/24"), at("127.0.0.122", 24)));
    EXPECT_TRUE(routes(v4, name, "A", ecs("192.0.2.0/24"), at("127.0.0.122", 24)));
  }
}

TEST(ClientPerformance, SubnetOverrideOnlyWhileItsEndpointIsHealthy) {
  // §2.8: jpe (Japan East) overrides 198.51.100.0/25, whose clients latency would send to West
  // Europe. Once jpe is Degraded, latency routing decides again.
  Backends backends({"127.0.0.131", "127.0.0.132", "127.0.0.133"});
  ASSERT_TRUE(backends.ok());
  Server s;
  startWith(s, "probes: {enabled: true}\n",
            {profileYaml("perf-override", "Performance",
                         {endpointYaml("we", "127.0.0.131", "endpointLocation: West Europe"),
                          endpointYaml("eus", "127.0.0.132", "endpointLocation: East US"),
                          endpointYaml("jpe", "127.0.0.133",
                                       "endpointLocation: Japan East, "
                                       "subnets: [{first: 198.51.100.0, scope: 25}, "
                                       "{first: 127.0.0.0, last: 127.0.0.3}]")},
                         "", "perf", tcpMonitor(backends.port()))});
  ASSERT_TRUE(s.start());
  for (const std::string e : {"we", "eus", "jpe"}) {
    ASSERT_TRUE(waitForStatus(s, "perf-override/" + e, "CheckingEndpoint", "Online"));
  }
  const Address v4 = s.v4();
  const std::string name = "perf.tm.example.test.";
  const auto at = [&](const std::string& address, int scope = -1) {
    return positive({a(name, address)}, scope);
  };

  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/25"), at("127.0.0.133", 25)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.5/32"), at("127.0.0.133", 25)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.128/25"), at("127.0.0.131", 25)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:2::/48"), at("127.0.0.133", 48)));
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.2"), at("127.0.0.133")));
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.5"), at("127.0.0.131")));

  const size_t before = s.process().stderrLines().size();
  backends.stop(2);
  ASSERT_TRUE(waitForStatus(s, "perf-override/jpe", "Online", "Degraded", 30s, before));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/25"), at("127.0.0.131", 25)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.128/25"), at("127.0.0.131", 25)));
  // 2001:db8:2::/48: Japan East is down, West Europe is next.
  EXPECT_TRUE(routes(v4, name, "A", ecs("2001:db8:2::/48"), at("127.0.0.131", 48)));
  EXPECT_TRUE(routes(v4, name, "A", source("127.0.0.2"), at("127.0.0.131")));
}

}  // namespace
}  // namespace tmdns::e2e::client
