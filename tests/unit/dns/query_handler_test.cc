// Unit tests for dns::QueryHandler on static data: answers, negatives, flags, EDNS, truncation.
#include "dns/query_handler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/dns/handler_fixture.h"

namespace tmdns::dns {
namespace {

using test::additional;
using test::answers;
using test::authority;
using test::Bytes;
using test::decode;
using test::HandlerTest;
using test::kOtherSoa;
using test::kSoa;
using test::makeQuery;
using test::QueryOptions;
using test::rawU16;
using Strings = std::vector<std::string>;

QueryOptions withEdns(uint16_t udpSize = 1232, bool dnssecOk = false) {
  QueryOptions o;
  o.edns = true;
  o.udpSize = udpSize;
  o.dnssecOk = dnssecOk;
  return o;
}

// Flags every authoritative answer carries: QR, AA, RD copied, RA never, TC not set.
void expectAuthoritative(const test::Packet& p, ldns_pkt_rcode rcode) {
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), rcode);
  EXPECT_TRUE(ldns_pkt_qr(p.get()));
  EXPECT_TRUE(ldns_pkt_aa(p.get()));
  EXPECT_FALSE(ldns_pkt_tc(p.get()));
  EXPECT_FALSE(ldns_pkt_ra(p.get()));
  EXPECT_TRUE(ldns_pkt_rd(p.get()));
  EXPECT_EQ(ldns_pkt_id(p.get()), 0x1234);
}

TEST_F(HandlerTest, AnswersApexSoa) {
  auto p = askDecoded("example.test.", kTypeSoa);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  EXPECT_EQ(answers(p), Strings{"example.test. 3600 IN SOA ns1.example.test. "
                                "hostmaster.example.test. 1 3600 600 86400 300"});
  EXPECT_TRUE(authority(p).empty());
  EXPECT_TRUE(additional(p).empty());
  EXPECT_EQ(test::section(p.get(), LDNS_SECTION_QUESTION), Strings{"example.test. IN SOA"});
}

TEST_F(HandlerTest, AnswersApexNsWithGlueFromOurZone) {
  auto p = askDecoded("example.test.", kTypeNs);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  EXPECT_EQ(answers(p), (Strings{"example.test. 86400 IN NS ns1.example.test.",
                                 "example.test. 86400 IN NS ns2.example.test."}));
  EXPECT_EQ(additional(p), (Strings{"ns1.example.test. 3600 IN A 192.0.2.53",
                                    "ns2.example.test. 3600 IN AAAA 2001:db8::53"}));
}

struct StaticCase {
  std::string name;
  uint16_t type;
  Strings answer;
};

