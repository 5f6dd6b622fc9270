// Published endpoint health: one monitor status per EndpointId of one compiled snapshot, and the
// nested rollups that health implies.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "routing/monitor_status.h"
#include "routing/policy.h"

namespace tmdns::routing {

struct HealthTable {
  std::vector<MonitorStatus> status;  // indexed by EndpointId; probe results only
  // §2.9 rollup of every nested endpoint of `rollupTable` under `status`, indexed by
  // Endpoint::rollupSlot. Empty (or null table): routing recomputes rollups per query.
  std::vector<NestedRollup> rollups = {};
  const Table* rollupTable = nullptr;

  HealthView view() const noexcept {
    return HealthView(status.data(), status.size(), rollupTable, rollups.data(), rollups.size());
  }
};

// `health` plus the rollups of every nested endpoint of `table`, computed once here so that the
// query path reads them instead of walking child profiles (§2.9). The result may only be served
// with `table`, which must outlive it. Returns `health` itself when there is nothing to add
// (null health, or a table without nested endpoints); any rollups `health` already had
// are recomputed for `table`. Allocates; never on the query path.
std::shared_ptr<const HealthTable> withNestedRollups(const Table& table,
                                                     std::shared_ptr<const HealthTable> health);

}  // namespace tmdns::routing
