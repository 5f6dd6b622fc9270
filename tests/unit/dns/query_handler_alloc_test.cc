// Proves QueryHandler::handle allocates nothing: global operator new counts while queries run.
#include "dns/query_handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "tests/unit/dns/handler_fixture.h"

namespace {

// Counting is switched on only around the measured calls, so gtest and the fixture may allocate
// freely. Replacing the global operators affects the whole test binary; they stay plain
// malloc/free apart from the counter.
std::atomic<bool> gCounting{false};
std::atomic<uint64_t> gAllocations{0};

void* countedAllocate(std::size_t size) {
  if (gCounting.load(std::memory_order_relaxed)) {
    gAllocations.fetch_add(1, std::memory_order_relaxed);
  }
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}

void* countedAllocateAligned(std::size_t size, std::align_val_t align) {
  if (gCounting.load(std::memory_order_relaxed)) {
    gAllocations.fetch_add(1, std::memory_order_relaxed);
  }
  const auto alignment = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}

}  // namespace

void* operator new(std::size_t size) {
  return countedAllocate(size);
}
void* operator new[](std::size_t size) {
  return countedAllocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return countedAllocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return countedAllocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) {
  return countedAllocateAligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return countedAllocateAligned(size, align);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace tmdns::dns {
namespace {

using test::Bytes;
using test::ecsOption;
using test::makeQuery;
using test::QueryOptions;

TEST(QueryHandlerAllocation, CounterSeesAllocations) {
  gAllocations = 0;
  gCounting = true;
  auto* p = new std::vector<int>(100);
  gCounting = false;
  delete p;
  EXPECT_GE(gAllocations.load(), 1u);
}

TEST(QueryHandlerAllocation, HandleNeverAllocates) {
  auto snapshot = test::buildFixtureSnapshot();
  routing::HealthTable health;
  health.status.assign(test::fixtureEndpoints().size(), routing::MonitorStatus::kOnline);
  health.status[0] = routing::MonitorStatus::kDegraded;

  QueryOptions edns;
  edns.edns = true;
  QueryOptions ecs4 = edns;
  ecs4.options = ecsOption(1, 24, 0, {198, 51, 100});
  QueryOptions ecs6 = edns;
  ecs6.options = ecsOption(2, 48, 0, {0x20, 0x01, 0x0d, 0xb8, 0, 1});
  QueryOptions badEcs = edns;
  badEcs.options = ecsOption(1, 24, 8, {198, 51, 100});
  QueryOptions badVersion = edns;
  badVersion.version = 1;
  QueryOptions notimp;
  notimp.flags = 4 << 11;

  struct Case {
    Bytes query;
    Transport transport;
  };
  std::vector<Case> cases;
  auto add = [&](const std::string& name, uint16_t type, const QueryOptions& o = {},
                 Transport t = Transport::kUdp) {
    cases.push_back({makeQuery(name, type, o), t});
  };
  add("example.test.", kTypeSoa);
  add("example.test.", kTypeNs, edns);
  add("www.example.test.", kTypeA, ecs4);
  add("WWW.example.test.", kTypeAny);
  add("mail.example.test.", kTypeMx);
  add("nope.example.test.", kTypeA);
  add("b.c.example.test.", kTypeA);
  add("www.example.com.", kTypeA, ecs6);
  add("alias.example.test.", kTypeA);
  add("c0.example.test.", kTypeA);
  add("loop1.example.test.", kTypeA);
  add("dangling.example.test.", kTypeAaaa);
  add("big.example.test.", kTypeTxt);
  add("big.example.test.", kTypeTxt, edns);
  add("big.example.test.", kTypeTxt, {}, Transport::kTcp);
  add("app.example.test.", kTypeA, ecs4);
  add("v4.example.test.", kTypeAaaa);
  add("v6.example.test.", kTypeAny, ecs6);
  add("off.example.test.", kTypeA);
  add("internal.example.test.", kTypeA);
  add("to-app.example.test.", kTypeA);
  add("mv.example.test.", kTypeA, edns);
  add("mv.example.test.", kTypeAny);
  add("www.example.test.", kTypeA, badEcs);
  add("www.example.test.", kTypeA, badVersion);
  add("www.example.test.", kTypeA, notimp);
  add("example.test.", kTypeAxfr);
  Bytes loop = makeQuery("www.example.test.", kTypeA);
  loop.resize(12);
  loop.insert(loop.end(), {1, 'a', 0xC0, 12, 0, 1, 0, 1});
  cases.push_back({loop, Transport::kUdp});
  Bytes qr = makeQuery("www.example.test.", kTypeA);
  qr[2] |= 0x80;
  cases.push_back({qr, Transport::kUdp});
  cases.push_back({Bytes{1, 2, 3}, Transport::kUdp});

  QueryHandler handler(7);
  // With the per-thread counters the workers pass: counting allocates nothing either.
  QueryStats stats(*snapshot, 1, 1);
  std::vector<uint8_t> out(65535);
  const routing::ClientInfo source = test::ipv4Source(192, 0, 2, 1);
  auto runAll = [&](size_t& bytes) {
    for (int round = 0; round < 10; ++round) {
      for (const Case& c : cases) {
        bytes += handler.handle(*snapshot, health.view(), c.query, source, c.transport, out,
                                stats.block(c.transport == Transport::kUdp ? 0 : 1));
      }
    }
  };
  size_t warmup = 0;
  runAll(warmup);

  size_t measured = 0;
  gAllocations = 0;
  gCounting = true;
  runAll(measured);
  gCounting = false;
  EXPECT_EQ(gAllocations.load(), 0u);
  EXPECT_GT(measured, 0u);
  EXPECT_EQ(handler.counters().queries, 2 * 10 * cases.size());
  uint64_t counted = 0;
  for (uint32_t slot = 0; slot < stats.slotCount(); ++slot) {
    for (uint32_t row = 0; row < stats.rowCount(); ++row) {
      for (size_t q = 0; q < kQtypeClassCount; ++q) {
        for (size_t r = 0; r < kRcodeClassCount; ++r) {
          counted +=
              stats.queries(slot, row, static_cast<QtypeClass>(q), static_cast<RcodeClass>(r));
        }
      }
    }
  }
  // Every response is counted once; silence (QR=1, runts) is not a response.
  EXPECT_EQ(counted, handler.counters().responses);
  EXPECT_GE(cases.size() * 10, 300u);
}

TEST(QueryHandlerAllocation, RateLimitedHandleNeverAllocates) {
  auto snapshot = test::buildFixtureSnapshot();
  routing::HealthTable health;
  health.status.assign(test::fixtureEndpoints().size(), routing::MonitorStatus::kOnline);
  QueryOptions edns;
  edns.edns = true;
  const std::vector<Bytes> queries = {
      makeQuery("www.example.test.", kTypeA, edns), makeQuery("nope.example.test.", kTypeA),
      makeQuery("www.example.com.", kTypeA), makeQuery("app.example.test.", kTypeAaaa, edns)};
  // slip 2 and a rate of 3: every query after the first few is dropped or slipped, so each
  // branch of the limiter, and the handler's slip rewrite, runs while allocations are counted.
  RateLimitOptions options;
  options.responsesPerSecond = 3;
  options.window = 1;
  options.slip = 2;
  options.tableSize = 1024;
  RateLimiter limiter(options, 99);
  QueryHandler handler(7);
  QueryStats stats(*snapshot, 1, 1);
  std::vector<uint8_t> out(65535);
  const routing::ClientInfo v4 = test::ipv4Source(192, 0, 2, 1);
  routing::ClientInfo v6;
  v6.family = 6;
  v6.sourcePrefix = 128;
  v6.addr[0] = 0x20;
  v6.addr[1] = 0x01;
  auto runAll = [&](uint32_t now) {
    for (int round = 0; round < 10; ++round) {
      for (const Bytes& query : queries) {
        for (const routing::ClientInfo& source : {v4, v6}) {
          handler.handle(*snapshot, health.view(), query, source, Transport::kUdp, out,
                         stats.block(0), &limiter, now);
        }
      }
    }
  };
  runAll(1);

  gAllocations = 0;
  gCounting = true;
  runAll(2);
  const uint32_t now = RateLimiter::clockSeconds();
  gCounting = false;
  EXPECT_EQ(gAllocations.load(), 0u);
  EXPECT_GT(now, 0u);
  EXPECT_GT(handler.counters().rateLimitDropped, 0u);
  EXPECT_GT(handler.counters().rateLimitSlipped, 0u);
}

}  // namespace
}  // namespace tmdns::dns
