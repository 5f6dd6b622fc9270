// Unit tests for dns::WireReader and readNameAt: bounds, compression pointers, name limits.
#include "dns/wire_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/dns/dns_test_support.h"

namespace tmdns::dns {
namespace {

using test::Bytes;
using test::wireName;

// A 12-octet dummy header followed by `body`, so offsets look like in a real message.
Bytes message(const Bytes& body) {
  Bytes out(12 + body.size(), 0);
  std::copy(body.begin(), body.end(), out.begin() + 12);
  return out;
}

bool readName(const Bytes& msg, size_t offset, Bytes& name, size_t& end) {
  uint8_t buffer[kMaxNameLength];
  size_t length = 0;
  if (!readNameAt(msg, offset, buffer, length, end)) {
    return false;
  }
  name.assign(buffer, buffer + length);
  return true;
}

TEST(WireReader, ReadsAnUncompressedNameWithItsCase) {
  const Bytes msg = message(wireName("Www.Example.test."));
  Bytes name;
  size_t end = 0;
  ASSERT_TRUE(readName(msg, 12, name, end));
  EXPECT_EQ(name, wireName("Www.Example.test."));
  EXPECT_EQ(end, msg.size());
}

TEST(WireReader, FollowsBackwardPointersAndEndsAfterTheFirstPointer) {
  // 12: example.test. ; 26: www + pointer to 12 ; 32: a + pointer to 26
  Bytes body = wireName("example.test.");
  body.insert(body.end(), {3, 'w', 'w', 'w', 0xC0, 12, 1, 'a', 0xC0, 26});
  const Bytes msg = message(body);
  Bytes name;
  size_t end = 0;
  ASSERT_TRUE(readName(msg, 32, name, end));
  EXPECT_EQ(name, wireName("a.www.example.test."));
  EXPECT_EQ(end, 36u);
}

struct BadName {
  const char* what;
  Bytes body;     // placed at offset 12
  size_t offset;  // where the name starts
};

TEST(WireReader, RejectsMalformedNames) {
  Bytes label64 = {64};
  label64.insert(label64.end(), 64, 'a');
  label64.push_back(0);
  Bytes tooLong;  // 4 labels of 63 + root = 257 octets
  for (int i = 0; i < 4; ++i) {
    tooLong.push_back(63);
    tooLong.insert(tooLong.end(), 63, 'a');
  }
  tooLong.push_back(0);
  // 254 octets of labels then a pointer to a 3-octet name: 257 decompressed.
  Bytes longViaPointer = {1, 'x', 0};
  for (int i = 0; i < 4; ++i) {
    const int len = i < 3 ? 63 : 61;
    longViaPointer.push_back(static_cast<uint8_t>(len));
    longViaPointer.insert(longViaPointer.end(), len, 'b');
  }
  longViaPointer.insert(longViaPointer.end(), {0xC0, 12});
  const std::vector<BadName> cases = {
      {"empty", {}, 12},
      {"truncated label", {5, 'a', 'b'}, 12},
      {"missing root", {3, 'a', 'b', 'c'}, 12},
      {"pointer to itself", {0xC0, 12}, 12},
      {"forward pointer", {0xC0, 14, 1, 'a', 0}, 12},
      {"pointer loop", {1, 'a', 0xC0, 12, 1, 'b', 0xC0, 12}, 16},  // 16 -> 12 -> 14 -> 12
      {"truncated pointer", {1, 'a', 0xC0}, 12},
      // The header's octets read as a name (here the root); found by fuzz/query_fuzzer.
      {"pointer to the header's first octet", {0xC0, 0}, 12},
      {"pointer to the header's last octet", {1, 'a', 0xC0, 11}, 12},
      {"label type 0x40", {0x41, 'a', 0}, 12},
      {"label type 0x80", {0x81, 'a', 0}, 12},
      {"label longer than 63", label64, 12},
      {"name longer than 255", tooLong, 12},
      {"name longer than 255 via a pointer", longViaPointer, 15},
  };
  for (const auto& c : cases) {
    const Bytes msg = message(c.body);
    Bytes name;
    size_t end = 0;
    EXPECT_FALSE(readName(msg, c.offset, name, end)) << c.what;
  }
}

TEST(WireReader, AcceptsAName255OctetsLong) {
  Bytes name;
  for (int i = 0; i < 3; ++i) {
    name.push_back(63);
    name.insert(name.end(), 63, 'a');
  }
  name.push_back(61);
  name.insert(name.end(), 61, 'b');
  name.push_back(0);
  ASSERT_EQ(name.size(), 255u);
  const Bytes msg = message(name);
  Bytes read;
  size_t end = 0;
  ASSERT_TRUE(readName(msg, 12, read, end));
  EXPECT_EQ(read, name);
}

TEST(WireReader, ReadsHeaderQuestionAndRecordWithinBounds) {
  Bytes msg = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
  const Bytes qname = wireName("a.test.");
  msg.insert(msg.end(), qname.begin(), qname.end());
  msg.insert(msg.end(), {0, 1, 0, 1});
  msg.insert(msg.end(), {0xC0, 12, 0, 16, 0, 1, 0, 0, 1, 0, 0, 2, 1, 'x'});
  WireReader reader(msg);
  Header header;
  ASSERT_TRUE(reader.readHeader(header));
  EXPECT_EQ(header.id, 0x1234);
  EXPECT_EQ(header.flags, 0x0100);
  EXPECT_EQ(header.qdcount, 1);
  EXPECT_EQ(header.arcount, 1);
  Question question;
  ASSERT_TRUE(reader.readQuestion(question));
  EXPECT_EQ(Bytes(question.name, question.name + question.nameLength), qname);
  EXPECT_EQ(question.type, 1);
  EXPECT_EQ(question.cls, 1);
  RecordView record;
  ASSERT_TRUE(reader.readRecord(record));
  EXPECT_FALSE(record.ownerIsRoot);
  EXPECT_EQ(record.type, 16);
  EXPECT_EQ(record.ttl, 256u);
  EXPECT_EQ(Bytes(record.rdata.begin(), record.rdata.end()), (Bytes{1, 'x'}));
  EXPECT_EQ(reader.remaining(), 0u);
  uint8_t byte = 0;
  EXPECT_FALSE(reader.readU8(byte));
}

TEST(WireReader, RejectsRecordsWhoseRdataOverrunsTheMessage) {
  Bytes msg(12, 0);
  msg.insert(msg.end(), {0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 5, 1, 'x'});
  WireReader reader(msg);
  ASSERT_TRUE(reader.skip(12));
  RecordView record;
  EXPECT_FALSE(reader.readRecord(record));
  const Bytes runt = {1, 2, 3};
  WireReader shortReader(runt);
  Header header;
  EXPECT_FALSE(shortReader.readHeader(header));
}

}  // namespace
}  // namespace tmdns::dns
