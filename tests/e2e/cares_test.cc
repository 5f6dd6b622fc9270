// A real stub resolver (c-ares) against tmdns: A, AAAA, CNAME answers, negatives, TCP, IPv6.
#include <ares.h>
#include <arpa/nameser.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/e2e/cares_client.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

class Cares : public StandardServerTest {};

using Addrs = std::vector<std::pair<std::string, int>>;

Addrs sortedAddrs(Addrs a) {
  std::sort(a.begin(), a.end());
  return a;
}

TEST_F(Cares, ResolvesAForAnIpv4Profile) {
  CaresResolver r(v4());
  ASSERT_EQ(r.error(), "");
  auto a = r.query(inZone("prio-ip"), ns_t_a);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  auto p = parseAReply(a.abuf);
  ASSERT_EQ(p.status, ARES_SUCCESS) << ares_strerror(p.status);
  EXPECT_EQ(p.hostName, "prio-ip.tm.example.test");
  EXPECT_EQ(p.addresses, (Addrs{{"192.0.2.1", 60}}));
}

TEST_F(Cares, ResolvesAaaaForAnIpv6Profile) {
  CaresResolver r(v4());
  auto a = r.query(inZone("prio-ip6"), ns_t_aaaa);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  auto p = parseAaaaReply(a.abuf);
  ASSERT_EQ(p.status, ARES_SUCCESS) << ares_strerror(p.status);
  EXPECT_EQ(p.addresses, (Addrs{{"2001:db8::1", 90}}));
}

TEST_F(Cares, GetsTheCnameOfAnFqdnProfile) {
  // The target (first.example.test) is not ours, so the answer is the CNAME alone; c-ares
  // reports it as the canonical name with the profile name as alias and no address.
  CaresResolver r(v4());
  for (int type : {ns_t_a, ns_t_aaaa}) {
    SCOPED_TRACE(type);
    auto a = r.query(inZone("prio-fqdn"), type);
    ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
    auto p = type == ns_t_a ? parseAReply(a.abuf) : parseAaaaReply(a.abuf);
    ASSERT_EQ(p.status, ARES_SUCCESS) << ares_strerror(p.status);
    EXPECT_EQ(p.hostName, "first.example.test");
    EXPECT_EQ(p.aliases, std::vector<std::string>{"prio-fqdn.tm.example.test"});
    EXPECT_TRUE(p.addresses.empty());
    std::string error;
    auto m = decode(a.abuf, error);
    ASSERT_TRUE(m) << error;
    EXPECT_TRUE(
        messageMatches(*m, LDNS_RCODE_NOERROR,
                       {Rr::of("prio-fqdn.tm.example.test. 45 IN CNAME first.example.test.")}, {}));
  }
}

TEST_F(Cares, FollowsAStaticCnameWithinTheAnswer) {
  CaresResolver r(v4());
  auto a = r.query(inZone("www"), ns_t_a);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  auto p = parseAReply(a.abuf);
  ASSERT_EQ(p.status, ARES_SUCCESS) << ares_strerror(p.status);
  EXPECT_EQ(p.hostName, "app.tm.example.test");
  EXPECT_EQ(p.aliases, std::vector<std::string>{"www.tm.example.test"});
  EXPECT_EQ(sortedAddrs(p.addresses), (Addrs{{"192.0.2.10", 300}, {"192.0.2.11", 300}}));
  // And into a profile.
  auto b = r.query(inZone("alias"), ns_t_a);
  ASSERT_EQ(b.status, ARES_SUCCESS) << ares_strerror(b.status);
  auto q = parseAReply(b.abuf);
  ASSERT_EQ(q.status, ARES_SUCCESS) << ares_strerror(q.status);
  EXPECT_EQ(q.hostName, "prio-ip.tm.example.test");
  EXPECT_EQ(q.addresses, (Addrs{{"192.0.2.1", 60}}));
}

TEST_F(Cares, MultiValueGivesThreeDistinctAddresses) {
  CaresResolver r(v4());
  auto a = r.query(inZone("multi"), ns_t_a);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  auto p = parseAReply(a.abuf);
  ASSERT_EQ(p.status, ARES_SUCCESS);
  ASSERT_EQ(p.addresses.size(), 3u);
  std::set<std::string> distinct;
  for (const auto& [addr, ttl] : p.addresses) {
    EXPECT_TRUE(addr.rfind("203.0.113.", 0) == 0 && addr != "203.0.113.6") << addr;
    EXPECT_EQ(ttl, 20);
    distinct.insert(addr);
  }
  EXPECT_EQ(distinct.size(), 3u);
}

