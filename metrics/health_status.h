// Endpoint and profile monitor states of a served snapshot (traffic-manager.md §4.4-4.5): the
// status gauges and the /status document.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metrics/catalog.h"
#include "metrics/family.h"
#include "probes/monitor.h"
#include "routing/health_table.h"
#include "routing/monitor_status.h"
#include "routing/table.h"

namespace tmdns::metrics {

struct HealthStatus {
  std::vector<routing::MonitorStatus> endpoints;        // §4.4, by EndpointId
  std::vector<routing::ProfileMonitorStatus> profiles;  // §4.5, by ProfileId
};

// The endpoint statuses routing acts on (routing::effectiveStatus: Disabled, Inactive under a
// disabled profile, the nested rollup for any query family, Unmonitored, else the probe's) and
// each profile's status from them.
HealthStatus computeHealthStatus(const routing::Table& table, const routing::HealthTable* health);

// §4.5: Disabled for a disabled profile; else Degraded when any endpoint is, Online when any is
// Online (or Unmonitored: always served, never probed), CheckingEndpoints when any is still
// checked, Inactive when all are Disabled or Stopped (or there are none).
routing::ProfileMonitorStatus profileMonitorStatus(
    bool profileEnabled, std::span<const routing::MonitorStatus> endpoints);

// Traffic Manager's "Endpoint Status by Endpoint": 1 while the endpoint is served as healthy
// (Online, CheckingEndpoint, Unmonitored), 0 otherwise (Degraded, Disabled, Inactive, Stopped).
bool endpointUp(routing::MonitorStatus status);

// tmdns_endpoint_up, tmdns_endpoint_monitor_status, tmdns_profile_monitor_status.
void collectHealthStatus(const Catalog& catalog, const HealthStatus& status,
                         std::vector<Family>& out);

// The /status document: every zone, profile and endpoint with Traffic Manager's field names.
// `details` are the probe engine's, indexed by EndpointId, used only when
// `detailsGeneration` is the catalog's (a reload in between leaves them out for one request).
std::string statusJson(const Catalog& catalog, const HealthStatus& status,
                       const std::vector<probes::EndpointProbeState>& details,
                       uint64_t detailsGeneration);

}  // namespace tmdns::metrics
