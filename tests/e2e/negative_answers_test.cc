// Negative answers: NXDOMAIN, NODATA, empty non-terminals, REFUSED, NOTIMP, FORMERR, silence.
#include <gtest/gtest.h>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

class NegativeAnswers : public StandardServerTest {};

// "a.b." -> 1 'a' 1 'b' 0
Bytes wireName(const std::string& name) {
  Bytes out;
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) {
      dot = name.size();
    }
    out.push_back(static_cast<uint8_t>(dot - start));
    out.insert(out.end(), name.begin() + static_cast<long>(start),
               name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an = 0, uint16_t ns = 0,
             uint16_t ar = 0) {
  return {static_cast<uint8_t>(id >> 8),    static_cast<uint8_t>(id),
          static_cast<uint8_t>(flags >> 8), static_cast<uint8_t>(flags),
          static_cast<uint8_t>(qd >> 8),    static_cast<uint8_t>(qd),
          static_cast<uint8_t>(an >> 8),    static_cast<uint8_t>(an),
          static_cast<uint8_t>(ns >> 8),    static_cast<uint8_t>(ns),
          static_cast<uint8_t>(ar >> 8),    static_cast<uint8_t>(ar)};
}

Bytes question(const std::string& name, uint16_t type) {
  Bytes q = wireName(name);
  q.insert(q.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 1});
  return q;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(NegativeAnswers, NxdomainForMissingNames) {
  for (const std::string name : {"nothere", "x.app", "x.prio-ip", "x.partners", "x.deep.a.b"}) {
    SCOPED_TRACE(name);
    for (const auto& r : allClients(v4(), inZone(name), "A")) {
      EXPECT_TRUE(digMatches(r, "NXDOMAIN", {}, {kNegativeSoa}));
    }
    auto m = ask(v4(), inZone(name), LDNS_RR_TYPE_AAAA);
    ASSERT_TRUE(m);
    EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NXDOMAIN, {}, {kNegativeSoa}));
  }
}

TEST_F(NegativeAnswers, NodataForExistingNamesWithoutTheType) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"app", "AAAA"}, {"app", "MX"},  {"note", "A"},   {"mail", "A"},
      {"ns2", "AAAA"}, {"app", "TXT"}, {"ns1", "CNAME"}};
  for (const auto& [name, type] : cases) {
    SCOPED_TRACE(name + " " + type);
    for (const auto& r : allClients(v4(), inZone(name), type)) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
    }
  }
  for (const auto& r : allClients(v4(), kZone, "A")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
  }
  auto m = ask(v4(), inZone("app"), LDNS_RR_TYPE_AAAA);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, {}, {kNegativeSoa}));
}

TEST_F(NegativeAnswers, EmptyNonTerminalsOfStaticNamesAreNodata) {
  // deep.a.b exists, so a.b and b exist without data (RFC 8020 forbids NXDOMAIN here).
  for (const std::string name : {"a.b", "b"}) {
    SCOPED_TRACE(name);
    for (const auto& r : allClients(v4(), inZone(name), "A")) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
    }
  }
}

TEST_F(NegativeAnswers, ParentOfDottedRelativeNameIsAnEmptyNonTerminal) {
  for (const std::string type : {"A", "AAAA", "CNAME", "TXT"}) {
    for (const auto& r : allClients(v4(), inZone("partners"), type)) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
    }
  }
  for (const auto& r : allClients(v4(), inZone("app.partners"), "A")) {
    EXPECT_TRUE(digMatches(
        r, "NOERROR",
        {Rr::of("app.partners.tm.example.test. 25 IN CNAME partner-app.example.test.")}, {}));
  }
}

TEST_F(NegativeAnswers, RefusedOutsideOurZones) {
  for (const std::string name :
       {"example.com.", "example.test.", "test.", "other.example.test.", "xtm.example.test."}) {
    SCOPED_TRACE(name);
    for (const auto& r : allClients(v4(), name, "A")) {
      EXPECT_TRUE(digMatches(r, "REFUSED", {}, {}, {}, {"qr"}));
    }
    auto m = ask(v4(), name, LDNS_RR_TYPE_SOA);
    ASSERT_TRUE(m);
    EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_REFUSED, {}, {}, {}, /*aa=*/false));
  }
  auto root = ask(v4(), ".", LDNS_RR_TYPE_NS);
  ASSERT_TRUE(root);
  EXPECT_TRUE(messageMatches(*root, LDNS_RCODE_REFUSED, {}, {}, {}, false));
}

TEST_F(NegativeAnswers, NotImpForOpcodesOtherThanQuery) {
  for (ldns_pkt_opcode op :
       {LDNS_PACKET_IQUERY, LDNS_PACKET_STATUS, LDNS_PACKET_NOTIFY, LDNS_PACKET_UPDATE}) {
    SCOPED_TRACE(static_cast<int>(op));
    QueryOptions o;
    o.opcode = op;
    o.id = static_cast<uint16_t>(0x1100 + op);
    for (Via via : {Via::kUdp, Via::kTcp}) {
      auto m = ask(v4(), kZone, LDNS_RR_TYPE_SOA, o, via);
      ASSERT_TRUE(m);
      EXPECT_TRUE(m->qr);
      EXPECT_EQ(m->id, o.id);
      EXPECT_EQ(m->opcode, static_cast<int>(op));  // RFC 1035 §4.1.1: copied into the response
      EXPECT_EQ(m->rcode, LDNS_RCODE_NOTIMPL);
      EXPECT_FALSE(m->ra);
      EXPECT_FALSE(m->tc);
      EXPECT_EQ(m->ancount, 0);
      EXPECT_EQ(m->nscount, 0);
    }
  }
  auto r = dig(v4(), {"+opcode=status", kZone, "SOA"});
  EXPECT_EQ(r.status, "NOTIMP") << r.describe();
  EXPECT_EQ(r.opcode, "STATUS") << r.describe();
  EXPECT_FALSE(r.flag("ra")) << r.describe();
}