TEST_F(HandlerTest, AnswersStaticRRsetsOfSeveralTypes) {
  const std::vector<StaticCase> cases = {
      {"www.example.test.",
       kTypeA,
       {"www.example.test. 300 IN A 192.0.2.1", "www.example.test. 300 IN A 192.0.2.2"}},
      {"www.example.test.", kTypeAaaa, {"www.example.test. 300 IN AAAA 2001:db8::1"}},
      {"mail.example.test.", kTypeMx, {"mail.example.test. 300 IN MX 10 mx.example.test."}},
      {"txt.example.test.", kTypeTxt, {"txt.example.test. 300 IN TXT \"hello world\""}},
      {"a.b.c.example.test.", kTypeA, {"a.b.c.example.test. 300 IN A 192.0.2.3"}},
      {"www.other.test.", kTypeA, {"www.other.test. 300 IN A 192.0.2.80"}},
      // RFC 8482 §4.2: ANY gets one RRset, the first by type.
      {"www.example.test.",
       kTypeAny,
       {"www.example.test. 300 IN A 192.0.2.1", "www.example.test. 300 IN A 192.0.2.2"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + " " + std::to_string(c.type));
    auto p = askDecoded(c.name, c.type);
    expectAuthoritative(p, LDNS_RCODE_NOERROR);
    EXPECT_EQ(answers(p), c.answer);
    EXPECT_TRUE(authority(p).empty());
  }
}

TEST_F(HandlerTest, AnyAtTheApexAnswersTheNsRRset) {
  auto p = askDecoded("example.test.", kTypeAny);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  EXPECT_EQ(answers(p), (Strings{"example.test. 86400 IN NS ns1.example.test.",
                                 "example.test. 86400 IN NS ns2.example.test."}));
}

struct NegativeCase {
  std::string name;
  uint16_t type;
  ldns_pkt_rcode rcode;
  std::string soa;
};

TEST_F(HandlerTest, NegativeAnswersCarryTheZoneSoaWithTheNegativeTtl) {
  const std::vector<NegativeCase> cases = {
      {"nope.example.test.", kTypeA, LDNS_RCODE_NXDOMAIN, kSoa},
      {"deep.nope.example.test.", kTypeAaaa, LDNS_RCODE_NXDOMAIN, kSoa},
      {"x.a.b.c.example.test.", kTypeA, LDNS_RCODE_NXDOMAIN, kSoa},
      {"nope.other.test.", kTypeA, LDNS_RCODE_NXDOMAIN, kOtherSoa},  // min(60, 300)
      {"www.example.test.", kTypeMx, LDNS_RCODE_NOERROR, kSoa},
      {"example.test.", kTypeA, LDNS_RCODE_NOERROR, kSoa},
      {"www.other.test.", kTypeTxt, LDNS_RCODE_NOERROR, kOtherSoa},
      // Empty non-terminals exist (RFC 8020): NODATA, not NXDOMAIN.
      {"b.c.example.test.", kTypeA, LDNS_RCODE_NOERROR, kSoa},
      {"c.example.test.", kTypeAny, LDNS_RCODE_NOERROR, kSoa},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + " " + std::to_string(c.type));
    auto p = askDecoded(c.name, c.type);
    expectAuthoritative(p, c.rcode);
    EXPECT_TRUE(answers(p).empty());
    EXPECT_EQ(authority(p), Strings{c.soa});
    EXPECT_TRUE(additional(p).empty());
  }
  EXPECT_EQ(handler_.counters().nxdomain, 4u);
  EXPECT_EQ(handler_.counters().nodata, 5u);
}

TEST_F(HandlerTest, RefusesNamesOutsideOurZonesWithoutAa) {
  for (const std::string name : {"www.example.com.", "test.", ".", "example.test.com."}) {
    SCOPED_TRACE(name);
    auto p = askDecoded(name, kTypeA);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
    EXPECT_FALSE(ldns_pkt_aa(p.get()));
    EXPECT_TRUE(answers(p).empty());
    EXPECT_TRUE(authority(p).empty());
    EXPECT_EQ(ldns_pkt_qdcount(p.get()), 1);
  }
  EXPECT_EQ(handler_.counters().refused, 4u);
}

TEST_F(HandlerTest, RefusesOtherClassesAndZoneTransfers) {
  QueryOptions chaos;
  chaos.qclass = 3;
  const struct {
    uint16_t type;
    QueryOptions options;
  } cases[] = {{kTypeA, chaos}, {kTypeAxfr, {}}, {kTypeIxfr, {}}};
  for (const auto& c : cases) {
    auto p = askDecoded("example.test.", c.type, c.options);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
    EXPECT_FALSE(ldns_pkt_aa(p.get()));
    EXPECT_TRUE(answers(p).empty());
  }
}

TEST_F(HandlerTest, NotImplementedOpcodesEchoTheOpcode) {
  QueryOptions o;
  o.flags = static_cast<uint16_t>((2 << 11) | kFlagRd);  // STATUS
  const Bytes response = ask(makeQuery("example.test.", kTypeSoa, o));
  auto p = decode(response);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOTIMPL);
  EXPECT_EQ(ldns_pkt_get_opcode(p.get()), LDNS_PACKET_STATUS);
  EXPECT_TRUE(ldns_pkt_qr(p.get()));
  EXPECT_FALSE(ldns_pkt_aa(p.get()));
  EXPECT_TRUE(answers(p).empty());
  EXPECT_EQ(handler_.counters().notimp, 1u);
}

TEST_F(HandlerTest, StaysSilentForResponsesAndRunts) {
  Bytes response = makeQuery("example.test.", kTypeSoa);
  response[2] |= 0x80;
  EXPECT_TRUE(ask(response).empty());
  EXPECT_TRUE(ask(Bytes{0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0}).empty());
  EXPECT_TRUE(ask(Bytes{}).empty());
  EXPECT_EQ(handler_.counters().dropped, 3u);
  EXPECT_EQ(handler_.counters().responses, 0u);
  EXPECT_EQ(handler_.counters().queries, 3u);
}

