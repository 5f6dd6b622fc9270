// Unit tests for dns::parseOpt and parseClientSubnet (RFC 6891, RFC 7871 §6).
#include "dns/edns.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/dns/dns_test_support.h"

namespace tmdns::dns {
namespace {

using test::Bytes;
using test::ecsOption;

TEST(Edns, ReadsHeaderFieldsAndRaisesSmallPayloadSizesTo512) {
  Edns edns;
  ASSERT_TRUE(parseOpt(4096, 0x00008000, {}, edns));
  EXPECT_EQ(edns.udpSize, 4096);
  EXPECT_EQ(edns.version, 0);
  EXPECT_TRUE(edns.dnssecOk);
  EXPECT_FALSE(edns.hasEcs);
  ASSERT_TRUE(parseOpt(100, 0, {}, edns));
  EXPECT_EQ(edns.udpSize, 512);  // RFC 6891 §6.2.5
  EXPECT_FALSE(edns.dnssecOk);
  ASSERT_TRUE(parseOpt(1232, 0x01010000, {}, edns));
  EXPECT_EQ(edns.extendedRcode, 1);
  EXPECT_EQ(edns.version, 1);
}

TEST(Edns, IgnoresUnknownOptionsAndReadsEcs) {
  Bytes options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // COOKIE, ignored
  const Bytes ecs = ecsOption(1, 24, 0, {198, 51, 100});
  options.insert(options.end(), ecs.begin(), ecs.end());
  Edns edns;
  ASSERT_TRUE(parseOpt(1232, 0, options, edns));
  ASSERT_TRUE(edns.hasEcs);
  EXPECT_EQ(edns.ecs.family, 1);
  EXPECT_EQ(edns.ecs.sourcePrefix, 24);
  EXPECT_EQ(edns.ecs.addressLength, 3);
  const routing::ClientInfo info = clientInfoFrom(edns.ecs);
  EXPECT_TRUE(info.fromEcs);
  EXPECT_EQ(info.family, 4);
  EXPECT_EQ(info.sourcePrefix, 24);
  EXPECT_EQ(Bytes(info.addr, info.addr + 16),
            (Bytes{198, 51, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Edns, ReadsIpv6AndZeroLengthPrefixes) {
  ClientSubnet ecs;
  ASSERT_TRUE(parseClientSubnet(Bytes{0, 2, 33, 0, 0x20, 0x01, 0x0d, 0xb8, 0x80}, ecs));
  EXPECT_EQ(ecs.family, 2);
  EXPECT_EQ(ecs.addressLength, 5);
  EXPECT_EQ(clientInfoFrom(ecs).family, 6);
  ASSERT_TRUE(parseClientSubnet(Bytes{0, 1, 0, 0}, ecs));
  EXPECT_EQ(ecs.addressLength, 0);
  ASSERT_TRUE(parseClientSubnet(Bytes{0, 1, 32, 0, 1, 2, 3, 4}, ecs));
}

struct BadEcs {
  const char* what;
  Bytes payload;
};

TEST(Edns, RejectsInvalidEcs) {
  const std::vector<BadEcs> cases = {
      {"too short", {0, 1, 24}},
      {"family 0", {0, 0, 8, 0, 10}},
      {"family 3", {0, 3, 8, 0, 10}},
      {"IPv4 prefix 33", {0, 1, 33, 0, 1, 2, 3, 4, 5}},
      {"IPv6 prefix 129",
       Bytes{0, 2, 129, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}},
      {"address too long", {0, 1, 24, 0, 198, 51, 100, 0}},
      {"address too short", {0, 1, 24, 0, 198, 51}},
      {"host bits set", {0, 1, 23, 0, 198, 51, 101}},
      {"nonzero scope", {0, 1, 24, 16, 198, 51, 100}},
  };
  for (const auto& c : cases) {
    ClientSubnet ecs;
    EXPECT_FALSE(parseClientSubnet(c.payload, ecs)) << c.what;
    Bytes option = {0, 8, 0, static_cast<uint8_t>(c.payload.size())};
    option.insert(option.end(), c.payload.begin(), c.payload.end());
    Edns edns;
    EXPECT_FALSE(parseOpt(1232, 0, option, edns)) << c.what;
    EXPECT_FALSE(edns.hasEcs) << c.what;
  }
}

TEST(Edns, RejectsOptionsThatDoNotFillTheRdataExactly) {
  Edns edns;
  EXPECT_FALSE(parseOpt(1232, 0, Bytes{0, 10, 0}, edns));
  EXPECT_FALSE(parseOpt(1232, 0, Bytes{0, 10, 0, 4, 1, 2}, edns));
  const Bytes ecs = ecsOption(1, 24, 0, {198, 51, 100});
  Bytes twice = ecs;
  twice.insert(twice.end(), ecs.begin(), ecs.end());
  EXPECT_FALSE(parseOpt(1232, 0, twice, edns));
  // An unknown version is not parsed further: BADVERS comes first.
  EXPECT_TRUE(parseOpt(1232, 0x00010000, Bytes{0, 10, 0}, edns));
}

}  // namespace
}  // namespace tmdns::dns
