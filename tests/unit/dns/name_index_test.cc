// Unit tests for dns::NameIndex.
#include "dns/name_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tmdns::dns {
namespace {

std::vector<uint8_t> wire(const std::string& dotted) {
  std::vector<uint8_t> out;
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos)
      dot = dotted.size();
    out.push_back(static_cast<uint8_t>(dot - start));
    out.insert(out.end(), dotted.begin() + start, dotted.begin() + dot);
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

TEST(NameIndex, FindsEveryBuiltNameAndNothingElse) {
  std::vector<std::vector<uint8_t>> storage;
  for (int i = 0; i < 1000; ++i) {
    storage.push_back(wire("n" + std::to_string(i) + ".tm.example.test"));
  }
  std::vector<std::span<const uint8_t>> names(storage.begin(), storage.end());
  NameIndex index;
  index.build(names);
  for (uint32_t i = 0; i < storage.size(); ++i) {
    EXPECT_EQ(index.find(storage[i]), i);
  }
  EXPECT_EQ(index.find(wire("n1000.tm.example.test")), UINT32_MAX);
  EXPECT_EQ(index.find(wire("tm.example.test")), UINT32_MAX);
}

TEST(NameIndex, EmptyIndexFindsNothing) {
  NameIndex index;
  EXPECT_EQ(index.find(wire("a.test")), UINT32_MAX);
  index.build({});
  EXPECT_EQ(index.find(wire("a.test")), UINT32_MAX);
}

}  // namespace
}  // namespace tmdns::dns
