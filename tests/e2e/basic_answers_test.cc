// Positive answers from static records: apex SOA/NS, A/TXT/MX, CNAME chains, case, RD/RA, IPv6.
#include <gtest/gtest.h>

#include <cctype>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

class BasicAnswers : public StandardServerTest {};

const std::vector<Rr> kAppA = {Rr::of("app.tm.example.test. 300 IN A 192.0.2.10"),
                               Rr::of("app.tm.example.test. 300 IN A 192.0.2.11")};

TEST_F(BasicAnswers, ApexSoa) {
  for (const auto& r : allClients(v4(), kZone, "SOA")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {kApexSoa}, {}));
  }
  auto m = ask(v4(), kZone, LDNS_RR_TYPE_SOA);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, {kApexSoa}, {}));
}

TEST_F(BasicAnswers, ApexNs) {
  const std::vector<Rr> ns = {Rr::of(kZone + " 3600 IN NS ns1.tm.example.test."),
                              Rr::of(kZone + " 3600 IN NS ns2.tm.example.test.")};
  // Additional-section processing for NS (RFC 1034 §4.3.2) is optional: either no additional
  // records, or exactly the in-zone addresses of the name servers.
  const std::vector<Rr> glue = {Rr::of("ns1.tm.example.test. 3600 IN A 192.0.2.53"),
                                Rr::of("ns1.tm.example.test. 3600 IN AAAA 2001:db8::53"),
                                Rr::of("ns2.tm.example.test. 3600 IN A 192.0.2.54")};
  for (const auto& r : allClients(v4(), kZone, "NS")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", ns, {}, r.additional.empty() ? std::vector<Rr>{} : glue));
  }
  auto m = ask(v4(), kZone, LDNS_RR_TYPE_NS);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, ns, {},
                             m->additional.empty() ? std::vector<Rr>{} : glue));
}

TEST_F(BasicAnswers, StaticAddressRecords) {
  for (const auto& r : allClients(v4(), inZone("app"), "A")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", kAppA, {}));
  }
  for (const auto& r : allClients(v4(), inZone("ns1"), "AAAA")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR", {Rr::of("ns1.tm.example.test. 3600 IN AAAA 2001:db8::53")}, {}));
  }
  for (const auto& r : allClients(v4(), inZone("deep.a.b"), "A")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR", {Rr::of("deep.a.b.tm.example.test. 300 IN A 192.0.2.20")}, {}));
  }
}

TEST_F(BasicAnswers, StaticTxtAndMx) {
  for (const auto& r : allClients(v4(), inZone("note"), "TXT")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR", {Rr::of("note.tm.example.test. 300 IN TXT \"hello world\"")}, {}));
  }
  for (const auto& r : allClients(v4(), inZone("mail"), "MX")) {
    EXPECT_TRUE(digMatches(r, "NOERROR",
                           {Rr::of("mail.tm.example.test. 300 IN MX 10 mx.example.test.")}, {}));
  }
}

TEST_F(BasicAnswers, CnameToStaticNameIsFollowedInTheAnswer) {
  std::vector<Rr> expected = {Rr::of("www.tm.example.test. 300 IN CNAME app.tm.example.test.")};
  expected.insert(expected.end(), kAppA.begin(), kAppA.end());
  for (const auto& r : allClients(v4(), inZone("www"), "A")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", expected, {}));
  }
  auto m = ask(v4(), inZone("www"), LDNS_RR_TYPE_A);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, expected, {}));
}

TEST_F(BasicAnswers, CnameIntoAnIpv4ProfileIsFollowed) {
  const std::vector<Rr> expected = {
      Rr::of("alias.tm.example.test. 120 IN CNAME prio-ip.tm.example.test."),
      Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")};
  for (const auto& r : allClients(v4(), inZone("alias"), "A")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", expected, {}));
  }
}

TEST_F(BasicAnswers, CnameIntoAnFqdnProfileIsFollowed) {
  const std::vector<Rr> expected = {
      Rr::of("alias-fqdn.tm.example.test. 120 IN CNAME prio-fqdn.tm.example.test."),
      Rr::of("prio-fqdn.tm.example.test. 45 IN CNAME first.example.test.")};
  for (const auto& r : allClients(v4(), inZone("alias-fqdn"), "A")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", expected, {}));
  }
  for (const auto& r : allClients(v4(), inZone("alias-fqdn"), "AAAA")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", expected, {}));
  }
}

TEST_F(BasicAnswers, CnameOutOfOurZonesIsNotChased) {
  for (const auto& r : allClients(v4(), inZone("outside"), "A")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR",
                   {Rr::of("outside.tm.example.test. 300 IN CNAME elsewhere.example.test.")}, {}));
  }
}

TEST_F(BasicAnswers, CnameQueryReturnsTheCnameOnly) {
  for (const auto& r : allClients(v4(), inZone("www"), "CNAME")) {
    EXPECT_TRUE(digMatches(r, "NOERROR",
                           {Rr::of("www.tm.example.test. 300 IN CNAME app.tm.example.test.")}, {}));
  }
}

TEST_F(BasicAnswers, CnameToNameWithoutTheTypeEndsInNodata) {
  // RFC 2308 §2.2: the CNAME, then a NODATA for its target with the SOA in authority.
  for (const auto& r : allClients(v4(), inZone("www"), "AAAA")) {
    EXPECT_TRUE(digMatches(r, "NOERROR",
                           {Rr::of("www.tm.example.test. 300 IN CNAME app.tm.example.test.")},
                           {kNegativeSoa}));
  }
}

