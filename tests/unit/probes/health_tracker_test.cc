// Unit tests for HealthTracker: the §4.2 counting rules, one observation at a time.
#include "probes/health_tracker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tmdns::probes {
namespace {

using routing::MonitorStatus;
constexpr MonitorStatus kChk = MonitorStatus::kCheckingEndpoint;
constexpr MonitorStatus kOn = MonitorStatus::kOnline;
constexpr MonitorStatus kDeg = MonitorStatus::kDegraded;

struct Case {
  std::string name;
  int tolerated;
  std::string outcomes;              // 's' success, 'f' failure
  std::vector<MonitorStatus> after;  // status after each outcome
  std::vector<bool> changed;         // whether observe() reported a change
};

TEST(HealthTracker, Table) {
  const std::vector<Case> cases = {
      {"first success is Online", 3, "s", {kOn}, {true}},
      {"tolerated 3: Degraded on the 4th failure",
       3,
       "ffff",
       {kChk, kChk, kChk, kDeg},
       {false, false, false, true}},
      {"tolerated 0: Degraded on the first failure", 0, "f", {kDeg}, {true}},
      {"tolerated 2 from Online (§8 case 15)",
       2,
       "sfff",
       {kOn, kOn, kOn, kDeg},
       {true, false, false, true}},
      {"a success resets the counter",
       2,
       "sffsff",
       {kOn, kOn, kOn, kOn, kOn, kOn},
       {true, false, false, false, false, false}},
      {"Degraded stays Degraded on failures",
       1,
       "ffff",
       {kChk, kDeg, kDeg, kDeg},
       {false, true, false, false}},
      {"first success after Degraded is Online", 0, "ffs", {kDeg, kDeg, kOn}, {true, false, true}},
      {"checking then success", 3, "fffs", {kChk, kChk, kChk, kOn}, {false, false, false, true}},
      {"counting restarts after recovery",
       1,
       "ffsff",
       {kChk, kDeg, kOn, kOn, kDeg},
       {false, true, true, false, true}},
      {"negative tolerance acts as 0", -1, "f", {kDeg}, {true}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(c.outcomes.size(), c.after.size());
    HealthTracker tracker(c.tolerated);
    EXPECT_EQ(tracker.status(), kChk);
    for (size_t i = 0; i < c.outcomes.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(i));
      const auto change = tracker.observe(c.outcomes[i] == 's');
      EXPECT_EQ(tracker.status(), c.after[i]);
      EXPECT_EQ(change.has_value(), c.changed[i]);
      if (change) {
        EXPECT_EQ(*change, c.after[i]);
      }
    }
  }
}

TEST(HealthTracker, CountsConsecutiveFailures) {
  HealthTracker tracker(3);
  tracker.observe(false);
  tracker.observe(false);
  EXPECT_EQ(tracker.consecutiveFailures(), 2u);
  tracker.observe(true);
  EXPECT_EQ(tracker.consecutiveFailures(), 0u);
}

}  // namespace
}  // namespace tmdns::probes
