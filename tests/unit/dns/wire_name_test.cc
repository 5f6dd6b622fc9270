// Unit tests for the word-at-a-time wire-name helpers: case folding, octet and name equality.
#include "dns/wire_name.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace tmdns::dns {
namespace {

uint8_t referenceFold(uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
}

// Every octet value at every position of names long enough to use whole words and a tail.
TEST(WireName, LowerCaseNameFoldsExactlyAsciiUpperCaseAtEveryPosition) {
  for (size_t length = 1; length <= 24; ++length) {
    for (size_t position = 0; position < length; ++position) {
      for (int value = 0; value < 256; ++value) {
        std::vector<uint8_t> name(length, 'Q');
        name[position] = static_cast<uint8_t>(value);
        std::vector<uint8_t> out(length, 0xEE);
        lowerCaseName(name, out.data());
        for (size_t i = 0; i < length; ++i) {
          ASSERT_EQ(out[i], referenceFold(name[i]))
              << "length " << length << " position " << position << " value " << value;
        }
      }
    }
  }
}

TEST(WireName, LowerCaseNameMayFoldInPlace) {
  std::vector<uint8_t> name = {3, 'W', 'w', 'W', 7, 'E', 'x', 'A', 'M', 'p', 'L', 'e', 0};
  lowerCaseName(name, name.data());
  EXPECT_EQ(name,
            (std::vector<uint8_t>{3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
}

TEST(WireName, SameOctetsComparesEveryOctet) {
  for (size_t length = 0; length <= 20; ++length) {
    std::vector<uint8_t> a(length, 'a');
    std::vector<uint8_t> b(length, 'a');
    EXPECT_TRUE(sameOctets(a.data(), b.data(), length));
    for (size_t i = 0; i < length; ++i) {
      b[i] = 'b';
      EXPECT_FALSE(sameOctets(a.data(), b.data(), length)) << length << " " << i;
      b[i] = 'a';
    }
  }
}

TEST(WireName, NamesEqualIgnoresCaseOnlyOfLetters) {
  const std::vector<uint8_t> lower = {4, 'a', 'b', 'c', '[', 4, 't', 'e', 's', 't', 0};
  const std::vector<uint8_t> upper = {4, 'A', 'B', 'C', '[', 4, 'T', 'E', 'S', 'T', 0};
  const std::vector<uint8_t> bracket = {4, 'a', 'b', 'c', '{', 4, 't', 'e', 's', 't', 0};
  EXPECT_TRUE(namesEqual(lower, lower));
  EXPECT_TRUE(namesEqual(lower, upper));
  EXPECT_FALSE(namesEqual(lower, bracket));  // '[' and '{' differ by 0x20 but are no letters
  EXPECT_FALSE(namesEqual(lower, std::vector<uint8_t>(lower.begin(), lower.end() - 1)));
}

TEST(WireName, UncompressedNameLengthChecksLabelsAndTotal) {
  EXPECT_EQ(uncompressedNameLength(std::vector<uint8_t>{0}), 1u);
  EXPECT_EQ(uncompressedNameLength(std::vector<uint8_t>{1, 'a', 0, 9}), 3u);
  EXPECT_EQ(uncompressedNameLength(std::vector<uint8_t>{1, 'a'}), 0u);        // no root
  EXPECT_EQ(uncompressedNameLength(std::vector<uint8_t>{2, 'a'}), 0u);        // label cut short
  EXPECT_EQ(uncompressedNameLength(std::vector<uint8_t>{0xC0, 0x0C}), 0u);    // pointer
  EXPECT_EQ(uncompressedNameLength(std::vector<uint8_t>{0x40, 'a', 0}), 0u);  // extended label
  // 4 labels of 63 octets make 256 octets with the root: one too many (RFC 1035 §2.3.4).
  std::vector<uint8_t> longest;
  for (int label = 0; label < 3; ++label) {
    longest.push_back(63);
    longest.insert(longest.end(), 63, 'x');
  }
  longest.push_back(61);
  longest.insert(longest.end(), 61, 'x');
  longest.push_back(0);
  ASSERT_EQ(longest.size(), 255u);
  EXPECT_EQ(uncompressedNameLength(longest), 255u);
  std::vector<uint8_t> tooLong = longest;
  tooLong[192] = 62;
  tooLong.insert(tooLong.begin() + 193, 'x');
  ASSERT_EQ(tooLong.size(), 256u);
  EXPECT_EQ(uncompressedNameLength(tooLong), 0u);
}

}  // namespace
}  // namespace tmdns::dns
