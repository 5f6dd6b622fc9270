// Published endpoint health: one monitor status per EndpointId of one compiled snapshot.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/monitor_status.h"
#include "routing/policy.h"

namespace tmdns::routing {

struct HealthTable {
  std::vector<MonitorStatus> status;  // indexed by EndpointId; probe results only

  HealthView view() const noexcept { return HealthView(status.data(), status.size()); }
};

}  // namespace tmdns::routing
