// RateLimiter: SipHash-keyed token buckets, one 64-bit word each, shared by the UDP workers.
#include "dns/rate_limiter.h"

#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

// One bucket word: tokens in the low bits, then the slip counter, the time of the last visit
// (whole seconds, modulo 2^15) and the fingerprint of the flow that owns the bucket. 26 token
// bits hold the largest credit, kMaxResponsesPerSecond × kMaxWindow; 7 bits count to kMaxSlip.
constexpr unsigned kTokenBits = 26;
constexpr unsigned kSlipShift = kTokenBits;
constexpr unsigned kSlipBits = 7;
constexpr unsigned kTimeShift = kSlipShift + kSlipBits;
constexpr unsigned kTimeBits = 15;
constexpr unsigned kFingerprintShift = kTimeShift + kTimeBits;
constexpr uint64_t kTokenMask = (uint64_t{1} << kTokenBits) - 1;
constexpr uint64_t kSlipMask = (uint64_t{1} << kSlipBits) - 1;
constexpr uint64_t kTimeMask = (uint64_t{1} << kTimeBits) - 1;
static_assert(kFingerprintShift == 48, "16 fingerprint bits at the top");
static_assert(uint64_t{RateLimitOptions::kMaxResponsesPerSecond} * RateLimitOptions::kMaxWindow <=
              kTokenMask);
static_assert(RateLimitOptions::kMaxSlip <= kSlipMask);