struct Malformed {
  const char* what;
  Bytes wire;
};

std::vector<Malformed> malformedQueries() {
  const Bytes q = question("app.tm.example.test", LDNS_RR_TYPE_A);
  Bytes cutLabel = concat(header(0xF001, 0, 1), q);
  cutLabel.resize(12 + 6);  // "\3app\23tm" cut in the middle of the second label
  Bytes noType = concat(header(0xF002, 0, 1), wireName("app.tm.example.test"));
  Bytes longLabel = concat(header(0xF003, 0, 1), Bytes{60, 'a', 'b', 'c', 0, 0, 1, 0, 1});
  Bytes loop = concat(header(0xF004, 0, 1), Bytes{0xC0, 12, 0, 1, 0, 1});  // points at itself
  Bytes forward = concat(header(0xF005, 0, 1), Bytes{0xC0, 200, 0, 1, 0, 1});
  Bytes twoQuestions = concat(concat(header(0xF006, 0, 2), q), q);  // RFC 9619
  Bytes noQuestion = header(0xF007, 0, 0);
  Bytes answerInQuery = concat(concat(header(0xF008, 0, 1, 1), q),
                               Bytes{0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2});
  Bytes twoOpts = concat(concat(header(0xF009, 0, 1, 0, 0, 2), q),
                         Bytes{0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0});
  return {{"question cut inside a label", cutLabel},
          {"question without type and class", noType},
          {"label longer than the message", longLabel},
          {"compression loop in the question", loop},
          {"compression pointer past the end", forward},
          {"QDCOUNT 2 (RFC 9619)", twoQuestions},
          {"QDCOUNT 0", noQuestion},
          {"ANCOUNT 1 with a truncated record", answerInQuery},
          {"two OPT records (RFC 6891 §6.1.1)", twoOpts}};
}

TEST_F(NegativeAnswers, FormerrForMalformedQueries) {
  for (const auto& [what, wire] : malformedQueries()) {
    SCOPED_TRACE(what);
    const uint16_t id = static_cast<uint16_t>((wire[0] << 8) | wire[1]);
    for (Via via : {Via::kUdp, Via::kTcp}) {
      SCOPED_TRACE(via == Via::kUdp ? "UDP" : "TCP");
      auto reply = via == Via::kUdp ? exchangeUdp(v4(), wire) : exchangeTcp(v4(), wire);
      ASSERT_TRUE(reply) << "no response";
      ASSERT_GE(reply->size(), 12u);
      const uint16_t flags = static_cast<uint16_t>(((*reply)[2] << 8) | (*reply)[3]);
      EXPECT_EQ(static_cast<uint16_t>(((*reply)[0] << 8) | (*reply)[1]), id);
      EXPECT_TRUE(flags & 0x8000) << "QR";
      EXPECT_EQ(flags & 0x000F, LDNS_RCODE_FORMERR);
      EXPECT_FALSE(flags & 0x0080) << "RA";
      EXPECT_EQ(((*reply)[6] << 8) | (*reply)[7], 0) << "ANCOUNT";
    }
  }
  // The server is still fine afterwards.
  auto m = ask(v4(), inZone("app"), LDNS_RR_TYPE_A);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode, LDNS_RCODE_NOERROR);
}

TEST_F(NegativeAnswers, NoResponseToResponsesOrRunts) {
  UdpSocket s(v4());
  // QR=1: a response must never be answered (RFC 1035 §4.1.1; avoids reflection loops).
  ASSERT_TRUE(s.send(concat(header(0xAAAA, 0x8400, 1), question(kZone, LDNS_RR_TYPE_SOA))));
  ASSERT_TRUE(s.send(Bytes{0xBB, 0xBB, 0, 0, 0}));  // shorter than a header
  ASSERT_TRUE(s.send(Bytes{}));                     // empty datagram
  // A normal query after them: the first datagram back must be its answer. The server
  // answers in order on one socket; allow a second for anything wrongly sent to arrive.
  QueryOptions o;
  o.id = 0xCCCC;
  ASSERT_TRUE(s.send(buildQuery(kZone, LDNS_RR_TYPE_SOA, o)));
  std::vector<uint16_t> ids;
  const auto deadline = Clock::now() + 1s;
  while (auto reply = s.receive(deadline)) {
    ASSERT_GE(reply->size(), 2u);
    ids.push_back(static_cast<uint16_t>(((*reply)[0] << 8) | (*reply)[1]));
  }
  EXPECT_EQ(ids, std::vector<uint16_t>{0xCCCC});
}

}  // namespace
}  // namespace tmdns::e2e