TEST_F(HandlerTest, CopiesRdAndCdAndNeverSetsRa) {
  QueryOptions o;
  o.flags = kFlagCd;  // RD=0, CD=1
  const Bytes response = ask(makeQuery("www.example.test.", kTypeA, o));
  auto p = decode(response);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(ldns_pkt_rd(p.get()));
  EXPECT_TRUE(ldns_pkt_cd(p.get()));
  EXPECT_FALSE(ldns_pkt_ra(p.get()));
  EXPECT_FALSE(ldns_pkt_ad(p.get()));
  EXPECT_TRUE(ldns_pkt_aa(p.get()));
}

TEST_F(HandlerTest, PreservesTheQuestionCaseAndPointsOwnersAtIt) {
  const Bytes response = ask(makeQuery("WwW.ExAmPlE.TeSt.", kTypeA));
  auto p = decode(response);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  EXPECT_EQ(test::section(p.get(), LDNS_SECTION_QUESTION), Strings{"WwW.ExAmPlE.TeSt. IN A"});
  EXPECT_EQ(answers(p), (Strings{"WwW.ExAmPlE.TeSt. 300 IN A 192.0.2.1",
                                 "WwW.ExAmPlE.TeSt. 300 IN A 192.0.2.2"}));
  const size_t firstAnswer = 12 + 18 + 4;
  EXPECT_EQ(rawU16(response, firstAnswer), 0xC00C);
  EXPECT_EQ(rawU16(response, firstAnswer + 16), 0xC00C);
}

TEST_F(HandlerTest, KeepsTheConfiguredCaseOfDataWhateverTheQueryCase) {
  // RFC 4343 §4.1: the CNAME target is served as configured, not in the query's case.
  auto p = askDecoded("ALIAS.Example.TEST.", kTypeA);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  EXPECT_EQ(answers(p), (Strings{"ALIAS.Example.TEST. 120 IN CNAME www.example.test.",
                                 "www.example.test. 300 IN A 192.0.2.1",
                                 "www.example.test. 300 IN A 192.0.2.2"}));
  auto app = askDecoded("APP.EXAMPLE.TEST.", kTypeA);
  EXPECT_EQ(answers(app), Strings{"APP.EXAMPLE.TEST. 30 IN CNAME web.example.net."});
  // The negative SOA owner is the apex as the query spelled it; its RDATA as configured.
  auto nx = askDecoded("NoPe.EXAMPLE.test.", kTypeA);
  expectAuthoritative(nx, LDNS_RCODE_NXDOMAIN);
  EXPECT_EQ(authority(nx), Strings{"EXAMPLE.test. 300 IN SOA ns1.example.test. "
                                   "hostmaster.example.test. 1 3600 600 86400 300"});
}

TEST_F(HandlerTest, CompressesTheResponse) {
  const Bytes response = ask(makeQuery("example.test.", kTypeNs));
  auto p = decode(response);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  // Uncompressed: header 12, question 14+4, 2 NS (14+10+18 each), glue A (18+10+4) and AAAA
  // (18+10+16).
  const size_t uncompressed = 12 + 18 + 2 * (14 + 10 + 18) + (18 + 10 + 4) + (18 + 10 + 16);
  EXPECT_LT(response.size(), uncompressed);
  // Owners 2, NS RDATA "ns1" + pointer 6, glue owners pointers 2.
  EXPECT_EQ(response.size(), 12 + 18 + 2 * (2 + 10 + 6) + (2 + 10 + 4) + (2 + 10 + 16));
  EXPECT_EQ(additional(p).size(), 2u);
}

