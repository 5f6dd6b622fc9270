// Unit tests for dns::QueryHandler on malformed queries: a FORMERR corpus and what it echoes.
#include "dns/query_handler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/dns/handler_fixture.h"

namespace tmdns::dns {
namespace {

using test::Bytes;
using test::decode;
using test::ecsOption;
using test::HandlerTest;
using test::optRecord;
using test::putU16;
using test::rawU16;
using test::wireName;

Bytes header(uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar, uint16_t flags = 0x0100) {
  Bytes out;
  putU16(out, 0xBEEF);
  putU16(out, flags);
  putU16(out, qd);
  putU16(out, an);
  putU16(out, ns);
  putU16(out, ar);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

const Bytes kQuestion = cat({wireName("www.example.test."), Bytes{0, 1, 0, 1}});

Bytes ecsQuery(const Bytes& ecsPayload) {
  Bytes option;
  putU16(option, 8);
  putU16(option, static_cast<uint16_t>(ecsPayload.size()));
  option.insert(option.end(), ecsPayload.begin(), ecsPayload.end());
  return cat({header(1, 0, 0, 1), kQuestion, optRecord(1232, 0, false, option)});
}

struct Malformed {
  const char* what;
  Bytes query;
  bool echoesQuestion;  // the question parsed and QDCOUNT was 1
  bool hasOpt;          // the response carries an OPT
};

std::vector<Malformed> corpus() {
  Bytes label64 = {64};
  label64.insert(label64.end(), 64, 'a');
  label64.push_back(0);
  Bytes name256;
  for (int i = 0; i < 4; ++i) {
    name256.push_back(63);
    name256.insert(name256.end(), 63, 'a');
  }
  name256.push_back(0);
  // 243 octets of labels, then a pointer to www.example.test. (18 octets): 261 in all.
  Bytes labels243;
  for (const uint8_t length : {63, 63, 63, 50}) {
    labels243.push_back(length);
    labels243.insert(labels243.end(), length, 'b');
  }
  const Bytes answerA = cat({Bytes{0xC0, 12}, Bytes{0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4}});
  const Bytes opt = optRecord(1232, 0, false, {});
  Bytes namedOpt = cat({Bytes{1, 'x', 0}, Bytes(opt.begin() + 1, opt.end())});
  return {
      {"header only, QDCOUNT 1", header(1, 0, 0, 0), false, false},
      {"truncated question name", cat({header(1, 0, 0, 0), Bytes{3, 'w', 'w'}}), false, false},
      {"truncated question type", cat({header(1, 0, 0, 0), wireName("a.test."), Bytes{0}}), false,
       false},
      {"truncated question class", cat({header(1, 0, 0, 0), wireName("a.test."), Bytes{0, 1, 0}}),
       false, false},
      {"compression loop", cat({header(1, 0, 0, 0), Bytes{1, 'a', 0xC0, 12, 0, 1, 0, 1}}), false,
       false},
      {"self pointer", cat({header(1, 0, 0, 0), Bytes{0xC0, 12, 0, 1, 0, 1}}), false, false},
      {"forward pointer", cat({header(1, 0, 0, 0), Bytes{0xC0, 16, 0, 1, 0, 1, 0}}), false, false},
      // QDCOUNT's low octet (1) at offset 5 would read as a label "\000" (found by fuzz/).
      {"pointer into the header", cat({header(1, 0, 0, 0), Bytes{0xC0, 5, 0, 1, 0, 1}}), false,
       false},
      {"pointer to the header's last octet",
       cat({header(1, 0, 0, 0), Bytes{1, 'a', 0xC0, 11, 0, 1, 0, 1}}), false, false},
      {"label longer than 63", cat({header(1, 0, 0, 0), label64, Bytes{0, 1, 0, 1}}), false, false},
      {"label type 0x40", cat({header(1, 0, 0, 0), Bytes{0x41, 1, 0, 0, 1, 0, 1}}), false, false},
      {"name longer than 255", cat({header(1, 0, 0, 0), name256, Bytes{0, 1, 0, 1}}), false, false},
      {"QDCOUNT 0", header(0, 0, 0, 0), false, false},
      {"QDCOUNT 0 with OPT", cat({header(0, 0, 0, 1), opt}), false, true},
      {"QDCOUNT 2", cat({header(2, 0, 0, 0), kQuestion, kQuestion}), false, false},
      {"ARCOUNT lies", cat({header(1, 0, 0, 1), kQuestion}), true, false},
      {"ANCOUNT lies", cat({header(1, 2, 0, 0), kQuestion, answerA}), true, false},
      {"NSCOUNT lies", cat({header(1, 0, 1, 0), kQuestion, Bytes{0xC0, 12, 0, 1}}), true, false},
      {"RDATA overruns",
       cat({header(1, 1, 0, 0), kQuestion, Bytes(answerA.begin(), answerA.end() - 1)}), true,
       false},
      {"two OPT RRs", cat({header(1, 0, 0, 2), kQuestion, opt, opt}), true, false},
      {"OPT in the answer section", cat({header(1, 1, 0, 0), kQuestion, opt}), true, false},
      {"OPT in the authority section", cat({header(1, 0, 1, 0), kQuestion, opt}), true, false},
      {"OPT with a non-root owner", cat({header(1, 0, 0, 1), kQuestion, namedOpt}), true, false},
      {"OPT options overrun",
       cat({header(1, 0, 0, 1), kQuestion, optRecord(1232, 0, false, {0, 8, 0, 9, 0})}), true,
       true},
      {"OPT option header cut short",
       cat({header(1, 0, 0, 1), kQuestion, optRecord(1232, 0, false, {0, 8, 0})}), true, true},
      {"OPT RR cut inside its fixed fields",
       cat({header(1, 0, 0, 1), kQuestion, Bytes{0, 0, 41, 4, 0xD0, 0, 0}}), true, false},
      {"name longer than 255 through a pointer",
       cat({header(1, 0, 0, 1), kQuestion, labels243,
            Bytes{0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0}}),
       true, false},
      {"ECS family 3", ecsQuery({0, 3, 24, 0, 198, 51, 100}), true, true},
      {"ECS family 0", ecsQuery({0, 0, 0, 0}), true, true},
      {"ECS IPv4 prefix 33", ecsQuery({0, 1, 33, 0, 1, 2, 3, 4, 5}), true, true},
      {"ECS IPv6 prefix 129", ecsQuery(cat({Bytes{0, 2, 129, 0}, Bytes(17, 0)})), true, true},
      {"ECS address with an extra octet", ecsQuery({0, 1, 24, 0, 198, 51, 100, 1}), true, true},
      {"ECS host bits set in the last octet", ecsQuery({0, 1, 22, 0, 198, 51, 101}), true, true},
      {"ECS address too long", ecsQuery({0, 1, 16, 0, 198, 51, 0}), true, true},
      {"ECS address too short", ecsQuery({0, 1, 24, 0, 198, 51}), true, true},
      {"ECS shorter than its fixed fields", ecsQuery({0, 1}), true, true},
      {"ECS prefix 0 with an address octet", ecsQuery({0, 1, 0, 0, 0}), true, true},
      {"ECS nonzero scope", ecsQuery({0, 1, 24, 24, 198, 51, 100}), true, true},
      {"ECS twice",
       cat({header(1, 0, 0, 1), kQuestion,
            optRecord(
                1232, 0, false,
                cat({ecsOption(1, 24, 0, {198, 51, 100}), ecsOption(1, 24, 0, {198, 51, 100})}))}),
       true, true},
  };
}

TEST_F(HandlerTest, AnswersFormerrToEveryMalformedQuery) {
  const auto cases = corpus();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Bytes response = ask(c.query);
    ASSERT_GE(response.size(), 12u);
    auto p = decode(response);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_FORMERR);
    EXPECT_EQ(ldns_pkt_id(p.get()), 0xBEEF);
    EXPECT_TRUE(ldns_pkt_qr(p.get()));
    EXPECT_TRUE(ldns_pkt_rd(p.get()));
    EXPECT_FALSE(ldns_pkt_aa(p.get()));
    EXPECT_FALSE(ldns_pkt_tc(p.get()));
    EXPECT_EQ(ldns_pkt_get_opcode(p.get()), LDNS_PACKET_QUERY);
    EXPECT_EQ(rawU16(response, 4), c.echoesQuestion ? 1 : 0);
    EXPECT_EQ(rawU16(response, 6), 0);
    EXPECT_EQ(rawU16(response, 8), 0);
    EXPECT_EQ(rawU16(response, 10), c.hasOpt ? 1 : 0);
    if (c.echoesQuestion) {
      EXPECT_EQ(test::section(p.get(), LDNS_SECTION_QUESTION),
                std::vector<std::string>{"www.example.test. IN A"});
    }
    if (c.hasOpt) {
      EXPECT_TRUE(test::optData(p).empty());  // no ECS echo for a rejected option
    }
  }
  EXPECT_EQ(handler_.counters().formerr, cases.size());
  EXPECT_EQ(handler_.counters().ecs, 0u);
}

TEST_F(HandlerTest, FormerrEchoesRdAsSent) {
  const Bytes response = ask(header(0, 0, 0, 0, /*flags=*/0));
  auto p = decode(response);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_FORMERR);
  EXPECT_FALSE(ldns_pkt_rd(p.get()));
}

