// Unit tests for util::Rng: determinism per seed and an unbiased bounded draw.
#include "util/rng.h"

#include <gtest/gtest.h>

#include <array>

namespace tmdns::util {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= (x != c.next());
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, BelowIsInRangeAndRoughlyUniform) {
  Rng rng(7);
  std::array<int, 10> hits{};
  for (int i = 0; i < 100000; ++i) {
    const uint32_t v = rng.below(10);
    ASSERT_LT(v, 10u);
    ++hits[v];
  }
  for (int h : hits) {
    EXPECT_NEAR(h, 10000, 500);
  }
}

}  // namespace
}  // namespace tmdns::util
