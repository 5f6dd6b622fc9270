// Effective statuses via routing, §4.5 rollup, the status gauges and the /status JSON.
#include "metrics/health_status.h"

#include <algorithm>

#include "metrics/json_writer.h"
#include "routing/router.h"
#include "util/rng.h"

namespace tmdns::metrics {
namespace {

constexpr routing::MonitorStatus kAllStatuses[] = {
    routing::MonitorStatus::kCheckingEndpoint, routing::MonitorStatus::kOnline,
    routing::MonitorStatus::kDegraded,         routing::MonitorStatus::kDisabled,
    routing::MonitorStatus::kInactive,         routing::MonitorStatus::kStopped,
    routing::MonitorStatus::kUnmonitored,
};

constexpr routing::ProfileMonitorStatus kAllProfileStatuses[] = {
    routing::ProfileMonitorStatus::kCheckingEndpoints, routing::ProfileMonitorStatus::kOnline,
    routing::ProfileMonitorStatus::kDegraded,          routing::ProfileMonitorStatus::kDisabled,
    routing::ProfileMonitorStatus::kInactive,
};

Family gaugeFamily(const char* name, const char* help) {
  Family family;
  family.name = name;
  family.help = help;
  family.type = MetricType::kGauge;
  return family;
}

}  // namespace

HealthStatus computeHealthStatus(const routing::Table& table, const routing::HealthTable* health) {
  HealthStatus status;
  const routing::HealthView view = health != nullptr ? health->view() : routing::HealthView();
  // Only the nested rollup reads the request: family kAny applies minChildEndpoints itself.
  routing::Request request;
  request.family = routing::Family::kAny;
  util::Rng rng(1);
  const routing::Context context{table, view, request, rng};
  status.endpoints.reserve(table.endpoints.size());
  for (routing::EndpointId id = 0; id < table.endpoints.size(); ++id) {
    status.endpoints.push_back(routing::effectiveStatus(context, id));
  }
  status.profiles.reserve(table.profiles.size());
  for (const routing::Profile& profile : table.profiles) {
    const size_t first = std::min<size_t>(profile.firstEndpoint, status.endpoints.size());
    const size_t count = std::min<size_t>(profile.endpointCount, status.endpoints.size() - first);
    status.profiles.push_back(profileMonitorStatus(
        profile.enabled,
        std::span<const routing::MonitorStatus>(status.endpoints.data() + first, count)));
  }
  return status;
}

routing::ProfileMonitorStatus profileMonitorStatus(
    bool profileEnabled, std::span<const routing::MonitorStatus> endpoints) {
  using routing::MonitorStatus;
  using routing::ProfileMonitorStatus;
  if (!profileEnabled) {
    return ProfileMonitorStatus::kDisabled;
  }
  bool online = false;
  bool checking = false;
  for (const MonitorStatus s : endpoints) {
    if (s == MonitorStatus::kDegraded) {
      return ProfileMonitorStatus::kDegraded;
    }
    online = online || s == MonitorStatus::kOnline || s == MonitorStatus::kUnmonitored;
    checking = checking || s == MonitorStatus::kCheckingEndpoint;
  }
  if (online) {
    return ProfileMonitorStatus::kOnline;
  }
  return checking ? ProfileMonitorStatus::kCheckingEndpoints : ProfileMonitorStatus::kInactive;
}

bool endpointUp(routing::MonitorStatus status) {
  return routing::isServable(status);
}

void collectHealthStatus(const Catalog& catalog, const HealthStatus& status,
                         std::vector<Family>& out) {
  Family up = gaugeFamily(
      "tmdns_endpoint_up",
      "Traffic Manager's Endpoint Status by Endpoint: 1 while the endpoint is served as healthy "
      "(Online, CheckingEndpoint, Unmonitored), 0 otherwise.");
  Family endpointStatus = gaugeFamily(
      "tmdns_endpoint_monitor_status",
      "Endpoint monitor status (traffic-manager.md 4.4): 1 for the endpoint's current status, 0 "
      "for the others.");
  Family profileStatus = gaugeFamily(
      "tmdns_profile_monitor_status",
      "Profile monitor status (traffic-manager.md 4.5): 1 for the profile's current status, 0 for "
      "the others.");
  for (routing::EndpointId id = 0; id < catalog.endpoints.size() && id < status.endpoints.size();
       ++id) {
    const CatalogEndpoint& endpoint = catalog.endpoints[id];
    if (endpoint.profile >= catalog.profiles.size()) {
      continue;
    }
    const CatalogProfile& profile = catalog.profiles[endpoint.profile];
    const Labels labels = {
        {"zone", profile.zoneName}, {"profile", profile.name}, {"endpoint", endpoint.name}};
    const routing::MonitorStatus current = status.endpoints[id];
    up.samples.push_back({labels, endpointUp(current) ? 1.0 : 0.0});
    for (const routing::MonitorStatus s : kAllStatuses) {
      Labels withStatus = labels;
      withStatus.emplace_back("status", std::string(routing::toString(s)));
      endpointStatus.samples.push_back({std::move(withStatus), s == current ? 1.0 : 0.0});
    }
  }
  for (routing::ProfileId id = 0; id < catalog.profiles.size() && id < status.profiles.size();
       ++id) {
    const CatalogProfile& profile = catalog.profiles[id];
    for (const routing::ProfileMonitorStatus s : kAllProfileStatuses) {
      profileStatus.samples.push_back({{{"zone", profile.zoneName},
                                        {"profile", profile.name},
                                        {"status", std::string(routing::toString(s))}},
                                       s == status.profiles[id] ? 1.0 : 0.0});
    }
  }
  out.push_back(std::move(up));
  out.push_back(std::move(endpointStatus));
  out.push_back(std::move(profileStatus));
}

std::string statusJson(const Catalog& catalog, const HealthStatus& status,
                       const std::vector<probes::EndpointProbeState>& details,
                       uint64_t detailsGeneration) {
  const bool haveDetails = detailsGeneration == catalog.generation;
  JsonWriter json;
  json.beginObject();
  json.key("generation").integer(static_cast<int64_t>(catalog.generation));
  json.key("configSha256").string(catalog.configHash);
  json.key("probing").boolean(catalog.probing);
  json.key("zones").beginArray();
  for (uint32_t z = 0; z < catalog.zones.size(); ++z) {
    json.beginObject();
    json.key("name").string(catalog.zones[z]);
    json.key("profiles").beginArray();
    for (routing::ProfileId p = 0; p < catalog.profiles.size(); ++p) {
      const CatalogProfile& profile = catalog.profiles[p];
      if (profile.zone != z) {
        continue;
      }
      json.beginObject();
      json.key("name").string(profile.name);
      json.key("fqdn").string(profile.fqdn);
      json.key("relativeName").string(profile.relativeName);
      json.key("profileStatus").string(profile.enabled ? "Enabled" : "Disabled");
      json.key("trafficRoutingMethod").string(profile.method);
      json.key("ttl").integer(profile.ttl);
      json.key("profileMonitorStatus")
          .string(p < status.profiles.size() ? routing::toString(status.profiles[p]) : "Unknown");
      json.key("monitorConfig").beginObject();
      json.key("protocol").string(profile.protocol);
      json.key("port").integer(profile.port);
      if (!profile.path.empty()) {
        json.key("path").string(profile.path);
      }
      json.key("intervalInSeconds").integer(profile.intervalInSeconds);
      json.key("timeoutInSeconds").integer(profile.timeoutInSeconds);
      json.key("toleratedNumberOfFailures").integer(profile.toleratedNumberOfFailures);
      json.endObject();
      json.key("endpoints").beginArray();
      for (uint32_t i = 0; i < profile.endpointCount; ++i) {
        const routing::EndpointId id = profile.firstEndpoint + i;
        if (id >= catalog.endpoints.size()) {
          break;
        }
        const CatalogEndpoint& endpoint = catalog.endpoints[id];
        json.beginObject();
        json.key("name").string(endpoint.name);
        json.key("type").string(endpoint.type);
        json.key("target").string(endpoint.target);
        if (endpoint.nested && endpoint.child < catalog.profiles.size()) {
          json.key("targetProfile").string(catalog.profiles[endpoint.child].fqdn);
        }
        json.key("endpointStatus").string(endpoint.enabled ? "Enabled" : "Disabled");
        json.key("endpointMonitorStatus")
            .string(id < status.endpoints.size() ? routing::toString(status.endpoints[id])
                                                 : "Unknown");
        json.key("alwaysServe").string(endpoint.alwaysServe ? "Enabled" : "Disabled");
        json.key("priority").integer(endpoint.priority);
        json.key("weight").integer(endpoint.weight);
        if (!endpoint.endpointLocation.empty()) {
          json.key("endpointLocation").string(endpoint.endpointLocation);
        }
        const probes::EndpointProbeState* probe =
            haveDetails && id < details.size() && details[id].lastProbeUnixMs != 0 ? &details[id]
                                                                                   : nullptr;
        json.key("lastChange");
        if (probe != nullptr && probe->lastChangeUnixMs != 0) {
          json.beginObject();
          json.key("time").string(rfc3339(probe->lastChangeUnixMs));
          json.key("from").string(routing::toString(probe->lastChangeFrom));
          json.key("to").string(routing::toString(probe->status));
          json.key("reason").string(probe->lastChangeReason);
          json.endObject();
        } else {
          json.null();
        }
        json.key("lastProbeTime");
        probe != nullptr ? json.string(rfc3339(probe->lastProbeUnixMs)) : json.null();
        json.key("lastProbeResult");
        probe != nullptr ? json.string(probe->lastResult) : json.null();
        json.key("lastProbeLatencySeconds");
        probe != nullptr ? json.number(probe->lastLatencySeconds) : json.null();
        json.key("consecutiveFailures");
        probe != nullptr ? json.integer(probe->consecutiveFailures) : json.null();
        json.endObject();
      }
      json.endArray();
      json.endObject();
    }
    json.endArray();
    json.endObject();
  }
  json.endArray();
  json.endObject();
  return json.text();
}

}  // namespace tmdns::metrics
