// The one writer of the served state: snapshots from reloads and health from the probe engine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "dns/query_stats.h"
#include "dns/rate_limiter.h"
#include "dns/served_state.h"
#include "metrics/catalog.h"
#include "routing/health_table.h"
#include "util/rcu.h"

namespace tmdns::app {

// What the status and metrics pages read: the served snapshot, its health and its names, always
// from the same publication.
struct PublishedState {
  std::shared_ptr<const dns::Snapshot> snapshot;
  std::shared_ptr<const routing::HealthTable> health;
  std::shared_ptr<const metrics::Catalog> catalog;
};

// A reload publishes a new snapshot with its health; the probe engine publishes new health for
// the current snapshot. Both go through here so that a health table computed for an older
// snapshot is never paired with a newer one.
class StatePublisher {
 public:
  explicit StatePublisher(util::RcuPointer<dns::ServedState>& state) : state_(state) {}

  using HealthFor = std::function<std::shared_ptr<const routing::HealthTable>()>;

  // Returns after the RCU grace period of the state it replaced: from then on no DNS worker
  // counts into the previous snapshot's QueryStats. `health` runs under the publisher's lock
  // (it installs the new probe plan): a status change the engine applies in between then either
  // lands in the returned table or is published for the new generation after this swap, never
  // dropped as stale. The engine publishes outside its own lock, so the order is deadlock-free.
  // `rateLimiter` (null: none) is served with this snapshot and every health update after it.
  void publishSnapshot(std::shared_ptr<const dns::Snapshot> snapshot, const HealthFor& health,
                       std::shared_ptr<dns::QueryStats> stats,
                       std::shared_ptr<const metrics::Catalog> catalog,
                       std::shared_ptr<dns::RateLimiter> rateLimiter = nullptr);

  // Ignored unless `generation` is the current snapshot's. Both publish `health` with the nested
  // rollups for the snapshot added (routing::withNestedRollups).
  void publishHealth(uint64_t generation, std::shared_ptr<const routing::HealthTable> health);

  PublishedState current() const;

 private:
  void publishLocked(std::shared_ptr<const routing::HealthTable> health);

  util::RcuPointer<dns::ServedState>& state_;
  mutable std::mutex mutex_;
  std::shared_ptr<const dns::Snapshot> snapshot_;
  std::shared_ptr<const routing::HealthTable> health_;
  std::shared_ptr<dns::QueryStats> stats_;
  std::shared_ptr<dns::RateLimiter> rateLimiter_;
  std::shared_ptr<const metrics::Catalog> catalog_;
};

}  // namespace tmdns::app
