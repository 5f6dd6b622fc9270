// Geographic and Performance routing with a MaxMind DB (`geoip: {mmdb: FILE}`) built by the test
// from kGeoCsv with Debian's MaxMind::DB::Writer through tests/unit/geo/csv_to_mmdb.pl.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/client_harness.h"

namespace tmdns::e2e::client {
namespace {

// Writes <dir>/geo.mmdb from kGeoCsv (an IPv6 tree with IPv4 aliased, as real databases are).
::testing::AssertionResult writeMmdb(const TempDir& dir) {
  const std::string csv = dir.write("geo-source.csv", kGeoCsv);
  const std::vector<std::string> argv = {
      "perl", std::string(TMDNS_SOURCE_DIR) + "/tests/unit/geo/csv_to_mmdb.pl", csv,
      dir.file("geo.mmdb"), "6"};
  const CommandResult r = runCommand(argv, 60s);
  if (r.code() != 0) {
    return ::testing::AssertionFailure()
           << joinArgv(argv) << " failed: " << r.startError << r.err << r.out;
  }
  return ::testing::AssertionSuccess();
}

TEST(ClientMmdb, GeographicAndPerformanceLocateClientsInAMaxMindDb) {
  Server s;
  ASSERT_TRUE(writeMmdb(s.dir()));
  s.writeConfig(clientConfig(
      "geoip: {mmdb: geo.mmdb}",
      {tmZone(
          {profileYaml("geo", "Geographic",
                       {endpointYaml("e1", "ie.example.test", "geoMapping: [IE]"),
                        endpointYaml("e2", "eu.example.test", "geoMapping: [GEO-EU]"),
                        endpointYaml("e3", "world.example.test", "geoMapping: [WORLD]"),
                        endpointYaml("e4", "ca.example.test", "geoMapping: [US-CA]")}),
           profileYaml(
               "api", "Performance",
               {endpointYaml("we", "we.example.test", "endpointLocation: West Europe, priority: 2"),
                endpointYaml("eus", "eus.example.test", "endpointLocation: East US, priority: 1"),
                endpointYaml("jpe", "jpe.example.test",
                             "endpointLocation: Japan East, priority: 3")})})}));
  ASSERT_TRUE(s.start());
  const Address v4 = s.v4();
  const std::string geo = "geo.tm.example.test.";
  const std::string api = "api.tm.example.test.";
  const auto to = [](const std::string& name, const std::string& target, int scope = -1) {
    return positive({cname(name, target + ".example.test.")}, scope);
  };

  // Geographic: the scope is the database network's length (an IPv4 network in the IPv6 tree
  // counts in IPv4 bits).
  EXPECT_TRUE(routes(v4, geo, "A", ecs("198.51.100.0/24"), to(geo, "ie", 24)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("198.51.100.9/32"), to(geo, "ie", 24)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("203.0.113.0/24"), to(geo, "eu", 24)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("192.0.2.0/24"), to(geo, "world", 24)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("100.64.0.0/24"), to(geo, "ca", 24)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("100.64.3.0/25"), to(geo, "world", 25)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("2001:db8:1::/48"), to(geo, "eu", 48)));
  EXPECT_TRUE(routes(v4, geo, "A", ecs("2001:db8:2::/48"), to(geo, "world", 48)));
  EXPECT_TRUE(routesWire(v4, geo, LDNS_RR_TYPE_A, "100.64.0.0", 24, to(geo, "ca", 24)));
  EXPECT_TRUE(routes(v4, geo, "A", {}, to(geo, "ie")));  // 127.0.0.1
  EXPECT_TRUE(routes(v4, geo, "A", source("127.0.0.9"), to(geo, "eu")));
  EXPECT_TRUE(routes(v4, geo, "A", source("127.0.0.33"), to(geo, "ca")));
  // (Not ::1: in a MaxMind DB ::/96 is the IPv4 subtree, so ::1 is 0.0.0.1 there and has no
  // data of its own; the IPv6 transport is covered with the CSV database.)
  EXPECT_TRUE(routes(s.v6(), geo, "A", ecs("203.0.113.0/24"), to(geo, "eu", 24)));

  // Performance without a latency table: distance from the database's coordinates.
  EXPECT_TRUE(routes(v4, api, "A", ecs("203.0.113.0/24"), to(api, "we", 24)));   // Paris
  EXPECT_TRUE(routes(v4, api, "A", ecs("192.0.2.0/24"), to(api, "jpe", 24)));    // Tokyo
  EXPECT_TRUE(routes(v4, api, "A", ecs("100.64.0.0/24"), to(api, "eus", 24)));   // San Francisco
  EXPECT_TRUE(routes(v4, api, "A", ecs("2001:db8:1::/48"), to(api, "we", 48)));  // Frankfurt
  EXPECT_TRUE(routes(v4, api, "A", source("127.0.0.17"), to(api, "jpe")));       // Tokyo
}

}  // namespace
}  // namespace tmdns::e2e::client
