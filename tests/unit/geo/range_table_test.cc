// Unit tests for geo::RangeTable: both overlap rules, gaps, scope prefixes, IPv4 and IPv6.
#include "geo/range_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace tmdns::geo {
namespace {

AddressRange net(const std::string& text) {
  std::string error;
  const std::optional<AddressRange> range = parseNetwork(text, error);
  EXPECT_TRUE(range.has_value()) << error;
  return *range;
}

AddressRange span(const std::string& first, const std::string& last) {
  return AddressRange{parseAddress(first)->v6, parseAddress(first)->value,
                      parseAddress(last)->value};
}

RangeMatch at(const RangeTable& table, const std::string& address) {
  return table.find(*parseAddress(address));
}

struct Lookup {
  std::string address;
  uint32_t value;
  int prefix;
};

void expectLookups(const RangeTable& table, const std::vector<Lookup>& lookups) {
  for (const Lookup& l : lookups) {
    SCOPED_TRACE(l.address);
    const RangeMatch m = at(table, l.address);
    EXPECT_EQ(m.value, l.value);
    EXPECT_EQ(m.prefix, l.prefix);
  }
}

TEST(RangeTable, EmptyTableMatchesNothingWithScopeZero) {
  const RangeTable table;
  EXPECT_TRUE(table.empty());
  expectLookups(table, {{"192.0.2.1", kNoValue, 0}, {"2001:db8::1", kNoValue, 0}});
  RangeTableBuilder builder;
  RangeTableBuilder::Conflict conflict;
  const std::optional<RangeTable> built =
      builder.build(RangeTableBuilder::Overlap::kDisjoint, conflict);
  ASSERT_TRUE(built);
  EXPECT_TRUE(built->empty());
  expectLookups(*built, {{"192.0.2.1", kNoValue, 0}, {"::1", kNoValue, 0}});
}

// §8 case 12's ranges: E0 198.51.100.0/24, E1 203.0.113.5-203.0.113.9.
TEST(RangeTable, DisjointRangesAndGaps) {
  RangeTableBuilder builder;
  builder.add(net("198.51.100.0/24"), 0, 0);
  builder.add(span("203.0.113.5", "203.0.113.9"), 1, 1);
  builder.add(net("2001:db8:1::/48"), 2, 2);
  RangeTableBuilder::Conflict conflict;
  const std::optional<RangeTable> table =
      builder.build(RangeTableBuilder::Overlap::kDisjoint, conflict);
  ASSERT_TRUE(table);
  EXPECT_FALSE(table->empty());
  expectLookups(*table, {
                            {"198.51.100.7", 0, 24},
                            {"198.51.100.0", 0, 24},
                            {"198.51.100.255", 0, 24},
                            {"203.0.113.6", 1, 31},
                            {"203.0.113.5", 1, 32},
                            {"203.0.113.9", 1, 31},
                            {"203.0.113.4", kNoValue, 32},
                            {"203.0.113.10", kNoValue, 31},
                            {"192.0.2.1", kNoValue, 6},
                            {"0.0.0.0", kNoValue, 1},
                            {"255.255.255.255", kNoValue, 3},
                            {"2001:db8:1:2::3", 2, 48},
                            {"2001:db8:2::", kNoValue, 47},
                            {"::1", kNoValue, 3},
                        });
  // gap, 198.51.100/24, gap, 5-9, gap
  EXPECT_EQ(table->intervalCount(false), 5u);
  EXPECT_EQ(table->intervalCount(true), 3u);
}

TEST(RangeTable, OneValuesOverlappingAndAdjacentRangesMerge) {
  RangeTableBuilder builder;
  builder.add(net("10.0.0.0/25"), 3, 0);
  builder.add(net("10.0.0.128/25"), 3, 1);
  builder.add(span("10.0.0.100", "10.0.0.200"), 3, 2);
  RangeTableBuilder::Conflict conflict;
  const std::optional<RangeTable> table =
      builder.build(RangeTableBuilder::Overlap::kDisjoint, conflict);
  ASSERT_TRUE(table);
  // Adjacent halves form one /24 block: the scope is the /24, not the /25.
  expectLookups(*table, {{"10.0.0.1", 3, 24}, {"10.0.0.250", 3, 24}, {"10.0.1.0", kNoValue, 24}});
  EXPECT_EQ(table->intervalCount(false), 3u);
}

TEST(RangeTable, DisjointRuleRejectsOverlapAcrossValues) {
  RangeTableBuilder builder;
  builder.add(net("198.51.100.0/24"), 0, 10);
  builder.add(span("198.51.100.200", "198.51.101.5"), 1, 11);
  RangeTableBuilder::Conflict conflict;
  EXPECT_FALSE(builder.build(RangeTableBuilder::Overlap::kDisjoint, conflict));
  EXPECT_EQ(conflict.tagA, 10u);
  EXPECT_EQ(conflict.tagB, 11u);
  // The same ranges in the other family do not conflict with them.
  RangeTableBuilder families;
  families.add(net("0.0.0.0/0"), 0, 0);
  families.add(net("::/0"), 1, 1);
  EXPECT_TRUE(families.build(RangeTableBuilder::Overlap::kDisjoint, conflict));
}

TEST(RangeTable, MostSpecificNetworkWins) {
  RangeTableBuilder builder;
  builder.add(net("100.64.0.0/10"), 0, 1);
  builder.add(net("100.64.0.0/24"), 1, 2);
  builder.add(net("100.64.0.128/25"), 2, 3);
  builder.add(net("100.100.0.0/16"), 3, 4);
  builder.add(net("100.64.0.0/24"), 1, 5);  // a repeat with the same value is harmless
  RangeTableBuilder::Conflict conflict;
  const std::optional<RangeTable> table =
      builder.build(RangeTableBuilder::Overlap::kMostSpecific, conflict);
  ASSERT_TRUE(table);
  expectLookups(*table, {
                            {"100.64.0.1", 1, 25},
                            {"100.64.0.200", 2, 25},
                            {"100.64.1.0", 0, 24},
                            {"100.65.0.0", 0, 16},
                            {"100.100.3.4", 3, 16},
                            {"100.127.255.255", 0, 12},
                            {"100.128.0.0", kNoValue, 9},
                        });
}

TEST(RangeTable, MostSpecificRuleRejectsOneNetworkWithTwoValues) {
  RangeTableBuilder builder;
  builder.add(net("100.64.0.0/24"), 1, 7);
  builder.add(net("100.64.0.0/24"), 2, 9);
  RangeTableBuilder::Conflict conflict;
  EXPECT_FALSE(builder.build(RangeTableBuilder::Overlap::kMostSpecific, conflict));
  EXPECT_EQ(conflict.tagA, 7u);
  EXPECT_EQ(conflict.tagB, 9u);
  // Partial overlaps (possible with first-last ranges) are refused too.
  RangeTableBuilder partial;
  partial.add(span("10.0.0.0", "10.0.0.10"), 1, 1);
  partial.add(span("10.0.0.5", "10.0.0.20"), 2, 2);
  EXPECT_FALSE(partial.build(RangeTableBuilder::Overlap::kMostSpecific, conflict));
}

TEST(RangeTable, RangesReachingTheTopOfTheSpace) {
  RangeTableBuilder builder;
  builder.add(net("255.255.255.0/24"), 0, 0);
  builder.add(net("ffff::/16"), 1, 1);
  builder.add(net("::/0"), 2, 2);
  RangeTableBuilder::Conflict conflict;
  const std::optional<RangeTable> table =
      builder.build(RangeTableBuilder::Overlap::kMostSpecific, conflict);
  ASSERT_TRUE(table);
  expectLookups(*table, {{"255.255.255.255", 0, 24},
                         {"255.255.254.255", kNoValue, 24},
                         {"ffff:ffff::1", 1, 16},
                         {"fffe::", 2, 16},
                         {"::", 2, 1}});
}

// Large tables use the first-level index: compare with a brute-force reference, both families,
// at random addresses and at every interval's edges.
TEST(RangeTable, LargeTablesAgreeWithABruteForceReference) {
  for (const bool v6 : {false, true}) {
    SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
    std::mt19937_64 random(v6 ? 6 : 4);
    const auto draw = [&] {
      Uint128 value = (Uint128{random()} << 64) | random();
      return value & maxAddress(v6);
    };
    std::vector<Uint128> points;
    for (int i = 0; i < 4000; ++i) {
      points.push_back(draw());
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    // Disjoint, non-adjacent ranges [points[2k] + 1, points[2k + 1]] with distinct values.
    struct Range {
      Uint128 first, last;
      uint32_t value;
    };
    std::vector<Range> ranges;
    RangeTableBuilder builder;
    for (size_t k = 0; k + 1 < points.size(); k += 2) {
      if (points[k] + 1 > points[k + 1]) {
        continue;
      }
      const Range r{points[k] + 1, points[k + 1], static_cast<uint32_t>(ranges.size())};
      ranges.push_back(r);
      builder.add(AddressRange{v6, r.first, r.last}, r.value, r.value);
    }
    RangeTableBuilder::Conflict conflict;
    const std::optional<RangeTable> table =
        builder.build(RangeTableBuilder::Overlap::kDisjoint, conflict);
    ASSERT_TRUE(table);
    ASSERT_GT(table->intervalCount(v6), 1000u);
    std::vector<Uint128> probes;
    for (int i = 0; i < 20000; ++i) {
      probes.push_back(draw());
    }
    for (const Range& r : ranges) {
      probes.push_back(r.first);
      probes.push_back(r.last);
      probes.push_back(r.first - 1);
      probes.push_back(r.last + 1);
    }
    probes.push_back(0);
    probes.push_back(maxAddress(v6));
    for (const Uint128 addr : probes) {
      // The range holding addr, or the gap between its neighbours.
      const auto next = std::upper_bound(ranges.begin(), ranges.end(), addr,
                                         [](Uint128 a, const Range& r) { return a < r.first; });
      uint32_t value = kNoValue;
      Uint128 lo = 0;
      Uint128 hi = maxAddress(v6);
      if (next != ranges.begin() && std::prev(next)->last >= addr) {
        value = std::prev(next)->value;
        lo = std::prev(next)->first;
        hi = std::prev(next)->last;
      } else {
        lo = next == ranges.begin() ? 0 : std::prev(next)->last + 1;
        hi = next == ranges.end() ? maxAddress(v6) : next->first - 1;
      }
      const RangeMatch m = table->find(Address{v6, addr});
      ASSERT_EQ(m.value, value) << formatAddress(Address{v6, addr});
      ASSERT_EQ(m.prefix, blockPrefixWithin(addr, lo, hi, v6)) << formatAddress(Address{v6, addr});
    }
  }
}

}  // namespace
}  // namespace tmdns::geo
