// Building blocks of the loader: IP literals, DNS names and diagnostic paths.
#include <gtest/gtest.h>

#include "config/dns_name.h"
#include "config/ip_address.h"
#include "config/path.h"

namespace tmdns::config {
namespace {

TEST(IpAddress, ParsesPlainLiteralsOnly) {
  EXPECT_EQ(parseIpAddress("192.0.2.1")->toString(), "192.0.2.1");
  EXPECT_FALSE(parseIpAddress("192.0.2.1")->v6);
  EXPECT_EQ(parseIpAddress("2001:DB8:0::1")->toString(), "2001:db8::1");
  EXPECT_TRUE(parseIpAddress("::ffff:192.0.2.1")->v6);
  for (const char* bad : {"", "192.0.2", "192.0.2.256", "01.2.3.4", "[::1]", "::1%eth0",
                          "192.0.2.1:53", "example.com", " 192.0.2.1", "1:2:3:4:5:6:7:8:9"}) {
    EXPECT_FALSE(parseIpAddress(bad).has_value()) << bad;
  }
  EXPECT_FALSE(parseIpAddress(std::string(100, '1')).has_value());
}

TEST(IpAddress, OrderAndPrefixes) {
  EXPECT_LT(*parseIpAddress("9.255.255.255"), *parseIpAddress("10.0.0.0"));
  EXPECT_LT(*parseIpAddress("255.255.255.255"), *parseIpAddress("::"));
  const IpAddress net = *parseIpAddress("198.51.100.0");
  EXPECT_TRUE(isNetworkAddress(net, 24));
  EXPECT_TRUE(isNetworkAddress(net, 23));
  EXPECT_FALSE(isNetworkAddress(*parseIpAddress("198.51.101.0"), 23));
  EXPECT_FALSE(isNetworkAddress(*parseIpAddress("198.51.100.7"), 24));
  EXPECT_TRUE(isNetworkAddress(*parseIpAddress("198.51.100.7"), 32));
  EXPECT_TRUE(isNetworkAddress(*parseIpAddress("0.0.0.0"), 0));
  EXPECT_EQ(lastInPrefix(net, 24).toString(), "198.51.100.255");
  EXPECT_EQ(firstInPrefix(*parseIpAddress("198.51.100.7"), 25).toString(), "198.51.100.0");
  EXPECT_EQ(lastInPrefix(*parseIpAddress("2001:db8::"), 32).toString(),
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(IpAddress, SpecialPurposeBlocks) {
  const std::pair<const char*, const char*> cases[] = {
      {"10.1.2.3", "10.0.0.0/8, RFC 1918"},
      {"172.31.255.255", "172.16.0.0/12, RFC 1918"},
      {"192.168.1.1", "192.168.0.0/16, RFC 1918"},
      {"127.0.0.1", "127.0.0.0/8, RFC 6890"},
      {"100.64.0.1", "100.64.0.0/10, RFC 6598"},
      {"169.254.1.1", "169.254.0.0/16, RFC 3927"},
      {"192.0.2.1", "192.0.2.0/24, RFC 5737"},
      {"198.51.100.1", "198.51.100.0/24, RFC 5737"},
      {"203.0.113.1", "203.0.113.0/24, RFC 5737"},
      {"192.88.99.1", "192.88.99.0/24, RFC 3068"},
      {"198.19.0.1", "198.18.0.0/15, RFC 2544"},
      {"224.0.0.1", "224.0.0.0/4, RFC 5771"},
      {"255.255.255.255", "240.0.0.0/4, RFC 6890"},
      {"::1", "::1/128, RFC 6890"},
      {"fd00::1", "fc00::/7, RFC 4193"},
      {"fe80::1", "fe80::/10, RFC 4291"},
      {"2001:db8::1", "2001:db8::/32, RFC 3849"},
      {"::ffff:8.8.8.8", "::ffff:0:0/96, RFC 6890"},
  };
  for (const auto& [ip, block] : cases) {
    EXPECT_EQ(specialPurposeBlock(*parseIpAddress(ip)), std::optional<std::string>(block)) << ip;
  }
  for (const char* publicIp : {"8.8.8.8", "172.32.0.1", "2001:4860:4860::8888", "1.1.1.1"}) {
    EXPECT_FALSE(specialPurposeBlock(*parseIpAddress(publicIp)).has_value()) << publicIp;
  }
}

TEST(DnsName, NormalizeAndCheck) {
  EXPECT_EQ(normalizeDnsName("TM.Example.Test."), "tm.example.test");
  EXPECT_EQ(normalizeDnsName("."), "");
  EXPECT_FALSE(dnsNameProblem("a-b_c.example.test").has_value());
  EXPECT_FALSE(dnsNameProblem(std::string(63, 'a')).has_value());
  EXPECT_EQ(dnsNameProblem(""), std::optional<std::string>("must not be empty"));
  EXPECT_EQ(dnsNameProblem("a..b"), std::optional<std::string>("has an empty label"));
  EXPECT_EQ(dnsNameProblem(std::string(64, 'a')),
            std::optional<std::string>("has a label longer than 63 characters"));
  std::string longName;
  for (int i = 0; i < 4; ++i) {
    longName += std::string(63, 'a') + ".";
  }
  longName.pop_back();  // 255 characters
  EXPECT_EQ(dnsNameProblem(longName), std::optional<std::string>("is longer than 253 characters"));
  EXPECT_EQ(dnsNameProblem("a\x01"),
            std::optional<std::string>(
                "contains byte 0x01; only letters, digits, '-', '_' and '.' are allowed"));
  EXPECT_TRUE(isAtOrBelow("a.b.test", "b.test"));
  EXPECT_TRUE(isAtOrBelow("b.test", "b.test"));
  EXPECT_FALSE(isAtOrBelow("ab.test", "b.test"));
  EXPECT_FALSE(isAtOrBelow("test", "b.test"));
}

TEST(Path, Joining) {
  EXPECT_EQ(childPath("", "zones"), "zones");
  EXPECT_EQ(childPath("zones[0]", "name"), "zones[0].name");
  EXPECT_EQ(indexPath("zones", 2), "zones[2]");
  const std::string root = fileRootPath("zones[0].profile_files[1]", "profiles/app.json");
  EXPECT_EQ(root, "zones[0].profile_files[1] (profiles/app.json)");
  EXPECT_EQ(childPath(root, "endpoints"),
            "zones[0].profile_files[1] (profiles/app.json).endpoints");
  EXPECT_EQ(indexPath(root, 3), "zones[0].profile_files[1] (profiles/app.json)[3]");
  EXPECT_EQ(childPath(indexPath(root, 3), "name"),
            "zones[0].profile_files[1] (profiles/app.json)[3].name");
}

}  // namespace
}  // namespace tmdns::config
