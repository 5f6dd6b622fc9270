// Unit tests for dns::ResponseWriter: compression rules, limits, overflow and rewind.
#include "dns/response_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/wire_types.h"
#include "tests/unit/dns/dns_test_support.h"

namespace tmdns::dns {
namespace {

using test::answers;
using test::Bytes;
using test::decode;
using test::rawU16;
using test::wireName;
using test::wireRecord;

Bytes finishAll(ResponseWriter& writer, Bytes& buffer) {
  const size_t n = writer.finish();
  return Bytes(buffer.begin(), buffer.begin() + static_cast<long>(n));
}

TEST(ResponseWriter, CompressesOwnersAndWellKnownRdataNames) {
  Bytes buffer(512);
  ResponseWriter writer(buffer, 512);
  ASSERT_TRUE(writer.writeHeader(7, kFlagQr | kFlagAa));
  const Bytes qname = wireName("www.example.test.");
  ASSERT_TRUE(writer.writeQuestion(qname, kTypeMx, kClassIn));
  const auto mx = wireRecord("www.example.test. 300 IN MX 10 mail.example.test.");
  ASSERT_TRUE(writer.writeRecord(Section::kAnswer, qname, kTypeMx, 300, mx.rdata));
  const Bytes wire = finishAll(writer, buffer);
  // Question: 12 + 18 + 4 = 34. Owner is a pointer to the question: 0xC00C.
  EXPECT_EQ(rawU16(wire, 34), 0xC00C);
  // RDATA: preference, "mail" then a pointer to "example.test." inside the question (offset 16).
  const size_t rdata = 34 + 2 + 10;
  EXPECT_EQ(rawU16(wire, rdata - 2), 2 + 5 + 2);  // RDLENGTH after compression
  EXPECT_EQ(Bytes(wire.begin() + rdata, wire.end()),
            (Bytes{0, 10, 4, 'm', 'a', 'i', 'l', 0xC0, 16}));
  auto pkt = decode(wire);
  ASSERT_NE(pkt, nullptr);
  EXPECT_EQ(answers(pkt),
            (std::vector<std::string>{"www.example.test. 300 IN MX 10 mail.example.test."}));
}

TEST(ResponseWriter, CompressesOnlyAgainstTheSameCase) {
  Bytes buffer(512);
  ResponseWriter writer(buffer, 512);
  ASSERT_TRUE(writer.writeHeader(7, kFlagQr | kFlagAa));
  const Bytes qname = wireName("WWW.Example.test.");
  ASSERT_TRUE(writer.writeQuestion(qname, kTypeMx, kClassIn));
  const auto mx = wireRecord("www.example.test. 300 IN MX 10 mail.example.test.");
  ASSERT_TRUE(writer.writeRecord(Section::kAnswer, qname, kTypeMx, 300, mx.rdata));
  const Bytes wire = finishAll(writer, buffer);
  EXPECT_EQ(rawU16(wire, 34), 0xC00C);
  // RFC 4343 §4.1: "example" differs in case from the question's "Example", so only "test."
  // (offset 24) is shared and the target keeps its configured case.
  const size_t rdata = 34 + 2 + 10;
  EXPECT_EQ(Bytes(wire.begin() + rdata, wire.end()),
            (Bytes{0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0xC0, 24}));
  auto pkt = decode(wire);
  EXPECT_EQ(answers(pkt),
            (std::vector<std::string>{"WWW.Example.test. 300 IN MX 10 mail.example.test."}));
}

TEST(ResponseWriter, NeverCompressesOtherTypesRdata) {
  Bytes buffer(512);
  ResponseWriter writer(buffer, 512);
  ASSERT_TRUE(writer.writeHeader(7, kFlagQr));
  ASSERT_TRUE(writer.writeQuestion(wireName("example.test."), 33, kClassIn));
  const auto srv = wireRecord("_x._tcp.example.test. 300 IN SRV 0 0 53 example.test.");
  ASSERT_TRUE(
      writer.writeRecord(Section::kAnswer, wireName("_x._tcp.example.test."), 33, 300, srv.rdata));
  const Bytes wire = finishAll(writer, buffer);
  // RFC 3597 §4: SRV RDATA stays exactly as stored.
  ASSERT_GE(wire.size(), srv.rdata.size());
  EXPECT_EQ(Bytes(wire.end() - static_cast<long>(srv.rdata.size()), wire.end()), srv.rdata);
  auto pkt = decode(wire);
  EXPECT_EQ(answers(pkt),
            (std::vector<std::string>{"_x._tcp.example.test. 300 IN SRV 0 0 53 example.test."}));
}

TEST(ResponseWriter, CompressesSoaNamesAgainstEachOther) {
  Bytes buffer(512);
  ResponseWriter writer(buffer, 512);
  ASSERT_TRUE(writer.writeHeader(1, kFlagQr));
  ASSERT_TRUE(writer.writeQuestion(wireName("x.example.test."), kTypeA, kClassIn));
  const auto soa =
      wireRecord("example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 1 2 3 4 5");
  ASSERT_TRUE(writer.writeRecord(Section::kAuthority, soa.owner, kTypeSoa, 300, soa.rdata));
  const Bytes wire = finishAll(writer, buffer);
  // 12 + 16 + 4 = 32: owner pointer to "example.test." at 14, then ns1+ptr, hostmaster+ptr, 20.
  EXPECT_EQ(rawU16(wire, 32), 0xC00E);
  EXPECT_EQ(rawU16(wire, 32 + 10), 4 + 2 + 11 + 2 + 20);
  auto pkt = decode(wire);
  EXPECT_EQ(test::authority(pkt),
            (std::vector<std::string>{
                "example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 1 2 3 4 5"}));
}

TEST(ResponseWriter, DetectsOverflowAtTheLimitAndRewinds) {
  Bytes buffer(100, 0xEE);
  ResponseWriter writer(buffer, 60);
  ASSERT_TRUE(writer.writeHeader(1, kFlagQr));
  ASSERT_TRUE(writer.writeQuestion(wireName("example.test."), kTypeTxt, kClassIn));  // 30
  const auto txt = wireRecord("example.test. 300 IN TXT \"0123456789\"");            // 12 + 11 = 23
  const ResponseWriter::Mark mark = writer.mark();
  ASSERT_TRUE(writer.writeRecord(Section::kAnswer, txt.owner, kTypeTxt, 300, txt.rdata));  // 53
  EXPECT_FALSE(writer.writeRecord(Section::kAnswer, txt.owner, kTypeTxt, 300, txt.rdata));
  EXPECT_TRUE(writer.overflowed());
  EXPECT_EQ(writer.count(Section::kAnswer), 1);
  for (size_t i = 60; i < buffer.size(); ++i) {
    EXPECT_EQ(buffer[i], 0xEE) << "wrote past the limit at " << i;
  }
  writer.rewind(mark);
  EXPECT_FALSE(writer.overflowed());
  EXPECT_EQ(writer.count(Section::kAnswer), 0);
  // A reservation holds room back for the OPT RR written last.
  writer.reserve(ResponseWriter::optSize(nullptr));
  EXPECT_FALSE(writer.writeRecord(Section::kAnswer, txt.owner, kTypeTxt, 300, txt.rdata));
  writer.rewind(mark);
  writer.release(ResponseWriter::optSize(nullptr));
  ASSERT_TRUE(writer.writeOpt(1232, 0, true, nullptr, 0));
  const Bytes wire = finishAll(writer, buffer);
  EXPECT_EQ(wire.size(), 30u + 11u);
  auto pkt = decode(wire);
  EXPECT_EQ(ldns_pkt_edns_udp_size(pkt.get()), 1232);
  EXPECT_TRUE(ldns_pkt_edns_do(pkt.get()));
}

TEST(ResponseWriter, WritesEcsOptionWithOurScope) {
  Bytes buffer(512);
  ResponseWriter writer(buffer, 512);
  ASSERT_TRUE(writer.writeHeader(1, kFlagQr));
  ClientSubnet ecs;
  ecs.family = 2;
  ecs.sourcePrefix = 56;
  ecs.addressLength = 7;
  const uint8_t address[7] = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3};
  std::copy(address, address + 7, ecs.address);
  ASSERT_TRUE(writer.writeOpt(1400, 0, false, &ecs, 48));
  const Bytes wire = finishAll(writer, buffer);
  EXPECT_EQ(wire.size(), 12 + ResponseWriter::optSize(&ecs));
  EXPECT_EQ(Bytes(wire.begin() + 12 + 11, wire.end()),
            (Bytes{0, 8, 0, 11, 0, 2, 56, 48, 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3}));
}

TEST(ResponseWriter, AReservationBeyondTheLimitBlocksEveryWrite) {
  Bytes buffer(100, 0xEE);
  ResponseWriter writer(buffer, 40);
  ASSERT_TRUE(writer.writeHeader(1, kFlagQr));
  ASSERT_TRUE(writer.writeQuestion(wireName("example.test."), kTypeA, kClassIn));  // 30
  writer.reserve(35);                                                              // 30 + 35 > 40
  const auto a = wireRecord("example.test. 300 IN A 192.0.2.1");
  EXPECT_FALSE(writer.writeRecord(Section::kAnswer, a.owner, kTypeA, 300, a.rdata));
  EXPECT_TRUE(writer.overflowed());
  for (size_t i = 40; i < buffer.size(); ++i) {
    EXPECT_EQ(buffer[i], 0xEE) << "wrote past the limit at " << i;
  }
}

TEST(ResponseWriter, FailsCleanlyWhenTheBufferIsSmallerThanTheLimit) {
  Bytes buffer(10);
  ResponseWriter writer(buffer, 512);
  EXPECT_FALSE(writer.writeHeader(1, 0));
  EXPECT_EQ(writer.finish(), 0u);
}

}  // namespace
}  // namespace tmdns::dns
