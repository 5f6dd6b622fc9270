// Unit tests for route() and effectiveStatus(): profile-level NXDOMAIN rules, endpoint status,
// and that the query path allocates nothing.
#include "routing/router.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "routing_fixture.h"

// Counts every allocation of this test binary so a test can prove routing does none (STYLE.md:
// the query path allocates nothing). Every non-aligned form is replaced, so that new and delete
// always pair up (libstdc++ uses the nothrow form, e.g. in std::stable_sort).
namespace {
std::atomic<size_t> allocations{0};

void* countedAlloc(size_t size) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(size_t size) {
  if (void* p = countedAlloc(size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  return operator new(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
// Out of line: inlined into callers, GCC would flag free() on operator-new memory
// (-Wmismatched-new-delete) although these replacements pair them correctly.
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace tmdns::routing {
namespace {

using testing::Health;
using testing::TableBuilder;
using Outcome = Selection::Outcome;

constexpr Family kFamilies[] = {Family::kAny, Family::kV4, Family::kV6, Family::kOther};

struct NxCase {
  std::string name;
  bool profileEnabled;
  std::vector<bool> enabled;          // per endpoint
  std::vector<MonitorStatus> probed;  // per endpoint
};

// §2.1, §3.5: nothing servable at the profile level is NXDOMAIN for every method and query type,
// fail-open notwithstanding.
TEST(Route, NxDomainWhenNothingIsServable) {
  using enum MonitorStatus;
  const std::vector<NxCase> cases = {
      {"profile disabled, endpoints healthy", false, {true, true}, {kOnline, kOnline}},
      {"profile disabled, endpoints Degraded", false, {true, true}, {kDegraded, kDegraded}},
      {"no endpoints", true, {}, {}},
      {"all endpoints disabled", true, {false, false}, {kOnline, kDegraded}},
      {"all endpoints Stopped", true, {true, true}, {kStopped, kStopped}},
      {"Disabled and Stopped", true, {false, true}, {kOnline, kStopped}},
  };
  const Method methods[] = {Method::kPriority, Method::kWeighted, Method::kMultiValue};
  for (const NxCase& c : cases) {
    for (const Method method : methods) {
      SCOPED_TRACE(c.name + ", method " + std::to_string(static_cast<int>(method)));
      std::vector<Endpoint> endpoints;
      for (size_t i = 0; i < c.enabled.size(); ++i) {
        // MultiValue takes IP literals only (§1.5); alternate the families.
        const TargetKind kind = method != Method::kMultiValue ? TargetKind::kName
                                : i % 2 == 0                  ? TargetKind::kIPv4
                                                              : TargetKind::kIPv6;
        endpoints.push_back(Endpoint{
            .kind = kind, .enabled = c.enabled[i], .priority = static_cast<uint16_t>(i + 1)});
      }
      TableBuilder builder;
      const ProfileId id = builder.addProfile(
          Profile{.method = method, .enabled = c.profileEnabled, .maxReturn = 2}, endpoints);
      const Table table = builder.build();
      Health health(table);
      for (size_t i = 0; i < c.probed.size(); ++i) {
        health.set(static_cast<EndpointId>(i), c.probed[i]);
      }
      util::Rng rng(3);
      for (const Family family : kFamilies) {
        const Selection s = testing::routeOnce(table, health, id, rng, family);
        EXPECT_EQ(s.outcome, Outcome::kNxDomain) << "family " << static_cast<int>(family);
        EXPECT_EQ(s.count, 0);
      }
    }
  }
}

TEST(Route, UnknownProfileAndMissingPolicyAreNxDomain) {
  TableBuilder builder;
  const ProfileId id = builder.addProfile(testing::priorityProfile(), {testing::nameEndpoint()});
  Table table = builder.build();
  const Health health(table);
  util::Rng rng(1);
  EXPECT_EQ(testing::routeOnce(table, health, id, rng).outcome, Outcome::kAnswer);
  EXPECT_EQ(testing::routeOnce(table, health, id + 1, rng).outcome, Outcome::kNxDomain);
  EXPECT_EQ(testing::routeOnce(table, health, kNone, rng).outcome, Outcome::kNxDomain);
  table.profiles[id].policy = nullptr;
  EXPECT_EQ(testing::routeOnce(table, health, id, rng).outcome, Outcome::kNxDomain);
}

TEST(Route, OverwritesTheSelection) {
  TableBuilder builder;
  const ProfileId id = builder.addProfile(Profile{.method = Method::kPriority, .enabled = false},
                                          {testing::nameEndpoint()});
  const Table table = builder.build();
  const Health health(table);
  util::Rng rng(1);
  const Request request;
  const Context ctx{table, health.view(), request, rng};
  Selection out;
  out.add(7);
  out.ecsScope = 24;
  route(ctx, id, out);
  EXPECT_EQ(out.outcome, Outcome::kNxDomain);
  EXPECT_EQ(out.count, 0);
  EXPECT_EQ(out.ecsScope, 0);
}

struct StatusCase {
  std::string name;
  bool profileEnabled;
  bool enabled;
  bool alwaysServe;
  bool published;  // whether probes published a status at all
  MonitorStatus probed;
  MonitorStatus expected;
};

// §2.10, §4.4: the status routing acts on for a leaf endpoint.
TEST(EffectiveStatus, LeafEndpoints) {
  using enum MonitorStatus;
  const std::vector<StatusCase> cases = {
      {"probed Online", true, true, false, true, kOnline, kOnline},
      {"probed Degraded", true, true, false, true, kDegraded, kDegraded},
      {"probed CheckingEndpoint", true, true, false, true, kCheckingEndpoint, kCheckingEndpoint},
      {"probed Stopped (Web App stopped)", true, true, false, true, kStopped, kStopped},
      {"nothing published yet", true, true, false, false, kOnline, kCheckingEndpoint},
      {"alwaysServe overrides a failing probe", true, true, true, true, kDegraded, kUnmonitored},
      {"alwaysServe without probes", true, true, true, false, kOnline, kUnmonitored},
      {"alwaysServe but Disabled", true, false, true, true, kOnline, kDisabled},
      {"Disabled endpoint", true, false, false, true, kOnline, kDisabled},
      {"profile disabled", false, true, false, true, kOnline, kInactive},
      {"profile and endpoint disabled", false, false, false, true, kOnline, kDisabled},
  };
  for (const StatusCase& c : cases) {
    SCOPED_TRACE(c.name);
    Endpoint endpoint = testing::nameEndpoint();
    endpoint.enabled = c.enabled;
    endpoint.alwaysServe = c.alwaysServe;
    TableBuilder builder;
    const ProfileId id = builder.addProfile(
        Profile{.method = Method::kPriority, .enabled = c.profileEnabled}, {endpoint});
    const Table table = builder.build();
    Health health(table);
    if (c.published) {
      health.set(table.profiles[id].firstEndpoint, c.probed);
    } else {
      health.table_.status.clear();
    }
    EXPECT_EQ(testing::statusOf(table, health, table.profiles[id].firstEndpoint), c.expected);
  }
}

TEST(EffectiveStatus, UnknownEndpointIsStopped) {
  const Table table;
  const Health health(table);
  EXPECT_EQ(testing::statusOf(table, health, 0), MonitorStatus::kStopped);
}

// STYLE.md "The query path": routing allocates nothing, whichever method and nesting.
TEST(Route, AllocatesNothing) {
  TableBuilder builder;
  const ProfileId multi = builder.addProfile(
      testing::multiValueProfile(3),
      {testing::v4Endpoint(), testing::v4Endpoint(), testing::v6Endpoint(), testing::v4Endpoint()});
  const ProfileId weighted = builder.addProfile(
      testing::weightedProfile(), {testing::nameEndpoint(1, 1), testing::nameEndpoint(2, 3)});
  const ProfileId priority = builder.addProfile(
      testing::priorityProfile(),
      {testing::nestedEndpoint(weighted, 1), testing::nameEndpoint(2), testing::nameEndpoint(3)});
  const Table table = builder.build();
  Health health(table);
  health.set(table.profiles[weighted].firstEndpoint, MonitorStatus::kDegraded);
  util::Rng rng(5);
  Request request;
  const Context ctx{table, health.view(), request, rng};
  Selection out;
  uint32_t answers = 0;
  const size_t before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    for (const Family family : kFamilies) {
      request.family = family;
      for (const ProfileId id : {multi, weighted, priority}) {
        route(ctx, id, out);
        answers += out.count;
      }
    }
  }
  const size_t after = allocations.load();
  EXPECT_EQ(after, before);
  EXPECT_GT(answers, 0u);
  // The counter itself works: an allocation is seen.
  auto probe = std::make_unique<int>(1);
  EXPECT_EQ(allocations.load(), after + 1);
}

}  // namespace
}  // namespace tmdns::routing
