// What a DNS worker reads with one atomic load: the compiled snapshot and its health.
#pragma once

#include <memory>

#include "dns/query_stats.h"
#include "dns/rate_limiter.h"
#include "dns/snapshot.h"
#include "routing/health_table.h"

namespace tmdns::dns {

// Immutable once published. A reload publishes a new snapshot with health carried over; a
// probe result publishes the same snapshot with a new health table. Either is one swap.
// `stats` is one mutable part: the counters of this snapshot, shared by every state that
// serves it, each worker writing its own block (null: nothing is counted per query).
// `rateLimiter` is the other: the UDP workers' shared bucket table, kept across publications
// while `rate_limit` is unchanged (null: no rate limiting). Freed, like the rest, only once no
// worker can still hold it.
struct ServedState {
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<const routing::HealthTable> health;
  std::shared_ptr<QueryStats> stats;
  // The initializer keeps {snapshot, health, stats} a complete aggregate initialization.
  std::shared_ptr<RateLimiter> rateLimiter = nullptr;
};

}  // namespace tmdns::dns
