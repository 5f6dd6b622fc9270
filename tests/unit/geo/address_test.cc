// Unit tests for geo/address: network parsing, CIDR ranges and the block-prefix (scope) rule.
#include "geo/address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tmdns::geo {
namespace {

Uint128 v4(const std::string& text) {
  return parseAddress(text)->value;
}
Uint128 v6(const std::string& text) {
  return parseAddress(text)->value;
}

TEST(Address, ParsesBothFamilies) {
  const std::optional<Address> a = parseAddress("198.51.100.7");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->v6);
  EXPECT_EQ(a->value, Uint128{0xC6336407});
  const std::optional<Address> b = parseAddress("2001:db8::1");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->v6);
  EXPECT_EQ(static_cast<uint64_t>(b->value >> 64), 0x20010db800000000ULL);
  EXPECT_EQ(static_cast<uint64_t>(b->value), 1u);
  EXPECT_FALSE(parseAddress("198.51.100"));
  EXPECT_FALSE(parseAddress("[2001:db8::1]"));
  EXPECT_FALSE(parseAddress(""));
  EXPECT_EQ(formatAddress(*a), "198.51.100.7");
  EXPECT_EQ(formatAddress(*b), "2001:db8::1");
}

TEST(Address, FromBytesIsNetworkOrder) {
  const uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  EXPECT_EQ(addressFromBytes(bytes, true).value, v6("2001:db8::2"));
  const uint8_t four[4] = {203, 0, 113, 5};
  EXPECT_EQ(addressFromBytes(four, false).value, v4("203.0.113.5"));
}

struct NetworkCase {
  std::string text;
  bool ok;
  Uint128 first = 0;
  Uint128 last = 0;
  std::string error;
};

TEST(Address, ParseNetwork) {
  const std::vector<NetworkCase> cases = {
      {"198.51.100.0/24", true, v4("198.51.100.0"), v4("198.51.100.255"), ""},
      {"203.0.113.5", true, v4("203.0.113.5"), v4("203.0.113.5"), ""},
      {"0.0.0.0/0", true, 0, 0xFFFFFFFFu, ""},
      {"2001:db8::/32", true, v6("2001:db8::"), v6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), ""},
      {"::/0", true, 0, ~Uint128{0}, ""},
      {"198.51.100.1/24", false, 0, 0,
       "\"198.51.100.1/24\" has host bits set; the network is 198.51.100.0/24"},
      {"198.51.100.0/33", false, 0, 0, "\"33\" is not a prefix length 0..32"},
      {"198.51.100.0/", false, 0, 0, "\"\" is not a prefix length 0..32"},
      {"nowhere/8", false, 0, 0, "\"nowhere\" is not an IPv4 or IPv6 address"},
  };
  for (const NetworkCase& c : cases) {
    SCOPED_TRACE(c.text);
    std::string error;
    const std::optional<AddressRange> range = parseNetwork(c.text, error);
    ASSERT_EQ(range.has_value(), c.ok);
    if (c.ok) {
      EXPECT_TRUE(range->first == c.first);
      EXPECT_TRUE(range->last == c.last);
    } else {
      EXPECT_EQ(error, c.error);
    }
  }
}

struct ScopeCase {
  std::string name;
  bool v6;
  Uint128 addr, first, last;
  int expected;
};

// The widest aligned block around addr inside [first, last]: what an ECS answer may cover.
TEST(Address, BlockPrefixWithin) {
  const std::vector<ScopeCase> cases = {
      {"a /24 range", false, v4("198.51.100.7"), v4("198.51.100.0"), v4("198.51.100.255"), 24},
      {"the whole space", false, v4("192.0.2.1"), 0, 0xFFFFFFFFu, 0},
      {"a single address", false, v4("203.0.113.6"), v4("203.0.113.6"), v4("203.0.113.6"), 32},
      {"5-9 around 6: 6-7 is /31", false, v4("203.0.113.6"), v4("203.0.113.5"), v4("203.0.113.9"),
       31},
      {"5-9 around 8: 8-9 is /31", false, v4("203.0.113.8"), v4("203.0.113.5"), v4("203.0.113.9"),
       31},
      {"5-9 around 5", false, v4("203.0.113.5"), v4("203.0.113.5"), v4("203.0.113.9"), 32},
      {"gap below 198.51.100.0 around 192.0.2.1", false, v4("192.0.2.1"), 0, v4("198.51.99.255"),
       6},
      {"gap above a range", false, v4("198.51.101.0"), v4("198.51.101.0"), 0xFFFFFFFFu, 24},
      {"IPv6 /48", true, v6("2001:db8:1::7"), v6("2001:db8:1::"),
       v6("2001:db8:1:ffff:ffff:ffff:ffff:ffff"), 48},
      {"IPv6 everything", true, v6("2001:db8::1"), 0, ~Uint128{0}, 0},
      {"IPv6 single", true, v6("2001:db8::1"), v6("2001:db8::1"), v6("2001:db8::1"), 128},
  };
  for (const ScopeCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(blockPrefixWithin(c.addr, c.first, c.last, c.v6), c.expected);
    // The reported block really is inside the range, and one bit shorter would not be.
    const AddressRange block = prefixRange(c.v6, c.addr, static_cast<unsigned>(c.expected));
    EXPECT_TRUE(block.first >= c.first && block.last <= c.last);
    if (c.expected > 0) {
      const AddressRange wider = prefixRange(c.v6, c.addr, static_cast<unsigned>(c.expected - 1));
      EXPECT_FALSE(wider.first >= c.first && wider.last <= c.last);
    }
  }
}

}  // namespace
}  // namespace tmdns::geo