TEST_F(HandlerTest, IgnoresTrailingOctetsAndUnknownOptions) {
  Bytes query =
      cat({header(1, 0, 0, 1), kQuestion,
           optRecord(1232, 0, false, {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}), Bytes{0xde, 0xad}});
  auto p = decode(ask(query));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(test::answers(p).size(), 2u);
  EXPECT_TRUE(test::optData(p).empty());  // unknown options are not echoed
}

TEST_F(HandlerTest, AcceptsCompressedQuestionsAndRecordsInOtherSections) {
  // A compressed name in the additional section pointing into the question is fine.
  const Bytes extra = {0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 0, 0, 2, 1, 'x'};
  auto p = decode(ask(cat({header(1, 0, 0, 1), kQuestion, extra})));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(test::answers(p).size(), 2u);
}

// Random damage to valid queries never crashes the handler, never overruns the output, and every
// response it does send decodes and answers the query's ID.
TEST_F(HandlerTest, SurvivesRandomlyDamagedQueries) {
  const std::vector<Bytes> seeds = {
      test::makeQuery("www.example.test.", kTypeA),
      ecsQuery({0, 1, 24, 0, 198, 51, 100}),
      cat({header(1, 1, 0, 1), kQuestion,
           cat({Bytes{0xC0, 12}, Bytes{0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 12}}),
           optRecord(1232, 0, true, ecsOption(2, 40, 0, {0x20, 1, 0xd, 0xb8, 7}))}),
      test::makeQuery("c0.example.test.", kTypeA),
      test::makeQuery("mv.example.test.", kTypeAny),
  };
  util::Rng rng(2024);
  for (int i = 0; i < 20000; ++i) {
    Bytes query = seeds[rng.below(static_cast<uint32_t>(seeds.size()))];
    const uint32_t edits = 1 + rng.below(4);
    for (uint32_t e = 0; e < edits; ++e) {
      switch (rng.below(3)) {
        case 0:
          query[rng.below(static_cast<uint32_t>(query.size()))] =
              static_cast<uint8_t>(rng.below(256));
          break;
        case 1:
          query.resize(rng.below(static_cast<uint32_t>(query.size()) + 1));
          break;
        default:
          query.push_back(static_cast<uint8_t>(rng.below(256)));
          break;
      }
      if (query.empty()) {
        break;
      }
    }
    const size_t outSize = 512 + rng.below(1024);
    const Bytes response = ask(query, Transport::kUdp, outSize);
    ASSERT_LE(response.size(), outSize);
    if (response.empty()) {
      continue;
    }
    ASSERT_GE(query.size(), 12u);
    ASSERT_LE(response.size(), 1232u);
    EXPECT_EQ(rawU16(response, 0), rawU16(query, 0));
    ldns_pkt* pkt = nullptr;
    ASSERT_EQ(ldns_wire2pkt(&pkt, response.data(), response.size()), LDNS_STATUS_OK)
        << "iteration " << i;
    ldns_pkt_free(pkt);
  }
}

}  // namespace
}  // namespace tmdns::dns