uint64_t rotl(uint64_t x, int b) noexcept {
  return (x << b) | (x >> (64 - b));
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  void round() noexcept {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(uint64_t m) noexcept {
    v3 ^= m;
    round();  // SipHash-1-3: one compression round per word
    v0 ^= m;
  }
};

// SipHash-1-3 (Aumasson and Bernstein) of three little-endian 64-bit words under the key
// (k0, k1): keyed, so bucket collisions cannot be computed without the key.
uint64_t sipHash13(uint64_t k0, uint64_t k1, uint64_t w0, uint64_t w1, uint64_t w2) noexcept {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  s.absorb(w0);
  s.absorb(w1);
  s.absorb(w2);
  s.absorb(uint64_t{24} << 56);  // the message length in the last block
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t splitMix(uint64_t& state) noexcept {
  state += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A secret hash key from the operating system; should there be none (no getrandom), the clock
// and an address still keep the key from being known in advance.
void randomKey(uint64_t& k0, uint64_t& k1) {
  uint64_t key[2] = {0, 0};
  for (;;) {
    const ssize_t got = getrandom(key, sizeof(key), 0);
    if (got == static_cast<ssize_t>(sizeof(key))) {
      k0 = key[0];
      k1 = key[1];
      return;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    break;
  }
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  uint64_t state =
      (static_cast<uint64_t>(now.tv_sec) * 1000000000ULL + static_cast<uint64_t>(now.tv_nsec)) ^
      reinterpret_cast<uintptr_t>(&now);
  k0 = splitMix(state);
  k1 = splitMix(state);
}

RateLimitOptions clamped(RateLimitOptions o) noexcept {
  o.responsesPerSecond = std::clamp<uint32_t>(o.responsesPerSecond, 1, o.kMaxResponsesPerSecond);
  o.window = std::clamp<uint32_t>(o.window, 1, o.kMaxWindow);
  o.slip = std::min<uint32_t>(o.slip, o.kMaxSlip);
  o.ipv4Prefix = std::clamp<uint8_t>(o.ipv4Prefix, 1, 32);
  o.ipv6Prefix = std::clamp<uint8_t>(o.ipv6Prefix, 1, 128);
  o.tableSize = std::clamp<uint32_t>(o.tableSize, o.kMinTableSize, o.kMaxTableSize);
  return o;
}

}  // namespace

ResponseClass responseClassOf(uint16_t rcode, bool noData) noexcept {
  if (rcode == kRcodeNoError) {
    return noData ? ResponseClass::kNoData : ResponseClass::kAnswer;
  }
  return rcode == kRcodeNxDomain ? ResponseClass::kNxDomain : ResponseClass::kError;
}

RateLimiter::RateLimiter(const RateLimitOptions& options, uint64_t seed)
    : options_(clamped(options)),
      capacity_(uint64_t{options_.responsesPerSecond} * options_.window),
      // Value-initialised: every bucket starts as word 0, which no flow's fingerprint matches.
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(options_.tableSize)) {
  if (seed != 0) {
    key0_ = splitMix(seed);
    key1_ = splitMix(seed);
  } else {
    randomKey(key0_, key1_);
  }
}

RateLimitAction RateLimiter::check(const routing::ClientInfo& client, ResponseClass cls,
                                   uint32_t nowSeconds) noexcept {
  if (client.family != 4 && client.family != 6) {
    return RateLimitAction::kPass;
  }
  // The flow: the client's prefix (address bits past it cleared), its family and length, and
  // the response class.
  const bool v6 = client.family == 6;
  const unsigned prefix = v6 ? options_.ipv6Prefix : options_.ipv4Prefix;
  uint8_t masked[16] = {};
  for (unsigned i = 0; i < (v6 ? 16u : 4u) && i * 8 < prefix; ++i) {
    const unsigned bits = std::min(8u, prefix - i * 8);
    masked[i] = static_cast<uint8_t>(client.addr[i] & (0xFF00u >> bits));
  }
  uint64_t w0 = 0;
  uint64_t w1 = 0;
  std::memcpy(&w0, masked, 8);
  std::memcpy(&w1, masked + 8, 8);
  const uint64_t w2 = uint64_t{client.family} | (uint64_t{prefix} << 8) |
                      (uint64_t{static_cast<uint8_t>(cls)} << 16);
  const uint64_t hash = sipHash13(key0_, key1_, w0, w1, w2);
  // Lemire's multiply-shift maps the low half onto [0, tableSize) without a division; the top
  // 16 bits, independent of it, tell the flows sharing a bucket apart (0 marks an empty one).
  const uint64_t index = ((hash & 0xFFFFFFFFu) * options_.tableSize) >> 32;
  uint64_t fingerprint = hash >> kFingerprintShift;
  if (fingerprint == 0) {
    fingerprint = 1;
  }
  const uint64_t now = nowSeconds & kTimeMask;

  std::atomic<uint64_t>& bucket = buckets_[index];
  uint64_t old = bucket.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t tokens = capacity_;
    uint64_t slips = 0;
    if ((old >> kFingerprintShift) == fingerprint) {
      tokens = old & kTokenMask;
      slips = (old >> kSlipShift) & kSlipMask;
      // Whole seconds since the last visit (modulo 2^15), each worth responsesPerSecond.
      const uint64_t elapsed = (now - ((old >> kTimeShift) & kTimeMask)) & kTimeMask;
      if (elapsed > 0) {
        tokens = std::min(capacity_, tokens + std::min<uint64_t>(elapsed, options_.window) *
                                                  options_.responsesPerSecond);
      }
    }
    // Otherwise: an empty bucket, or another flow's; the newcomer starts with full credit.
    RateLimitAction action = RateLimitAction::kPass;
    if (tokens > 0) {
      --tokens;
      slips = 0;  // the slip count starts over with each run of limited responses
    } else if (options_.slip != 0 && ++slips >= options_.slip) {
      slips = 0;
      action = RateLimitAction::kSlip;
    } else {
      action = RateLimitAction::kDrop;
    }
    const uint64_t next =
        (fingerprint << kFingerprintShift) | (now << kTimeShift) | (slips << kSlipShift) | tokens;
    // Relaxed: the word is the whole state and orders nothing else. A failed exchange reloads
    // `old` and decides again, so a response is never counted against stale credit.
    if (bucket.compare_exchange_weak(old, next, std::memory_order_relaxed,
                                     std::memory_order_relaxed)) {
      return action;
    }
  }
}

uint32_t RateLimiter::clockSeconds() noexcept {
  // CLOCK_MONOTONIC_COARSE is a vDSO read of the last tick: no system call, and whole-second
  // resolution is all the buckets use.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return static_cast<uint32_t>(now.tv_sec);
}

}  // namespace tmdns::dns
