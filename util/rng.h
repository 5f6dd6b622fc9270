// Per-thread pseudo-random source for routing decisions: fast, seedable, never shared.
#pragma once

#include <cstdint>

namespace tmdns::util {

// xoshiro256** (Blackman & Vigna). Not cryptographic: routing only needs a fair, cheap
// spread. Seeded per worker so tests can inject a fixed seed and get repeatable choices.
class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept {
    // splitmix64 expands one seed into the four state words (the authors' recommendation).
    for (auto& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  uint64_t next() noexcept {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound) without modulo bias worth caring about (Lemire's multiply-shift).
  uint32_t below(uint32_t bound) noexcept {
    return static_cast<uint32_t>(((next() >> 32) * bound) >> 32);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace tmdns::util
