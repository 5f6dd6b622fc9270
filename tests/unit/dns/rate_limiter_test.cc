// Response Rate Limiting: bucket arithmetic, slip, prefixes and classes on an injected clock;
// and the query handler's use of it (drop, slip, TCP and no limiter exempt).
#include "dns/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dns/query_handler.h"
#include "tests/unit/dns/handler_fixture.h"

namespace tmdns::dns {
namespace {

using Action = RateLimitAction;
using test::Bytes;
using test::ipv4Source;

constexpr uint64_t kSeed = 0x5eed;
constexpr uint32_t kT0 = 1000;  // an arbitrary start on the injected clock

RateLimitOptions options(uint32_t rate, uint32_t window, uint32_t slip) {
  RateLimitOptions o;
  o.responsesPerSecond = rate;
  o.window = window;
  o.slip = slip;
  return o;
}

routing::ClientInfo ipv6Source(std::initializer_list<uint8_t> bytes) {
  routing::ClientInfo info;
  info.family = 6;
  info.sourcePrefix = 128;
  size_t i = 0;
  for (uint8_t b : bytes) {
    info.addr[i++] = b;
  }
  return info;
}

// `count` checks at `now`, as a string: '.' passed, 'd' dropped, 's' slipped.
std::string run(RateLimiter& limiter, const routing::ClientInfo& client, uint32_t now, int count,
                ResponseClass cls = ResponseClass::kAnswer) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    switch (limiter.check(client, cls, now)) {
      case Action::kPass:
        out += '.';
        break;
      case Action::kDrop:
        out += 'd';
        break;
      case Action::kSlip:
        out += 's';
        break;
    }
  }
  return out;
}

