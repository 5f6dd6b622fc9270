// Unit tests for StatePublisher: every publication carries the nested rollups of its snapshot.
#include "app/state_publisher.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "routing/router.h"
#include "tests/unit/metrics/metrics_test_support.h"
#include "util/rcu.h"

namespace tmdns::app {
namespace {

using enum routing::MonitorStatus;

// metrics_test_support.h's configuration: "app" has one nested endpoint (EndpointId 2) over
// "child" (c1 = 3, c2 = 4 disabled).
constexpr routing::EndpointId kNested = 2;
constexpr routing::EndpointId kC1 = 3;

std::shared_ptr<const routing::HealthTable> probed(routing::MonitorStatus c1) {
  auto health = std::make_shared<routing::HealthTable>();
  health->status.assign(6, kOnline);
  health->status[kC1] = c1;
  return health;
}

TEST(StatePublisher, PublishedHealthCarriesTheSnapshotsRollups) {
  const metrics::test::Compiled compiled = metrics::test::compileConfig();
  const routing::Table& table = compiled.snapshot->routing;
  ASSERT_EQ(table.nestedCount, 1u);
  ASSERT_EQ(table.endpoints[kNested].rollupSlot, 0u);

  util::RcuDomain domain;
  util::RcuPointer<dns::ServedState> state(domain);
  StatePublisher publisher(state);
  publisher.publishSnapshot(
      compiled.snapshot, [] { return probed(kOnline); }, nullptr, compiled.catalog);
  const PublishedState first = publisher.current();
  ASSERT_NE(first.health, nullptr);
  EXPECT_EQ(first.health->status, probed(kOnline)->status);
  const routing::NestedRollup* rollup = first.health->view().rollup(table, 0);
  ASSERT_NE(rollup, nullptr);
  EXPECT_EQ(rollup->at(0, routing::Family::kV4), kOnline);

  // A probe publication for the current generation gets rollups of its own health.
  publisher.publishHealth(1, probed(kDegraded));
  const PublishedState second = publisher.current();
  rollup = second.health->view().rollup(table, 0);
  ASSERT_NE(rollup, nullptr);
  for (const routing::Family family : {routing::Family::kAny, routing::Family::kV4,
                                       routing::Family::kV6, routing::Family::kOther}) {
    EXPECT_EQ(rollup->at(0, family), kDegraded);
  }
  // A stale generation is still ignored.
  publisher.publishHealth(7, probed(kOnline));
  EXPECT_EQ(publisher.current().health, second.health);
}

}  // namespace
}  // namespace tmdns::app