TEST_F(HandlerTest, EchoesOptWithOurPayloadSizeAndTheDoBit) {
  for (const bool dnssecOk : {false, true}) {
    const Bytes response = ask(makeQuery("www.example.test.", kTypeA, withEdns(4096, dnssecOk)));
    auto p = decode(response);
    expectAuthoritative(p, LDNS_RCODE_NOERROR);
    EXPECT_EQ(rawU16(response, 10), 1);  // ARCOUNT: the OPT
    EXPECT_EQ(ldns_pkt_edns_udp_size(p.get()), 1232);
    EXPECT_EQ(ldns_pkt_edns_version(p.get()), 0);
    EXPECT_EQ(ldns_pkt_edns_extended_rcode(p.get()), 0);
    EXPECT_EQ(ldns_pkt_edns_do(p.get()), dnssecOk);
    EXPECT_TRUE(test::optData(p).empty());
  }
  // No OPT in the query: none in the response.
  const Bytes plain = ask(makeQuery("www.example.test.", kTypeA));
  EXPECT_EQ(rawU16(plain, 10), 0);
}

TEST_F(HandlerTest, AnswersBadversForEdnsVersionsAboveZero) {
  QueryOptions o = withEdns();
  o.version = 1;
  const Bytes response = ask(makeQuery("www.example.test.", kTypeA, o));
  auto p = decode(response);
  ASSERT_NE(p, nullptr);
  // RFC 6891 §6.1.3: BADVERS = 16, upper 8 bits (1) in the OPT, lower 4 (0) in the header.
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(p.get()), 1);
  EXPECT_EQ(ldns_pkt_edns_version(p.get()), 0);
  EXPECT_FALSE(ldns_pkt_aa(p.get()));
  EXPECT_TRUE(answers(p).empty());
  EXPECT_EQ(handler_.counters().badvers, 1u);
}

