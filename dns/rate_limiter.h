// Response Rate Limiting for UDP answers: per client prefix and response class, with slip.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "routing/policy.h"

namespace tmdns::dns {

// The settings of `rate_limit:` (docs/operations.md "Response rate limiting"). The limits are
// the configuration's ranges; RateLimiter clamps values outside them.
struct RateLimitOptions {
  static constexpr uint32_t kMaxResponsesPerSecond = 1000000;
  static constexpr uint32_t kMaxWindow = 60;
  static constexpr uint32_t kMaxSlip = 100;
  static constexpr uint32_t kMinTableSize = 1024;
  static constexpr uint32_t kMaxTableSize = 16777216;

  uint32_t responsesPerSecond = 20;  // refill per bucket and second
  uint32_t window = 2;               // seconds of credit a bucket holds: the burst allowance
  uint32_t slip = 2;                 // every slip-th limited answer goes out truncated; 0 = none
  uint8_t ipv4Prefix = 24;           // clients are grouped by these prefix lengths
  uint8_t ipv6Prefix = 56;
  uint32_t tableSize = 65536;  // buckets

  bool operator==(const RateLimitOptions&) const = default;
};

// What becomes of one UDP response.
enum class RateLimitAction : uint8_t {
  kPass,
  kDrop,  // nothing is sent
  kSlip,  // sent with TC and empty sections, so that a real client retries over TCP
};

// Responses are limited per class as Knot and NSD do: a flood of one kind (REFUSED for names
// outside our zones, random NXDOMAIN names) does not use up a prefix's budget for answers.
enum class ResponseClass : uint8_t { kAnswer, kNoData, kNxDomain, kError };

// NOERROR with data, NOERROR without (NODATA), NXDOMAIN, or anything else (FORMERR, REFUSED,
// NOTIMP, BADVERS, SERVFAIL).
ResponseClass responseClassOf(uint16_t rcode, bool noData) noexcept;

// A token bucket per (client prefix, response class) in a fixed table shared by every UDP
// worker. A bucket holds up to responsesPerSecond × window tokens, gains responsesPerSecond of
// them per second (whole seconds of the caller's clock) and a response takes one; a response
// that finds none is limited: every slip-th limited response of the bucket is slipped, the
// others are dropped.
//
// A bucket is one 64-bit word updated with a relaxed compare-and-swap, so workers never lock
// and a bucket's count is exact under concurrency. The bucket index and a 16-bit fingerprint
// come from SipHash-1-3 of the prefix and class under a random key, so nobody can aim queries
// at one bucket. Two flows in one bucket (their fingerprints differ) take it over from one
// another with fresh credit; the table should hold a few times the prefixes active at once.
// Stored times are 15 bits of seconds: a bucket idle for a multiple of about 9 hours may look
// recently used, which costs that flow at most `window` seconds of credit.
class RateLimiter {
 public:
  // Allocates and zeroes the table (8 bytes a bucket). `seed` keys the hash; 0 = random from
  // the operating system. Options outside their ranges are clamped into them.
  explicit RateLimiter(const RateLimitOptions& options, uint64_t seed = 0);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // The action for one response of `cls` to `client` (the transport peer, never an ECS
  // address: the point is to protect whoever the packets go to) at `nowSeconds`, a monotonic
  // clock in whole seconds. Clients of an unknown family pass. Any thread; noexcept,
  // allocation-free, lock-free.
  RateLimitAction check(const routing::ClientInfo& client, ResponseClass cls,
                        uint32_t nowSeconds) noexcept;

  // The monotonic coarse clock in whole seconds, read once per batch by the UDP workers.
  static uint32_t clockSeconds() noexcept;

  // The options in effect (after clamping).
  const RateLimitOptions& options() const noexcept { return options_; }

 private:
  RateLimitOptions options_;
  uint64_t capacity_ = 0;  // responsesPerSecond × window
  uint64_t key0_ = 0;
  uint64_t key1_ = 0;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
};

}  // namespace tmdns::dns
