// The probe engine: probes every endpoint of the current plan and publishes health on change.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "probes/probe_outcome.h"
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
  routing::MonitorStatus lastChangeFrom = routing::MonitorStatus::kCheckingEndpoint;
  std::string lastChangeReason;  // the result of the round that changed it
  int64_t lastProbeUnixMs = 0;   // 0 = not probed yet
  uint32_t consecutiveFailures = 0;
};

// One endpoint's share of one finished probe round, as the metrics count it. Endpoints that
// share a probe (equal ProbeSpec::key()) each get an event for the round.
struct ProbeEvent {
  std::string zone;
  std::string profile;
  std::string endpoint;
  Protocol protocol = Protocol::kHttp;
  ProbeOutcome outcome = ProbeOutcome::kOk;
  double seconds = 0;  // the round's latency (its duration up to the deciding result)
  bool statusChanged = false;
  routing::MonitorStatus from = routing::MonitorStatus::kCheckingEndpoint;  // when changed
  routing::MonitorStatus to = routing::MonitorStatus::kCheckingEndpoint;
};

class Monitor {
 public:
  // Called from the engine's thread with a complete table for plan `generation` whenever any
  // status changes. The receiver publishes it (and drops it if its generation is stale).
  using Publish =
      std::function<void(uint64_t generation, std::shared_ptr<const routing::HealthTable>)>;
  // One log line per status change: "profile/endpoint: Online -> Degraded (HTTP 503)".
  using Log = std::function<void(const std::string&)>;
  // Called from the engine's thread for every finished round, per endpoint (metrics).
  using Observe = std::function<void(const ProbeEvent&)>;

  Monitor(MonitorOptions options, Publish publish, Log log, Observe observe = {});
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
  // The same, with the generation of the plan they belong to.
  std::vector<EndpointProbeState> details(uint64_t& generation) const;

  // True once every probe of the plan had a result (latched: probes added by a later plan do
  // not take it back). True at once for an empty plan (probing off). Thread-safe.
  bool firstRoundDone() const;

  // How late the engine is: the age of the oldest probe that is due but not started, as the
  // engine last saw its queue. Near zero while it keeps up; it grows without bound when the
  // engine thread stalls or the concurrency cap holds probes back. 0 before start().
  // Thread-safe.
  double schedulerLagSeconds() const;

  // Stops and joins the engine thread; in-flight probes are abandoned.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tmdns::probes
