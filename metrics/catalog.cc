// buildCatalog: configuration names in the compiler's numbering, spelled as Traffic Manager does.
#include "metrics/catalog.h"

namespace tmdns::metrics {
namespace {

const char* methodName(config::RoutingMethod method) {
  switch (method) {
    case config::RoutingMethod::kPriority:
      return "Priority";
    case config::RoutingMethod::kWeighted:
      return "Weighted";
    case config::RoutingMethod::kPerformance:
      return "Performance";
    case config::RoutingMethod::kGeographic:
      return "Geographic";
    case config::RoutingMethod::kMultiValue:
      return "MultiValue";
    case config::RoutingMethod::kSubnet:
      return "Subnet";
  }
  return "Priority";
}

const char* protocolName(config::ProbeProtocol protocol) {
  switch (protocol) {
    case config::ProbeProtocol::kHttp:
      return "HTTP";
    case config::ProbeProtocol::kHttps:
      return "HTTPS";
    case config::ProbeProtocol::kTcp:
      return "TCP";
  }
  return "HTTP";
}

const char* endpointTypeName(config::EndpointType type) {
  switch (type) {
    case config::EndpointType::kAzure:
      return "Microsoft.Network/trafficManagerProfiles/azureEndpoints";
    case config::EndpointType::kExternal:
      return "Microsoft.Network/trafficManagerProfiles/externalEndpoints";
    case config::EndpointType::kNested:
      return "Microsoft.Network/trafficManagerProfiles/nestedEndpoints";
  }
  return "Microsoft.Network/trafficManagerProfiles/externalEndpoints";
}

}  // namespace

Catalog buildCatalog(const config::Config& config, const routing::Table& table, uint64_t generation,
                     const std::string& configHash) {
  Catalog catalog;
  catalog.generation = generation;
  catalog.configHash = configHash;
  catalog.probing = config.probes.enabled;
  for (uint32_t z = 0; z < config.zones.size(); ++z) {
    const config::Zone& zone = config.zones[z];
    catalog.zones.push_back(zone.name);
    for (const config::Profile& p : zone.profiles) {
      const auto profileId = static_cast<routing::ProfileId>(catalog.profiles.size());
      CatalogProfile profile;
      profile.zone = z;
      profile.zoneName = zone.name;
      profile.name = p.name;
      profile.relativeName = p.relativeName;
      profile.fqdn = p.relativeName + "." + zone.name;
      profile.method = methodName(p.method);
      profile.enabled = p.enabled;
      profile.ttl = p.ttl;
      profile.protocol = protocolName(p.monitor.protocol);
      profile.port = p.monitor.port;
      profile.path = p.monitor.protocol == config::ProbeProtocol::kTcp ? "" : p.monitor.path;
      profile.intervalInSeconds = p.monitor.intervalInSeconds;
      profile.timeoutInSeconds = p.monitor.timeoutInSeconds;
      profile.toleratedNumberOfFailures = p.monitor.toleratedNumberOfFailures;
      profile.firstEndpoint = static_cast<routing::EndpointId>(catalog.endpoints.size());
      profile.endpointCount = static_cast<uint32_t>(p.endpoints.size());
      for (const config::Endpoint& e : p.endpoints) {
        const auto endpointId = static_cast<routing::EndpointId>(catalog.endpoints.size());
        CatalogEndpoint endpoint;
        endpoint.profile = profileId;
        endpoint.name = e.name;
        endpoint.type = endpointTypeName(e.type);
        endpoint.target = e.target;
        endpoint.enabled = e.enabled;
        endpoint.alwaysServe = e.alwaysServe;
        endpoint.nested = e.type == config::EndpointType::kNested;
        if (endpoint.nested && endpointId < table.endpoints.size()) {
          endpoint.child = table.endpoints[endpointId].child;
        }
        // The compiled values: priorities left out of the file are numbered by the loader.
        if (endpointId < table.endpoints.size()) {
          endpoint.priority = table.endpoints[endpointId].priority;
          endpoint.weight = table.endpoints[endpointId].weight;
        } else {
          endpoint.priority = e.priority.value_or(0);
          endpoint.weight = e.weight;
        }
        endpoint.endpointLocation = e.endpointLocation;
        catalog.endpoints.push_back(std::move(endpoint));
      }
      catalog.profiles.push_back(std::move(profile));
    }
  }
  return catalog;
}

}  // namespace tmdns::metrics
