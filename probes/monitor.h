// The probe engine: probes every endpoint of the current plan and publishes health on change.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "probes/probe_spec.h"
#include "routing/health_table.h"

namespace tmdns::probes {

struct MonitorOptions {
  std::vector<std::string> resolvers;  // c-ares servers ("127.0.0.1:5300"); empty = system's
  std::string sourceAddress;
  std::string userAgent = "tmdns";
  int maxConcurrent = 512;
};

// Latest known detail of one endpoint's probing, for logs, /status and metrics.
struct EndpointProbeState {
  routing::MonitorStatus status = routing::MonitorStatus::kCheckingEndpoint;
  std::string lastResult;         // e.g. "HTTP 200", "HTTP 503", "timeout after 5s"
  double lastLatencySeconds = 0;  // of the last completed probe
  int64_t lastChangeUnixMs = 0;   // when status last changed (0 = never)
  int64_t lastProbeUnixMs = 0;
  uint32_t consecutiveFailures = 0;
};

class Monitor {
 public:
  // Called from the engine's thread with a complete table for plan `generation` whenever any
  // status changes. The receiver publishes it (and drops it if its generation is stale).
  using Publish =
      std::function<void(uint64_t generation, std::shared_ptr<const routing::HealthTable>)>;
  // One log line per status change: "profile/endpoint: Online -> Degraded (HTTP 503)".
  using Log = std::function<void(const std::string&)>;

  Monitor(MonitorOptions options, Publish publish, Log log);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Starts the engine thread.
  void start();

  // Replaces the plan (start-up and every reload) and returns the health table for it: an
  // endpoint whose ProbeSpec::key() was in the previous plan keeps its status and counters; a
  // new one starts CheckingEndpoint. The caller publishes the returned table together with the
  // new snapshot. Thread-safe.
  std::shared_ptr<const routing::HealthTable> setPlan(ProbePlan plan);

  // Per-endpoint details of the current plan, indexed by EndpointId (unprobed endpoints keep the
  // default). Thread-safe; copies.
  std::vector<EndpointProbeState> details() const;

  // Stops and joins the engine thread; in-flight probes are abandoned.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tmdns::probes
