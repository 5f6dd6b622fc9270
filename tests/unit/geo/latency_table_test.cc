// Unit tests for the latency table: CSV parsing, nearest-first rows, nesting, errors.
#include "geo/latency_table.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "geo_test_support.h"

namespace tmdns::geo {
namespace {

std::vector<std::string> regionsOf(const LatencyRow& row) {
  std::vector<std::string> out;
  for (const RegionLatency* e = row.begin; e != row.end; ++e) {
    out.emplace_back(azureRegions()[e->region].name);
  }
  return out;
}

std::shared_ptr<const LatencyTable> parse(const std::string& text, std::string& error) {
  std::istringstream in(text);
  return parseLatencyCsv(in, "lat.csv", error);
}

TEST(LatencyTable, RowsAreNearestFirst) {
  std::string error;
  const auto table = parse(
      "network,region,rtt_ms\n"
      "198.51.100.0/24,East US,95\n"
      "198.51.100.0/24,westeurope,12.5\n"
      "198.51.100.0/24,North Europe,20\n"
      "198.51.100.128/25,East US,30\n"
      "2001:db8::/32,Japan East,40\n",
      error);
  ASSERT_NE(table, nullptr) << error;
  EXPECT_EQ(table->networkCount(), 3u);
  using V = std::vector<std::string>;
  const LatencyRow row = table->find(*parseAddress("198.51.100.1"));
  EXPECT_TRUE(row.found);
  EXPECT_EQ(row.prefix, 25);
  EXPECT_EQ(regionsOf(row), (V{"West Europe", "North Europe", "East US"}));
  EXPECT_FLOAT_EQ(row.begin->rttMs, 12.5f);
  // The nested /25 replaces the /24's row for its addresses.
  const LatencyRow nested = table->find(*parseAddress("198.51.100.200"));
  EXPECT_EQ(regionsOf(nested), (V{"East US"}));
  EXPECT_EQ(nested.prefix, 25);
  const LatencyRow v6 = table->find(*parseAddress("2001:db8:5::1"));
  EXPECT_EQ(regionsOf(v6), (V{"Japan East"}));
  EXPECT_EQ(v6.prefix, 32);
  const LatencyRow none = table->find(*parseAddress("192.0.2.1"));
  EXPECT_FALSE(none.found);
  EXPECT_EQ(none.begin, none.end);
  EXPECT_EQ(none.prefix, 6);
}

TEST(LatencyTable, TiesAreBrokenByRegionId) {
  std::string error;
  const auto table = parse("10.0.0.0/8,West Europe,10\n10.0.0.0/8,East US,10\n", error);
  ASSERT_NE(table, nullptr) << error;
  const LatencyRow row = table->find(*parseAddress("10.1.2.3"));
  ASSERT_EQ(row.end - row.begin, 2);
  EXPECT_LT(row.begin[0].region, row.begin[1].region);
}

struct Bad {
  std::string text;
  std::string error;
};

TEST(LatencyTable, ReportsTheLineOfEveryProblem) {
  const std::vector<Bad> cases = {
      {"198.51.100.0/24,West Eurpoe,10\n",
       "lat.csv:1: unknown Azure region \"West Eurpoe\" (did you mean \"West Europe\"?)"},
      {"198.51.100.0/24,West Europe\n", "lat.csv:1: expected network,region,rtt_ms, got 2 fields"},
      {"198.51.100.0/24,West Europe,-1\n",
       "lat.csv:1: \"-1\" is not a round-trip time in milliseconds"},
      {"198.51.100.0/24,West Europe,fast\n",
       "lat.csv:1: \"fast\" is not a round-trip time in milliseconds"},
      {"198.51.100.9/24,West Europe,1\n",
       "lat.csv:1: \"198.51.100.9/24\" has host bits set; the network is 198.51.100.0/24"},
      {"198.51.100.0/24,West Europe,1\n#\n198.51.100.0/24,westeurope,2\n",
       "lat.csv:3: \"westeurope\" is already given for this network on line 1"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.text);
    std::string error;
    EXPECT_EQ(parse(c.text, error), nullptr);
    EXPECT_EQ(error, c.error);
  }
}

TEST(LatencyTable, LoadsFromAFile) {
  testing::TempDir dir;
  std::string error;
  const auto table = loadLatencyCsv(dir.write("l.csv", "10.0.0.0/8,UK South,3\n"), error);
  ASSERT_NE(table, nullptr) << error;
  EXPECT_TRUE(table->find(*parseAddress("10.9.9.9")).found);
  EXPECT_EQ(loadLatencyCsv(dir.file("none.csv"), error), nullptr);
  EXPECT_EQ(error, dir.file("none.csv") + ": cannot be read: No such file or directory");
}

}  // namespace
}  // namespace tmdns::geo
