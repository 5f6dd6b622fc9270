// The names behind a snapshot's ids: zones, profiles and endpoints as configured, for labels and
// /status.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/model.h"
#include "routing/table.h"

namespace tmdns::metrics {

struct CatalogProfile {
  uint32_t zone = 0;
  std::string zoneName;
  std::string name;
  std::string relativeName;
  std::string fqdn;
  std::string method;  // trafficRoutingMethod as Traffic Manager spells it
  bool enabled = true;
  int64_t ttl = 30;
  std::string protocol;  // monitorConfig, as Traffic Manager spells it
  uint16_t port = 80;
  std::string path;
  int intervalInSeconds = 30;
  int timeoutInSeconds = 10;
  int toleratedNumberOfFailures = 3;
  routing::EndpointId firstEndpoint = 0;
  uint32_t endpointCount = 0;
};

struct CatalogEndpoint {
  routing::ProfileId profile = 0;
  std::string name;
  std::string type;  // "Microsoft.Network/trafficManagerProfiles/externalEndpoints", ...
  std::string target;
  bool enabled = true;
  bool alwaysServe = false;
  bool nested = false;
  routing::ProfileId child = routing::kNone;  // nested endpoints
  int priority = 0;
  int weight = 1;
  std::string endpointLocation;
};

// Immutable once built; ids are those of the snapshot compiled from the same configuration
// (zones in order, profiles in order within a zone, endpoints in order within a profile).
struct Catalog {
  uint64_t generation = 0;
  std::string configHash;
  bool probing = true;  // probes.enabled
  std::vector<std::string> zones;
  std::vector<CatalogProfile> profiles;
  std::vector<CatalogEndpoint> endpoints;
};

// `table` is the compiled routing table of the same configuration (nested children come from
// it).
Catalog buildCatalog(const config::Config& config, const routing::Table& table, uint64_t generation,
                     const std::string& configHash);

}  // namespace tmdns::metrics
