// Traffic Manager's per-endpoint counting of consecutive probe failures (traffic-manager.md §4.2).
#pragma once

#include <cstdint>
#include <optional>

#include "routing/monitor_status.h"

namespace tmdns::probes {

// A pure value: no clock, no I/O. The engine feeds it one observation per completed probe round.
class HealthTracker {
 public:
  explicit HealthTracker(int toleratedFailures = 3)
      : tolerated_(toleratedFailures < 0 ? 0 : static_cast<uint32_t>(toleratedFailures)) {}

  // Records one probe outcome and returns the new status when it changed.
  std::optional<routing::MonitorStatus> observe(bool ok);

  routing::MonitorStatus status() const { return status_; }
  uint32_t consecutiveFailures() const { return failures_; }
  uint32_t tolerated() const { return tolerated_; }

 private:
  uint32_t tolerated_;
  uint32_t failures_ = 0;
  routing::MonitorStatus status_ = routing::MonitorStatus::kCheckingEndpoint;
};

}  // namespace tmdns::probes