TEST(RateLimiter, CreditIsRateTimesWindowThenEverySlipthIsSlipped) {
  RateLimiter limiter(options(5, 2, 2), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  EXPECT_EQ(run(limiter, client, kT0, 16), "..........dsdsds");
}

TEST(RateLimiter, SlipPatterns) {
  struct Case {
    uint32_t slip;
    const char* expected;  // 2 passed, then 9 limited
  };
  for (const Case& c : {Case{0, "..ddddddddd"}, Case{1, "..sssssssss"}, Case{2, "..dsdsdsdsd"},
                        Case{3, "..ddsddsdds"}, Case{100, "..ddddddddd"}}) {
    SCOPED_TRACE(c.slip);
    RateLimiter limiter(options(2, 1, c.slip), kSeed);
    EXPECT_EQ(run(limiter, ipv4Source(198, 51, 100, 7), kT0, 11), c.expected);
  }
}

TEST(RateLimiter, RefillsRatePerWholeSecondUpToTheWindow) {
  RateLimiter limiter(options(5, 2, 0), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  EXPECT_EQ(run(limiter, client, kT0, 11), "..........d");
  // Within the same second nothing comes back.
  EXPECT_EQ(run(limiter, client, kT0, 1), "d");
  // One second: one second's worth.
  EXPECT_EQ(run(limiter, client, kT0 + 1, 6), ".....d");
  // Two seconds: the whole window, never more.
  EXPECT_EQ(run(limiter, client, kT0 + 3, 11), "..........d");
  EXPECT_EQ(run(limiter, client, kT0 + 1000, 11), "..........d");
  // A client at the rate is never limited.
  for (uint32_t t = kT0 + 1001; t < kT0 + 1010; ++t) {
    EXPECT_EQ(run(limiter, client, t, 5), ".....") << t;
  }
}

TEST(RateLimiter, SlipCountStartsOverAfterEachPassedResponse) {
  RateLimiter limiter(options(1, 1, 3), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  EXPECT_EQ(run(limiter, client, kT0, 3), ".dd");
  EXPECT_EQ(run(limiter, client, kT0 + 1, 4), ".dds");
}

TEST(RateLimiter, RefillsAcrossTheStoredClockWrapping) {
  // Bucket times are kept modulo 2^15 seconds.
  RateLimiter limiter(options(3, 1, 0), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  EXPECT_EQ(run(limiter, client, 32767, 4), "...d");
  EXPECT_EQ(run(limiter, client, 32768, 4), "...d");
  EXPECT_EQ(run(limiter, client, 65536 + 1, 4), "...d");
}

TEST(RateLimiter, Ipv4ClientsAreGroupedByPrefix) {
  RateLimitOptions o = options(2, 1, 0);
  o.ipv4Prefix = 24;
  RateLimiter limiter(o, kSeed);
  EXPECT_EQ(run(limiter, ipv4Source(192, 0, 2, 1), kT0, 3), "..d");
  // The same /24: the same bucket, already empty.
  EXPECT_EQ(run(limiter, ipv4Source(192, 0, 2, 254), kT0, 1), "d");
  // Other /24s have their own.
  EXPECT_EQ(run(limiter, ipv4Source(192, 0, 3, 1), kT0, 3), "..d");
  EXPECT_EQ(run(limiter, ipv4Source(10, 0, 2, 1), kT0, 3), "..d");

  o.ipv4Prefix = 32;
  RateLimiter perHost(o, kSeed);
  EXPECT_EQ(run(perHost, ipv4Source(192, 0, 2, 1), kT0, 3), "..d");
  EXPECT_EQ(run(perHost, ipv4Source(192, 0, 2, 2), kT0, 3), "..d");

  o.ipv4Prefix = 8;
  RateLimiter wide(o, kSeed);
  EXPECT_EQ(run(wide, ipv4Source(127, 0, 0, 1), kT0, 3), "..d");
  EXPECT_EQ(run(wide, ipv4Source(127, 1, 0, 1), kT0, 1), "d");
}

TEST(RateLimiter, Ipv6ClientsAreGroupedByPrefix) {
  RateLimitOptions o = options(2, 1, 0);
  o.ipv6Prefix = 56;
  RateLimiter limiter(o, kSeed);
  // 2001:db8:0:ab00::1 and 2001:db8:0:abff::2 share the /56 2001:db8:0:ab00::/56.
  EXPECT_EQ(
      run(limiter, ipv6Source({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xab, 0x00, 0, 0, 0, 0, 0, 0, 0, 1}),
          kT0, 3),
      "..d");
  EXPECT_EQ(
      run(limiter, ipv6Source({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xab, 0xff, 0, 0, 0, 0, 0, 0, 0, 2}),
          kT0, 1),
      "d");
  // 2001:db8:0:ac00::1 is the next /56.
  EXPECT_EQ(
      run(limiter, ipv6Source({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xac, 0x00, 0, 0, 0, 0, 0, 0, 0, 1}),
          kT0, 3),
      "..d");

  // A prefix length that is not a whole number of octets: /60 keeps the high nibble of byte 7.
  o.ipv6Prefix = 60;
  RateLimiter nibble(o, kSeed);
  EXPECT_EQ(run(nibble, ipv6Source({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xab, 0x10}), kT0, 3), "..d");
  EXPECT_EQ(run(nibble, ipv6Source({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xab, 0x1f}), kT0, 1), "d");
  EXPECT_EQ(run(nibble, ipv6Source({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xab, 0x20}), kT0, 3), "..d");
}

TEST(RateLimiter, FamiliesAndResponseClassesHaveTheirOwnBuckets) {
  RateLimiter limiter(options(2, 1, 0), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  EXPECT_EQ(run(limiter, client, kT0, 3, ResponseClass::kAnswer), "..d");
  EXPECT_EQ(run(limiter, client, kT0, 3, ResponseClass::kNoData), "..d");
  EXPECT_EQ(run(limiter, client, kT0, 3, ResponseClass::kNxDomain), "..d");
  EXPECT_EQ(run(limiter, client, kT0, 3, ResponseClass::kError), "..d");
  // c000:201:: starts with the bytes of 192.0.2.1, but is another family.
  EXPECT_EQ(run(limiter, ipv6Source({0xc0, 0, 2, 1}), kT0, 3), "..d");
}

TEST(RateLimiter, ClientsOfUnknownFamilyPass) {
  RateLimiter limiter(options(1, 1, 0), kSeed);
  const routing::ClientInfo unknown;
  EXPECT_EQ(run(limiter, unknown, kT0, 5), ".....");
}

TEST(RateLimiter, ResponseClasses) {
  EXPECT_EQ(responseClassOf(kRcodeNoError, false), ResponseClass::kAnswer);
  EXPECT_EQ(responseClassOf(kRcodeNoError, true), ResponseClass::kNoData);
  EXPECT_EQ(responseClassOf(kRcodeNxDomain, false), ResponseClass::kNxDomain);
  for (uint16_t rcode :
       {kRcodeFormErr, kRcodeServFail, kRcodeNotImp, kRcodeRefused, kRcodeBadVers}) {
    EXPECT_EQ(responseClassOf(rcode, false), ResponseClass::kError) << rcode;
  }
}

TEST(RateLimiter, OptionsOutsideTheirRangesAreClamped) {
  RateLimitOptions o;
  o.responsesPerSecond = 0;
  o.window = 1000;
  o.slip = 1000;
  o.ipv4Prefix = 0;
  o.ipv6Prefix = 200;
  o.tableSize = 1;
  const RateLimiter limiter(o, kSeed);
  EXPECT_EQ(limiter.options().responsesPerSecond, 1u);
  EXPECT_EQ(limiter.options().window, RateLimitOptions::kMaxWindow);
  EXPECT_EQ(limiter.options().slip, RateLimitOptions::kMaxSlip);
  EXPECT_EQ(limiter.options().ipv4Prefix, 1);
  EXPECT_EQ(limiter.options().ipv6Prefix, 128);
  EXPECT_EQ(limiter.options().tableSize, RateLimitOptions::kMinTableSize);
}

TEST(RateLimiter, TheHighestRateIsCountedExactly) {
  // (kMaxResponsesPerSecond × kMaxWindow fitting a bucket is a static_assert.)
  RateLimiter limiter(options(RateLimitOptions::kMaxResponsesPerSecond, 3, 0), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  auto drain = [&](uint32_t now) {
    uint64_t passed = 0;
    while (limiter.check(client, ResponseClass::kAnswer, now) == Action::kPass) {
      ++passed;
    }
    return passed;
  };
  EXPECT_EQ(drain(kT0), 3000000u);
  EXPECT_EQ(drain(kT0 + 1), 1000000u);
  EXPECT_EQ(drain(kT0 + 100), 3000000u);
}

TEST(RateLimiter, ManyPrefixesInASmallTableEachGetTheirCredit) {
  // 256 /24s in 1024 buckets: a flow whose bucket another one took over starts again with full
  // credit, so none is ever limited before its own credit is spent.
  RateLimitOptions o = options(3, 1, 0);
  o.tableSize = 1024;
  RateLimiter limiter(o, kSeed);
  for (int round = 0; round < 2; ++round) {
    for (int net = 0; net < 256; ++net) {
      const auto client = ipv4Source(10, 0, static_cast<uint8_t>(net), 1);
      EXPECT_EQ(run(limiter, client, kT0 + static_cast<uint32_t>(round), 3), "...") << net;
    }
  }
}

TEST(RateLimiter, SharedBucketCountsExactlyUnderConcurrency) {
  // Every worker updates the shared word with compare-and-swap: no credit is handed out twice
  // and the slip count loses no step, however the threads interleave.
  RateLimiter limiter(options(1000, 2, 2), kSeed);
  const auto client = ipv4Source(192, 0, 2, 1);
  constexpr int kThreads = 4;
  constexpr int kChecksPerThread = 20000;
  std::atomic<uint64_t> passed{0};
  std::atomic<uint64_t> slipped{0};
  std::atomic<uint64_t> dropped{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      uint64_t counts[3] = {0, 0, 0};
      for (int i = 0; i < kChecksPerThread; ++i) {
        ++counts[static_cast<int>(limiter.check(client, ResponseClass::kAnswer, kT0))];
      }
      passed += counts[0];
      dropped += counts[1];
      slipped += counts[2];
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  const uint64_t limited = uint64_t{kThreads} * kChecksPerThread - 2000;
  EXPECT_EQ(passed.load(), 2000u);
  EXPECT_EQ(slipped.load(), limited / 2);
  EXPECT_EQ(dropped.load(), limited - limited / 2);
}

TEST(RateLimiter, SeedsPlaceFlowsDifferently) {
  // With one key two flows may share a bucket; another key separates them. Which pairs collide
  // is the key's secret: over many prefixes in the smallest table, the collisions (flows that
  // find their bucket taken and start over) differ between two keys.
  RateLimitOptions o = options(1, 1, 0);
  o.tableSize = 1024;
  auto takeovers = [&](uint64_t seed) {
    RateLimiter limiter(o, seed);
    std::string out;
    for (int net = 0; net < 2048; ++net) {
      limiter.check(ipv4Source(10, static_cast<uint8_t>(net >> 8), static_cast<uint8_t>(net), 1),
                    ResponseClass::kAnswer, kT0);
    }
    // A flow still limited kept its bucket; one that passes again was displaced.
    for (int net = 0; net < 2048; ++net) {
      const Action a = limiter.check(
          ipv4Source(10, static_cast<uint8_t>(net >> 8), static_cast<uint8_t>(net), 1),
          ResponseClass::kAnswer, kT0);
      out += a == Action::kPass ? '.' : 'd';
    }
    return out;
  };
  const std::string a = takeovers(1);
  EXPECT_EQ(a, takeovers(1));
  EXPECT_NE(a, takeovers(2));
  EXPECT_NE(a.find('.'), std::string::npos);
  EXPECT_NE(a.find('d'), std::string::npos);
}

// --- the query handler ----------------------------------------------------------------------

class RateLimitedHandlerTest : public test::HandlerTest {
 protected:
  Bytes askLimited(const Bytes& query, Transport transport = Transport::kUdp, uint32_t now = kT0) {
    const size_t n = handler_.handle(*snapshot_, health_.view(), query, source_, transport,
                                     std::span<uint8_t>(out_.data(), out_.size()), stats_->block(0),
                                     &limiter_, now);
    return Bytes(out_.begin(), out_.begin() + static_cast<long>(n));
  }

  uint64_t countedQueries() const {
    uint64_t sum = 0;
    for (uint32_t row = 0; row < stats_->rowCount(); ++row) {
      for (size_t q = 0; q < kQtypeClassCount; ++q) {
        for (size_t r = 0; r < kRcodeClassCount; ++r) {
          sum += stats_->queries(0, row, static_cast<QtypeClass>(q), static_cast<RcodeClass>(r));
        }
      }
    }
    return sum;
  }

  uint64_t countedAnswers() const {
    uint64_t sum = 0;
    for (size_t pair = 0; pair < stats_->answerPairCount(); ++pair) {
      sum += stats_->answers(0, pair);
    }
    return sum;
  }

  void SetUp() override {
    test::HandlerTest::SetUp();
    stats_ = std::make_unique<QueryStats>(*snapshot_, 1, 1);
  }

  RateLimiter limiter_{options(1, 1, 2), kSeed};
  std::unique_ptr<QueryStats> stats_;
};

TEST_F(RateLimitedHandlerTest, UdpAnswersBeyondTheLimitAreDroppedOrSlipped) {
  test::QueryOptions edns;
  edns.edns = true;
  const Bytes query = test::makeQuery("v4.example.test.", kTypeA, edns);
  const Bytes first = askLimited(query);
  ASSERT_FALSE(first.empty());
  const test::Packet answered = test::decode(first);
  EXPECT_FALSE(ldns_pkt_tc(answered.get()));
  EXPECT_EQ(test::answers(answered),
            std::vector<std::string>{"v4.example.test. 30 IN A 203.0.113.10"});

  EXPECT_TRUE(askLimited(query).empty());  // dropped

  const Bytes slipped = askLimited(query);
  ASSERT_FALSE(slipped.empty());
  const test::Packet tc = test::decode(slipped);
  EXPECT_TRUE(ldns_pkt_tc(tc.get()));
  EXPECT_TRUE(ldns_pkt_aa(tc.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(tc.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(test::rawU16(slipped, 0), test::rawU16(query, 0));  // ID
  EXPECT_EQ(test::rawU16(slipped, 4), 1);                       // the question stays
  EXPECT_EQ(test::rawU16(slipped, 6), 0);
  EXPECT_EQ(test::rawU16(slipped, 8), 0);
  EXPECT_EQ(test::rawU16(slipped, 10), 1);  // only the OPT (RFC 6891 §7)
  EXPECT_EQ(test::section(tc.get(), LDNS_SECTION_QUESTION),
            std::vector<std::string>{"v4.example.test. IN A"});
  EXPECT_EQ(ldns_pkt_edns_udp_size(tc.get()), 1232);

  EXPECT_EQ(handler_.counters().rateLimitDropped, 1u);
  EXPECT_EQ(handler_.counters().rateLimitSlipped, 1u);
  EXPECT_EQ(handler_.counters().truncated, 0u);  // "did not fit" is another story
  EXPECT_EQ(handler_.counters().responses, 2u);
  // Sent responses are counted, the dropped one is not; the slipped one returned no endpoint
  // (its TCP retry will).
  EXPECT_EQ(countedQueries(), 2u);
  EXPECT_EQ(countedAnswers(), 1u);

  // A second later the client's credit is back.
  const Bytes later = askLimited(query, Transport::kUdp, kT0 + 1);
  ASSERT_FALSE(later.empty());
  EXPECT_FALSE(ldns_pkt_tc(test::decode(later).get()));
}

TEST_F(RateLimitedHandlerTest, ErrorsAndNegativeAnswersAreLimitedToo) {
  const Bytes refused = test::makeQuery("www.example.com.", kTypeA);
  const Bytes nxdomain = test::makeQuery("nope.example.test.", kTypeA);
  // Each class has its own credit of one.
  EXPECT_FALSE(askLimited(refused).empty());
  EXPECT_FALSE(askLimited(nxdomain).empty());
  EXPECT_TRUE(askLimited(refused).empty());
  EXPECT_TRUE(askLimited(nxdomain).empty());
  const Bytes slipped = askLimited(nxdomain);
  ASSERT_FALSE(slipped.empty());
  const test::Packet tc = test::decode(slipped);
  EXPECT_TRUE(ldns_pkt_tc(tc.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(tc.get()), LDNS_RCODE_NXDOMAIN);
  EXPECT_TRUE(test::authority(tc).empty());  // no SOA either
  EXPECT_EQ(test::rawU16(slipped, 10), 0);   // no OPT asked, none sent
}

TEST_F(RateLimitedHandlerTest, TcpIsNeverLimited) {
  const Bytes query = test::makeQuery("v4.example.test.", kTypeA);
  for (int i = 0; i < 10; ++i) {
    const Bytes response = askLimited(query, Transport::kTcp);
    ASSERT_FALSE(response.empty()) << i;
    EXPECT_FALSE(ldns_pkt_tc(test::decode(response).get())) << i;
  }
  EXPECT_EQ(handler_.counters().rateLimitDropped, 0u);
  EXPECT_EQ(handler_.counters().rateLimitSlipped, 0u);
  // TCP took none of the UDP credit.
  EXPECT_FALSE(askLimited(query).empty());
}

TEST_F(RateLimitedHandlerTest, WithoutALimiterEverythingPasses) {
  const Bytes query = test::makeQuery("v4.example.test.", kTypeA);
  for (int i = 0; i < 100; ++i) {
    const Bytes response = ask(query);
    ASSERT_FALSE(response.empty()) << i;
    EXPECT_FALSE(ldns_pkt_tc(test::decode(response).get())) << i;
  }
  EXPECT_EQ(handler_.counters().rateLimitDropped, 0u);
  EXPECT_EQ(handler_.counters().rateLimitSlipped, 0u);
}

TEST_F(RateLimitedHandlerTest, TheTransportSourceIsLimitedNotTheEcsAddress) {
  // Varying ECS addresses do not buy new credit: the packets still go to `source_`.
  test::QueryOptions ecs;
  ecs.edns = true;
  ecs.options = test::ecsOption(1, 24, 0, {198, 51, 100});
  EXPECT_FALSE(askLimited(test::makeQuery("v4.example.test.", kTypeA, ecs)).empty());
  ecs.options = test::ecsOption(1, 24, 0, {203, 0, 113});
  EXPECT_TRUE(askLimited(test::makeQuery("v4.example.test.", kTypeA, ecs)).empty());
  // Another client prefix has its own.
  source_ = ipv4Source(192, 0, 3, 99);
  EXPECT_FALSE(askLimited(test::makeQuery("v4.example.test.", kTypeA, ecs)).empty());
}

}  // namespace
}  // namespace tmdns::dns