TEST_F(BasicAnswers, CnameToMissingNameInOurZoneIsNxdomain) {
  // RFC 6604 §2.1 / RFC 2308 §2.1: the rcode is that of the last name in the chain.
  for (const auto& r : allClients(v4(), inZone("dangling"), "A")) {
    EXPECT_TRUE(digMatches(
        r, "NXDOMAIN", {Rr::of("dangling.tm.example.test. 300 IN CNAME missing.tm.example.test.")},
        {kNegativeSoa}));
  }
}

// Lower-cases the names inside CNAME RDATA: what a resolver compares.
std::vector<Rr> lowerCnameTargets(std::vector<Rr> rrs) {
  for (auto& rr : rrs) {
    if (rr.type == "CNAME") {
      for (auto& c : rr.rdata) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
  }
  return rrs;
}

TEST_F(BasicAnswers, QueryNameCaseIsPreservedAndIgnoredForLookup) {
  const std::string mixed = "WwW.Tm.ExAmPlE.tEsT.";
  std::vector<Rr> expected = {Rr::of("www.tm.example.test. 300 IN CNAME app.tm.example.test.")};
  expected.insert(expected.end(), kAppA.begin(), kAppA.end());
  for (Via via : {Via::kUdp, Via::kTcp}) {
    auto m = ask(v4(), mixed, LDNS_RR_TYPE_A, {}, via);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->qname, mixed);  // byte-exact echo of the question (RFC 1035 §7.3, 0x20 use)
    EXPECT_EQ(m->qtype, LDNS_RR_TYPE_A);
    EXPECT_EQ(m->qclass, LDNS_RR_CLASS_IN);
    m->answer = lowerCnameTargets(m->answer);
    EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, expected, {}));
  }
  auto p = ask(v4(), "PRIO-IP.TM.EXAMPLE.TEST.", LDNS_RR_TYPE_A);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->qname, "PRIO-IP.TM.EXAMPLE.TEST.");
  EXPECT_TRUE(messageMatches(*p, LDNS_RCODE_NOERROR,
                             {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
}

TEST_F(BasicAnswers, RdataNamesKeepTheirConfiguredCaseWhateverTheQueryCase) {
  // RFC 4343 §4.1 asks servers to preserve the case of data they serve; a name compressed
  // against the query name must not take the query's case (BIND compresses case-sensitively
  // for this reason). The CNAME target is configured in lower case.
  for (const std::string& qname :
       {std::string("WWW.TM.EXAMPLE.TEST."), std::string("ALIAS-FQDN.Tm.Example.Test.")}) {
    SCOPED_TRACE(qname);
    auto m = ask(v4(), qname, LDNS_RR_TYPE_A);
    ASSERT_TRUE(m);
    ASSERT_FALSE(m->answer.empty());
    EXPECT_EQ(m->answer[0].type, "CNAME");
    EXPECT_TRUE(m->answer[0].rdata == "app.tm.example.test." ||
                m->answer[0].rdata == "prio-fqdn.tm.example.test.")
        << m->answer[0];
  }
}

TEST_F(BasicAnswers, RdIsEchoedAndRaNeverSet) {
  QueryOptions o;
  o.rd = true;
  o.id = 0x7a11;
  auto m = ask(v4(), inZone("app"), LDNS_RR_TYPE_A, o);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, 0x7a11);
  EXPECT_TRUE(m->rd);  // RFC 1035 §4.1.1: RD is copied into the response
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, kAppA, {}));
  // dig with recursion desired (the default) prints "qr aa rd": never "ra".
  auto r = dig(v4(), {"+rec", inZone("app"), "A"});
  EXPECT_TRUE(digMatches(r, "NOERROR", kAppA, {}, {}, {"qr", "aa", "rd"}));
}

TEST_F(BasicAnswers, WireHeaderOfAPlainAnswer) {
  QueryOptions o;
  o.id = 0xC0DE;
  auto m = ask(v4(), inZone("prio-ip"), LDNS_RR_TYPE_A, o);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, 0xC0DE);
  EXPECT_FALSE(m->rd);
  EXPECT_FALSE(m->hasOpt);  // no OPT without EDNS in the query (RFC 6891 §7)
  EXPECT_EQ(m->qname, "prio-ip.tm.example.test.");
  EXPECT_EQ(m->qdcount, 1);
  EXPECT_EQ(m->ancount, 1);
  EXPECT_EQ(m->nscount, 0);
  EXPECT_EQ(m->arcount, 0);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR,
                             {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
}

TEST_F(BasicAnswers, ServesOverIpv6Loopback) {
  const Address six = v6();
  EXPECT_EQ(six.host, "::1");
  for (const auto& r : allClients(six, kZone, "SOA")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {kApexSoa}, {}));
  }
  for (const auto& r : allClients(six, inZone("prio-ip6"), "AAAA")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR", {Rr::of("prio-ip6.tm.example.test. 90 IN AAAA 2001:db8::1")}, {}));
  }
  for (Via via : {Via::kUdp, Via::kTcp}) {
    auto m = ask(six, inZone("app"), LDNS_RR_TYPE_A, {}, via);
    ASSERT_TRUE(m);
    EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, kAppA, {}));
  }
}

TEST_F(BasicAnswers, ListensOnBothConfiguredAddresses) {
  ASSERT_EQ(server().listeners().size(), 2u) << server().log();
  EXPECT_EQ(server().listeners()[0].host, "127.0.0.1");
  EXPECT_EQ(server().listeners()[1].host, "::1");
  EXPECT_NE(server().listeners()[0].port, 0);
  EXPECT_NE(server().listeners()[1].port, 0);
  EXPECT_EQ(server().generation(), 1u);
}

}  // namespace
}  // namespace tmdns::e2e
