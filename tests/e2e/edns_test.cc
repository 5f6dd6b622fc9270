// EDNS(0): OPT echo, payload sizes and truncation with TCP fallback, BADVERS, DO, options.
#include <gtest/gtest.h>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

class Edns : public StandardServerTest {};

std::vector<Rr> txtSet(const std::string& owner, const std::string& prefix, int count, char fill,
                       size_t fillLength) {
  std::vector<Rr> out;
  for (int i = 0; i < count; ++i) {
    char num[12];  // any int: GCC checks the whole range at -O0 (-Wformat-truncation)
    std::snprintf(num, sizeof num, "%02d", i);
    out.push_back(Rr::of(inZone(owner) + " 300 IN TXT \"" + prefix + "-" + num + "-" +
                         std::string(fillLength, fill) + "\""));
  }
  return out;
}

const std::vector<Rr> kFour = txtSet("four", "four", 4, 'f', 60);
const std::vector<Rr> kMedium = txtSet("medium", "medium", 12, 'm', 50);
const std::vector<Rr> kBig = txtSet("big", "big", 40, 'b', 53);

// The server's advertised and used UDP payload ceiling (config default maxUdpPayload).
constexpr uint16_t kServerPayload = 1232;

TEST_F(Edns, OptIsEchoedWithOurPayloadSize) {
  QueryOptions o;
  o.edns = true;
  o.udpSize = 4096;
  for (Via via : {Via::kUdp, Via::kTcp}) {
    auto m = ask(v4(), inZone("app"), LDNS_RR_TYPE_A, o, via);
    ASSERT_TRUE(m);
    EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR,
                               {Rr::of("app.tm.example.test. 300 IN A 192.0.2.10"),
                                Rr::of("app.tm.example.test. 300 IN A 192.0.2.11")},
                               {}));
    EXPECT_EQ(m->optCount, 1);
    EXPECT_EQ(m->optVersion, 0);
    EXPECT_EQ(m->optUdpSize, kServerPayload);
    EXPECT_FALSE(m->optDo);
  }
  auto r = dig(v4(), {inZone("app"), "A"});
  EXPECT_TRUE(r.hasEdns) << r.describe();
  EXPECT_EQ(r.ednsVersion, 0) << r.describe();
  EXPECT_EQ(r.ednsUdp, kServerPayload) << r.describe();
  auto k = kdig(v4(), {"+edns", inZone("app"), "A"});
  EXPECT_TRUE(k.hasEdns) << k.describe();
  EXPECT_EQ(k.ednsUdp, kServerPayload) << k.describe();
}

TEST_F(Edns, NoOptWithoutEdnsInTheQuery) {
  auto m = ask(v4(), inZone("app"), LDNS_RR_TYPE_A);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->hasOpt);
  EXPECT_EQ(m->arcount, 0);
  auto r = dig(v4(), {"+noedns", inZone("app"), "A"});
  EXPECT_FALSE(r.hasEdns) << r.describe();
  EXPECT_EQ(r.arcount, 0) << r.describe();
}

TEST_F(Edns, NegativeAnswersCarryOptToo) {
  QueryOptions o;
  o.edns = true;
  auto m = ask(v4(), inZone("nothere"), LDNS_RR_TYPE_A, o);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NXDOMAIN, {}, {kNegativeSoa}));
  EXPECT_EQ(m->optCount, 1);
  EXPECT_EQ(m->optUdpSize, kServerPayload);
}

