// Unit tests for Scheduler: jitter spread, cadence, the concurrency cap's queue, removal.
#include "probes/scheduler.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace tmdns::probes {
namespace {

using namespace std::chrono_literals;

TEST(Scheduler, JitterIsDeterministicAndWithinTheInterval) {
  for (int i = 0; i < 200; ++i) {
    const std::string key = "key" + std::to_string(i);
    const auto j = Scheduler::jitter(key, 10000ms);
    EXPECT_GE(j.count(), 0);
    EXPECT_LT(j.count(), 10000);
    EXPECT_EQ(j, Scheduler::jitter(key, 10000ms));
  }
}

TEST(Scheduler, JitterSpreadsProbesAcrossTheFirstInterval) {
  // 1000 keys over a 10 s interval in 10 buckets of 1 s: no burst, every bucket used.
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < 1000; ++i) {
    buckets[Scheduler::jitter("http|endpoint" + std::to_string(i), 10000ms).count() / 1000]++;
  }
  for (int count : buckets) {
    EXPECT_GT(count, 50);
    EXPECT_LT(count, 150);
  }
}

TEST(Scheduler, FirstRunAfterJitterThenEveryInterval) {
  Scheduler s;
  const TimePoint t0{};
  s.add("a", 1000ms, t0);
  const auto first = t0 + Scheduler::jitter("a", 1000ms);
  ASSERT_TRUE(s.nextDue().has_value());
  EXPECT_EQ(*s.nextDue(), first);
  EXPECT_TRUE(s.takeDue(first - 1ms, 10).empty());
  EXPECT_EQ(s.takeDue(first, 10), std::vector<std::string>{"a"});
  EXPECT_EQ(s.running(), 1u);
  EXPECT_FALSE(s.nextDue().has_value());  // running probes are not queued

  // Finished quickly: the next run is one interval after the planned start, not after the end.
  s.completed("a", first + 300ms);
  EXPECT_EQ(*s.nextDue(), first + 1000ms);
  EXPECT_EQ(s.running(), 0u);

  // Overran (a hanging endpoint with timeout >= interval): next run at once, not in the past.
  s.takeDue(first + 1000ms, 10);
  s.completed("a", first + 2500ms);
  EXPECT_EQ(*s.nextDue(), first + 2500ms);
}

TEST(Scheduler, CapLeavesTheRestQueuedInDueOrder) {
  Scheduler s;
  const TimePoint t0{};
  for (const char* key : {"a", "b", "c", "d"}) {
    s.add(key, 1000ms, t0);
  }
  const TimePoint later = t0 + 1000ms;  // all due
  const std::vector<std::string> first = s.takeDue(later, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(s.running(), 2u);
  // The other two are still due and are the next ones taken when slots free.
  const std::vector<std::string> rest = s.takeDue(later, 5);
  ASSERT_EQ(rest.size(), 2u);
  std::set<std::string> all(first.begin(), first.end());
  all.insert(rest.begin(), rest.end());
  EXPECT_EQ(all, (std::set<std::string>{"a", "b", "c", "d"}));
  // Earliest first.
  EXPECT_LE(Scheduler::jitter(first[0], 1000ms), Scheduler::jitter(first[1], 1000ms));
  EXPECT_LE(Scheduler::jitter(first[1], 1000ms), Scheduler::jitter(rest[0], 1000ms));
}

TEST(Scheduler, AddingAKnownKeyKeepsItsCadence) {
  Scheduler s;
  const TimePoint t0{};
  s.add("a", 1000ms, t0);
  const auto due = *s.nextDue();
  s.add("a", 1000ms, t0 + 700ms);
  EXPECT_EQ(*s.nextDue(), due);
  EXPECT_EQ(s.size(), 1u);
}

TEST(Scheduler, RemoveQueuedAndRunning) {
  Scheduler s;
  const TimePoint t0{};
  s.add("a", 1000ms, t0);
  s.add("b", 1000ms, t0);
  auto taken = s.takeDue(t0 + 1000ms, 1);
  ASSERT_EQ(taken.size(), 1u);
  s.remove(taken[0]);  // running
  EXPECT_EQ(s.running(), 0u);
  s.completed(taken[0], t0 + 1500ms);  // a late completion of a removed probe is ignored
  EXPECT_EQ(s.size(), 1u);
  s.remove(taken[0] == "a" ? "b" : "a");  // queued
  EXPECT_EQ(s.size(), 0u);
  EXPECT_FALSE(s.nextDue().has_value());
}

}  // namespace
}  // namespace tmdns::probes