TEST_F(HandlerTest, TruncatesAt512WithoutEdnsAndKeepsTheQuestion) {
  const Bytes response = ask(makeQuery("mid.example.test.", kTypeTxt));
  ASSERT_LE(response.size(), 512u);
  auto p = decode(response);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(ldns_pkt_tc(p.get()));
  EXPECT_TRUE(ldns_pkt_aa(p.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ldns_pkt_qdcount(p.get()), 1);
  EXPECT_TRUE(answers(p).empty());  // RFC 2181 §9: no partial RRset
  EXPECT_EQ(response.size(), 12u + 18u + 4u);
  EXPECT_EQ(handler_.counters().truncated, 1u);

  // The same answer fits the default EDNS size.
  const Bytes edns = ask(makeQuery("mid.example.test.", kTypeTxt, withEdns(1232)));
  auto full = decode(edns);
  ASSERT_NE(full, nullptr);
  EXPECT_FALSE(ldns_pkt_tc(full.get()));
  EXPECT_EQ(answers(full).size(), 10u);
  EXPECT_GT(edns.size(), 512u);
  // A requested size below 512 counts as 512 (RFC 6891 §6.2.5).
  auto small = decode(ask(makeQuery("mid.example.test.", kTypeTxt, withEdns(100))));
  EXPECT_TRUE(ldns_pkt_tc(small.get()));
}

TEST_F(HandlerTest, TruncatesAtTheEdnsSizeCappedByOurMaximum) {
  for (const uint16_t requested : {uint16_t{1232}, uint16_t{4096}, uint16_t{65535}}) {
    const Bytes response = ask(makeQuery("big.example.test.", kTypeTxt, withEdns(requested)));
    ASSERT_LE(response.size(), 1232u);
    auto p = decode(response);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(ldns_pkt_tc(p.get()));
    EXPECT_TRUE(answers(p).empty());
    EXPECT_EQ(ldns_pkt_edns_udp_size(p.get()), 1232);  // the OPT survives truncation
    EXPECT_EQ(response.size(), 12u + 18u + 4u + 11u);
  }
  // A larger configured maximum lets a large request through.
  snapshot_ = test::buildFixtureSnapshot(4096);
  auto p = decode(ask(makeQuery("big.example.test.", kTypeTxt, withEdns(4096))));
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(ldns_pkt_tc(p.get()));
  EXPECT_EQ(answers(p).size(), 60u);
  EXPECT_EQ(ldns_pkt_edns_udp_size(p.get()), 4096);
}

TEST_F(HandlerTest, TcpCarriesWhatUdpCannotUpToTheBuffer) {
  const Bytes response = ask(makeQuery("big.example.test.", kTypeTxt), Transport::kTcp);
  auto p = decode(response);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  EXPECT_EQ(answers(p).size(), 60u);
  EXPECT_GT(response.size(), 3000u);
  EXPECT_EQ(answers(p)[0], "big.example.test. 300 IN TXT \"" + test::bigTxt(0) + "\"");
  // A TCP response never exceeds the caller's buffer.
  const Bytes clipped =
      ask(makeQuery("big.example.test.", kTypeTxt), Transport::kTcp, /*outSize=*/600);
  ASSERT_LE(clipped.size(), 600u);
  auto t = decode(clipped);
  EXPECT_TRUE(ldns_pkt_tc(t.get()));
  EXPECT_TRUE(answers(t).empty());
}

struct ChainCase {
  std::string name;
  uint16_t type;
  ldns_pkt_rcode rcode;
  Strings answer;
  Strings authority;
};

TEST_F(HandlerTest, FollowsCnamesWithinOurZones) {
  const std::string www1 = "www.example.test. 300 IN A 192.0.2.1";
  const std::string www2 = "www.example.test. 300 IN A 192.0.2.2";
  const std::vector<ChainCase> cases = {
      {"alias.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"alias.example.test. 120 IN CNAME www.example.test.", www1, www2},
       {}},
      {"chain1.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"chain1.example.test. 120 IN CNAME chain2.example.test.",
        "chain2.example.test. 120 IN CNAME www.example.test.", www1, www2},
       {}},
      // The CNAME itself answers CNAME and ANY queries (RFC 1034 §4.3.2 step 3a).
      {"alias.example.test.",
       kTypeCname,
       LDNS_RCODE_NOERROR,
       {"alias.example.test. 120 IN CNAME www.example.test."},
       {}},
      {"alias.example.test.",
       kTypeAny,
       LDNS_RCODE_NOERROR,
       {"alias.example.test. 120 IN CNAME www.example.test."},
       {}},
      // RFC 6604: the rcode and the negative SOA describe the last name of the chain.
      {"alias.example.test.",
       kTypeMx,
       LDNS_RCODE_NOERROR,
       {"alias.example.test. 120 IN CNAME www.example.test."},
       {kSoa}},
      {"dangling.example.test.",
       kTypeA,
       LDNS_RCODE_NXDOMAIN,
       {"dangling.example.test. 120 IN CNAME missing.example.test."},
       {kSoa}},
      {"to-other.example.test.",
       kTypeA,
       LDNS_RCODE_NXDOMAIN,
       {"to-other.example.test. 120 IN CNAME nothing.other.test."},
       {kOtherSoa}},
      // A target outside our zones is left to the resolver.
      {"out.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"out.example.test. 120 IN CNAME www.elsewhere.invalid."},
       {}},
      // A loop stops at the first repeated name.
      {"loop1.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"loop1.example.test. 120 IN CNAME loop2.example.test.",
        "loop2.example.test. 120 IN CNAME loop1.example.test."},
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + " " + std::to_string(c.type));
    auto p = askDecoded(c.name, c.type);
    expectAuthoritative(p, c.rcode);
    EXPECT_EQ(answers(p), c.answer);
    EXPECT_EQ(authority(p), c.authority);
  }
}

TEST_F(HandlerTest, BoundsLongCnameChains) {
  auto p = askDecoded("c0.example.test.", kTypeA);
  expectAuthoritative(p, LDNS_RCODE_NOERROR);
  const Strings got = answers(p);
  ASSERT_EQ(got.size(), 8u);  // kMaxCnameChain links, then the resolver takes over
  EXPECT_EQ(got.front(), "c0.example.test. 120 IN CNAME c1.example.test.");
  EXPECT_EQ(got.back(), "c7.example.test. 120 IN CNAME c8.example.test.");
  EXPECT_TRUE(authority(p).empty());
}

TEST_F(HandlerTest, CountsWhatItDoes) {
  askDecoded("www.example.test.", kTypeA);
  askDecoded("nope.example.test.", kTypeA);
  askDecoded("www.example.test.", kTypeMx);
  const HandlerCounters& c = handler_.counters();
  EXPECT_EQ(c.queries, 3u);
  EXPECT_EQ(c.responses, 3u);
  EXPECT_EQ(c.nxdomain, 1u);
  EXPECT_EQ(c.nodata, 1u);
  EXPECT_EQ(c.formerr, 0u);
  EXPECT_EQ(c.truncated, 0u);
}

}  // namespace
}  // namespace tmdns::dns