TEST_F(Edns, DoBitIsCopied) {
  // RFC 3225 §3: the DO bit of the query MUST be copied in the response.
  QueryOptions o;
  o.edns = true;
  o.dnssecOk = true;
  auto m = ask(v4(), inZone("prio-ip"), LDNS_RR_TYPE_A, o);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR,
                             {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
  EXPECT_TRUE(m->hasOpt);
  EXPECT_TRUE(m->optDo);
}

TEST_F(Edns, BadversForEdnsVersion1) {
  // RFC 6891 §6.1.3: BADVERS (16), with an OPT of the highest version we support (0).
  QueryOptions o;
  o.edns = true;
  o.ednsVersion = 1;
  for (Via via : {Via::kUdp, Via::kTcp}) {
    auto m = ask(v4(), inZone("app"), LDNS_RR_TYPE_A, o, via);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rcode, 16);
    EXPECT_TRUE(m->qr);
    EXPECT_FALSE(m->ra);
    EXPECT_EQ(m->ancount, 0);
    EXPECT_EQ(m->optCount, 1);
    EXPECT_EQ(m->optVersion, 0);
  }
  auto r = dig(v4(), {"+edns=1", "+noednsnegotiation", inZone("app"), "A"});
  EXPECT_EQ(r.status, "BADVERS") << r.describe();
  EXPECT_TRUE(r.answer.empty()) << r.describe();
  EXPECT_EQ(r.ednsVersion, 0) << r.describe();
  EXPECT_FALSE(r.flag("ra")) << r.describe();
  auto k = kdig(v4(), {"+edns=1", inZone("app"), "A"});
  EXPECT_EQ(k.status, "BADVERS") << k.describe();
}

TEST_F(Edns, UnknownOptionsAndClientSubnetDoNotChangeStaticAnswers) {
  QueryOptions o;
  o.edns = true;
  o.ednsOptions = {0xFD, 0xE9, 0, 3, 'x', 'y', 'z'};  // option 65001 (local/experimental use)
  auto m = ask(v4(), inZone("prio-ip"), LDNS_RR_TYPE_A, o);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR,
                             {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
  o.ednsOptions = ecsOptionV4("198.51.100.0", 24);
  m = ask(v4(), inZone("prio-fqdn"), LDNS_RR_TYPE_A, o);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR,
                             {Rr::of("prio-fqdn.tm.example.test. 45 IN CNAME first.example.test.")},
                             {}));
  EXPECT_EQ(m->optCount, 1);
  // dig sends a client cookie by default; a server without cookie support ignores it.
  auto r = dig(v4(), {"+cookie", "+subnet=198.51.100.0/24", inZone("prio-ip"), "A"});
  EXPECT_TRUE(digMatches(r, "NOERROR", {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
}

TEST_F(Edns, PayloadBelow512IsTreatedAs512) {
  // RFC 6891 §6.2.5: values below 512 are treated as 512; "four" needs about 380 bytes.
  QueryOptions o;
  o.edns = true;
  o.udpSize = 100;
  auto m = ask(v4(), inZone("four"), LDNS_RR_TYPE_TXT, o);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, kFour, {}));
  EXPECT_LE(m->wire.size(), 512u);
}

TEST_F(Edns, TruncatedWithoutEdnsAbove512Bytes) {
  auto m = ask(v4(), inZone("medium"), LDNS_RR_TYPE_TXT);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->tc);
  EXPECT_TRUE(m->qr);
  EXPECT_TRUE(m->aa);
  EXPECT_FALSE(m->ra);
  EXPECT_EQ(m->rcode, LDNS_RCODE_NOERROR);
  EXPECT_LE(m->wire.size(), 512u);
  EXPECT_LT(m->ancount, kMedium.size());
  // The same over TCP: everything, no TC.
  auto t = ask(v4(), inZone("medium"), LDNS_RR_TYPE_TXT, {}, Via::kTcp);
  ASSERT_TRUE(t);
  EXPECT_TRUE(messageMatches(*t, LDNS_RCODE_NOERROR, kMedium, {}));
  EXPECT_GT(t->wire.size(), 512u);
}

