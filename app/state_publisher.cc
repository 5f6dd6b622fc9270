// StatePublisher: one lock around every publication of the served state.
#include "app/state_publisher.h"

#include <utility>

namespace tmdns::app {

void StatePublisher::publishSnapshot(std::shared_ptr<const dns::Snapshot> snapshot,
                                     const HealthFor& health,
                                     std::shared_ptr<dns::QueryStats> stats,
                                     std::shared_ptr<const metrics::Catalog> catalog,
                                     std::shared_ptr<dns::RateLimiter> rateLimiter) {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_ = std::move(snapshot);
  stats_ = std::move(stats);
  rateLimiter_ = std::move(rateLimiter);
  catalog_ = std::move(catalog);
  publishLocked(health());
}

void StatePublisher::publishHealth(uint64_t generation,
                                   std::shared_ptr<const routing::HealthTable> health) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (snapshot_ && snapshot_->generation == generation) {
    publishLocked(std::move(health));
  }
}

PublishedState StatePublisher::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {snapshot_, health_, catalog_};
}

void StatePublisher::publishLocked(std::shared_ptr<const routing::HealthTable> health) {
  // §2.9 rollups, computed once per publication for the snapshot this health is served with,
  // so that no query walks a child profile. Under the lock: snapshot_ cannot change meanwhile.
  if (snapshot_ != nullptr) {
    health = routing::withNestedRollups(snapshot_->routing, std::move(health));
  }
  health_ = health;
  auto next = std::make_unique<dns::ServedState>();
  next->snapshot = snapshot_;
  next->health = std::move(health);
  next->stats = stats_;
  next->rateLimiter = rateLimiter_;
  // Waits out the grace period of the state it replaces (util/rcu.h).
  state_.publish(std::move(next));
}

}  // namespace tmdns::app
