// The §4.2 state machine: CheckingEndpoint/Online until failures exceed the tolerance, then
// Degraded.
#include "probes/health_tracker.h"

namespace tmdns::probes {

std::optional<routing::MonitorStatus> HealthTracker::observe(bool ok) {
  routing::MonitorStatus next = status_;
  if (ok) {
    // §4.2: a success resets the counter, and the first success after Degraded is Online again.
    failures_ = 0;
    next = routing::MonitorStatus::kOnline;
  } else {
    if (failures_ < UINT32_MAX) {
      ++failures_;
    }
    // §4.2: Degraded when consecutive failures *exceed* the tolerance (tolerated 3 => the 4th).
    // Up to the tolerance the status stays what it was, CheckingEndpoint included.
    if (failures_ > tolerated_) {
      next = routing::MonitorStatus::kDegraded;
    }
  }
  if (next == status_) {
    return std::nullopt;
  }
  status_ = next;
  return next;
}

}  // namespace tmdns::probes
