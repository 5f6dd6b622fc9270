// What to probe for one endpoint, derived from its profile's monitorConfig (traffic-manager.md §4).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "routing/table.h"

namespace tmdns::probes {

enum class Protocol : uint8_t { kHttp, kHttps, kTcp };

struct ProbeSpec {
  routing::EndpointId endpoint = 0;  // index into the snapshot's endpoints / HealthTable
  std::string zoneName;              // for metrics (not part of key())
  std::string profileName;           // for logs and metrics
  std::string endpointName;
  Protocol protocol = Protocol::kHttp;
  std::string target;  // endpoint target: IP literal or DNS name (resolved with c-ares)
  uint16_t port = 80;
  std::string path = "/";  // HTTP(S) only
  // Final request headers: Host first (endpoint target unless a custom Host is set), then the
  // profile's customHeaders overridden by the endpoint's of the same name (§4.1).
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<int, int>> expectedStatus;  // empty = only 200 (§4.1)
  int intervalSeconds = 30;
  int timeoutSeconds = 10;
  int toleratedFailures = 3;
  bool verifyTls = false;

  // Identity of the probe: equal keys are probed once and shared (issue 4), and a reload keeps
  // the health of an endpoint whose key did not change.
  std::string key() const;
};

// Everything the engine should probe for one compiled snapshot. Endpoints not listed (disabled,
// alwaysServe, nested) are not probed: routing derives their status.
struct ProbePlan {
  uint64_t generation = 0;   // the snapshot generation this plan belongs to
  size_t endpointCount = 0;  // size of the HealthTable to publish
  std::vector<ProbeSpec> probes;
};

}  // namespace tmdns::probes