TEST_F(Edns, EdnsPayloadSizeDecidesTruncation) {
  QueryOptions o;
  o.edns = true;
  o.udpSize = 1232;
  auto full = ask(v4(), inZone("medium"), LDNS_RR_TYPE_TXT, o);
  ASSERT_TRUE(full);
  EXPECT_TRUE(messageMatches(*full, LDNS_RCODE_NOERROR, kMedium, {}));
  EXPECT_GT(full->wire.size(), 512u);

  o.udpSize = 600;
  auto cut = ask(v4(), inZone("medium"), LDNS_RR_TYPE_TXT, o);
  ASSERT_TRUE(cut);
  EXPECT_TRUE(cut->tc);
  EXPECT_LE(cut->wire.size(), 600u);
  EXPECT_EQ(cut->rcode, LDNS_RCODE_NOERROR);

  // A requester offering more than our ceiling still gets at most our ceiling over UDP.
  o.udpSize = 65000;
  auto big = ask(v4(), inZone("big"), LDNS_RR_TYPE_TXT, o);
  ASSERT_TRUE(big);
  EXPECT_TRUE(big->tc);
  EXPECT_LE(big->wire.size(), kServerPayload);
  auto bigTcp = ask(v4(), inZone("big"), LDNS_RR_TYPE_TXT, o, Via::kTcp);
  ASSERT_TRUE(bigTcp);
  EXPECT_TRUE(messageMatches(*bigTcp, LDNS_RCODE_NOERROR, kBig, {}));
}

TEST_F(Edns, DigSeesTruncationAndRetriesOverTcp) {
  // Without EDNS over UDP: TC=1 (dig +ignore shows the truncated UDP answer)...
  auto tc = dig(v4(), {"+noedns", "+ignore", inZone("medium"), "TXT"});
  ASSERT_TRUE(tc.gotHeader) << tc.describe();
  EXPECT_TRUE(tc.flag("tc")) << tc.describe();
  EXPECT_TRUE(tc.flag("aa")) << tc.describe();
  EXPECT_FALSE(tc.flag("ra")) << tc.describe();
  EXPECT_EQ(tc.status, "NOERROR") << tc.describe();
  EXPECT_EQ(tc.transport, "UDP") << tc.describe();
  EXPECT_LE(tc.messageSize, 512) << tc.describe();

  // ...and by default dig retries over TCP and gets every record.
  auto retried = dig(v4(), {"+noedns", inZone("medium"), "TXT"});
  EXPECT_TRUE(retried.retriedTcp) << retried.describe();
  EXPECT_EQ(retried.transport, "TCP") << retried.describe();
  EXPECT_TRUE(digMatches(retried, "NOERROR", kMedium, {}));

  // With EDNS the 3000-byte RRset does not fit either; TCP carries it.
  auto big = dig(v4(), {"+bufsize=4096", inZone("big"), "TXT"});
  EXPECT_TRUE(big.retriedTcp) << big.describe();
  EXPECT_EQ(big.transport, "TCP") << big.describe();
  EXPECT_TRUE(digMatches(big, "NOERROR", kBig, {}));

  // kdig does the same.
  auto k = kdig(v4(), {inZone("medium"), "TXT"});
  EXPECT_EQ(k.transport, "TCP") << k.describe();
  EXPECT_TRUE(digMatches(k, "NOERROR", kMedium, {}));
  auto kIgnore = kdig(v4(), {"+ignore", inZone("medium"), "TXT"});
  EXPECT_TRUE(kIgnore.flag("tc")) << kIgnore.describe();
  EXPECT_EQ(kIgnore.transport, "UDP") << kIgnore.describe();
}

TEST_F(Edns, MediumAnswerFitsWithEdnsOverUdp) {
  auto r = dig(v4(), {"+bufsize=1232", inZone("medium"), "TXT"});
  EXPECT_FALSE(r.retriedTcp) << r.describe();
  EXPECT_EQ(r.transport, "UDP") << r.describe();
  EXPECT_TRUE(digMatches(r, "NOERROR", kMedium, {}));
}

}  // namespace
}  // namespace tmdns::e2e