TEST_F(Cares, NegativeAnswersMapToEnotfoundAndEnodata) {
  CaresResolver r(v4());
  EXPECT_EQ(r.query(inZone("nothere"), ns_t_a).status, ARES_ENOTFOUND);
  EXPECT_EQ(r.query(inZone("disabled-profile"), ns_t_a).status, ARES_ENOTFOUND);
  EXPECT_EQ(r.query(inZone("none-enabled"), ns_t_a).status, ARES_ENOTFOUND);
  EXPECT_EQ(r.query(inZone("prio-ip"), ns_t_aaaa).status, ARES_ENODATA);
  EXPECT_EQ(r.query(inZone("partners"), ns_t_a).status, ARES_ENODATA);
  // c-ares treats REFUSED as a server failure (ARES_ECONNREFUSED after its tries) unless told
  // to pass every response through; then the rcode shows as ARES_EREFUSED.
  EXPECT_EQ(r.query("example.com", ns_t_a).status, ARES_ECONNREFUSED);
  CaresResolver raw(v4(), ARES_FLAG_NOCHECKRESP);
  auto refused = raw.query("example.com", ns_t_a);
  EXPECT_EQ(refused.status, ARES_EREFUSED) << ares_strerror(refused.status);
  std::string error;
  auto m = decode(refused.abuf, error);
  ASSERT_TRUE(m) << error;
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_REFUSED, {}, {}, {}, /*aa=*/false));
}

TEST_F(Cares, SearchDoesNotAppendDomains) {
  CaresResolver r(v4());
  auto full = r.search(inZone("prio-ip"), ns_t_a);
  ASSERT_EQ(full.status, ARES_SUCCESS) << ares_strerror(full.status);
  EXPECT_EQ(parseAReply(full.abuf).addresses, (Addrs{{"192.0.2.1", 60}}));
  // With ARES_FLAG_NOSEARCH a single label is asked as is ("prio-ip."): not our zone, REFUSED
  // (seen as such with ARES_FLAG_NOCHECKRESP), and no other name is tried.
  CaresResolver raw(v4(), ARES_FLAG_NOCHECKRESP);
  auto single = raw.search("prio-ip", ns_t_a);
  EXPECT_EQ(single.status, ARES_EREFUSED) << ares_strerror(single.status);
  std::string error;
  auto m = decode(single.abuf, error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(m->qname, "prio-ip.");
}

TEST_F(Cares, OverTcp) {
  CaresResolver r(v4(), ARES_FLAG_USEVC);
  auto a = r.query(inZone("prio-ip"), ns_t_a);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  EXPECT_EQ(parseAReply(a.abuf).addresses, (Addrs{{"192.0.2.1", 60}}));
  auto big = r.query(inZone("big"), ns_t_txt);
  ASSERT_EQ(big.status, ARES_SUCCESS) << ares_strerror(big.status);
  std::string error;
  auto m = decode(big.abuf, error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(m->answer.size(), 40u);
}

TEST_F(Cares, FallsBackToTcpOnTruncation) {
  // c-ares without EDNS: the 900-byte RRset is truncated over UDP and fetched over TCP.
  CaresResolver r(v4());
  auto a = r.query(inZone("medium"), ns_t_txt);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  std::string error;
  auto m = decode(a.abuf, error);
  ASSERT_TRUE(m) << error;
  EXPECT_FALSE(m->tc);
  EXPECT_EQ(m->answer.size(), 12u);
}

TEST_F(Cares, OverIpv6) {
  CaresResolver r(v6());
  ASSERT_EQ(r.error(), "");
  auto a = r.query(inZone("prio-ip"), ns_t_a);
  ASSERT_EQ(a.status, ARES_SUCCESS) << ares_strerror(a.status);
  EXPECT_EQ(parseAReply(a.abuf).addresses, (Addrs{{"192.0.2.1", 60}}));
  auto b = r.query(inZone("prio-ip6"), ns_t_aaaa);
  ASSERT_EQ(b.status, ARES_SUCCESS) << ares_strerror(b.status);
  EXPECT_EQ(parseAaaaReply(b.abuf).addresses, (Addrs{{"2001:db8::1", 90}}));
}

}  // namespace
}  // namespace tmdns::e2e
