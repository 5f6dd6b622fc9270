// What a DNS worker reads with one atomic load: the compiled snapshot and its health.
#pragma once

#include <memory>

#include "dns/snapshot.h"
#include "routing/health_table.h"

namespace tmdns::dns {

// Immutable once published. A reload publishes a new snapshot with health carried over; a
// probe result publishes the same snapshot with a new health table. Either is one swap.
struct ServedState {
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<const routing::HealthTable> health;
};

}  // namespace tmdns::dns
