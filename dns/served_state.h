// What a DNS worker reads with one atomic load: the compiled snapshot and its health.
#pragma once

#include <memory>

#include "dns/query_stats.h"
#include "dns/snapshot.h"
#include "routing/health_table.h"

namespace tmdns::dns {

// Immutable once published. A reload publishes a new snapshot with health carried over; a
// probe result publishes the same snapshot with a new health table. Either is one swap.
// `stats` is the one mutable part: the counters of this snapshot, shared by every state that
// serves it, each worker writing its own block (null: nothing is counted per query).
struct ServedState {
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<const routing::HealthTable> health;
  std::shared_ptr<QueryStats> stats;
};

}  // namespace tmdns::dns
