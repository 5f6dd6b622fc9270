// The engine's shared state: plan, per-probe health and details, guarded for setPlan/details
// callers.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "probes/health_tracker.h"
#include "probes/monitor.h"
#include "probes/probe_spec.h"
#include "routing/health_table.h"

namespace tmdns::probes {

// The outcome of one probe round of one key (all addresses of its target).
struct RoundResult {
  bool ok = false;
  std::string reason;  // "HTTP 200", "HTTP 503", "timeout after 5s", "resolve failed: NXDOMAIN"
  double latencySeconds = 0;
  int64_t finishedUnixMs = 0;
};

// Thread-safe; time comes in with the results, so it is testable without a clock or sockets.
// Endpoints whose specs have equal keys share one HealthTracker: they are probed once (issue 4).
class HealthModel {
 public:
  // What apply() asks the caller to announce (outside the lock).
  struct Update {
    uint64_t generation = 0;
    std::shared_ptr<const routing::HealthTable> table;  // null when no status changed
    std::vector<std::string> logLines;  // "profile/endpoint: Online -> Degraded (HTTP 503)"
    std::vector<ProbeEvent> events;     // one per endpoint using the key
  };

  // Replaces the plan; a key present before keeps its tracker and details (no return to
  // CheckingEndpoint on reload). Returns the table for the new plan.
  std::shared_ptr<const routing::HealthTable> setPlan(ProbePlan plan);

  // Records a finished round of `key`. A key no longer in the plan is ignored.
  Update apply(const std::string& key, const RoundResult& result);

  // Per-endpoint details, indexed by EndpointId (unprobed endpoints keep the default).
  std::vector<EndpointProbeState> details() const;
  // The same, with the generation of the plan they belong to.
  std::vector<EndpointProbeState> details(uint64_t& generation) const;

  // One spec per distinct key of the current plan, and the plan version (bumped by setPlan),
  // so the engine can tell when to reconcile its schedule.
  std::vector<ProbeSpec> probes(uint64_t& version) const;
  uint64_t version() const;

  // See Monitor::firstRoundDone().
  bool firstRoundDone() const;

 private:
  struct KeyState {
    ProbeSpec spec;  // the first endpoint's spec with this key
    HealthTracker tracker;
    EndpointProbeState detail;
    std::vector<routing::EndpointId> endpoints;
    std::vector<std::string> labels;      // "profile/endpoint", parallel to endpoints
    std::vector<const ProbeSpec*> specs;  // parallel to endpoints; point into plan_
    bool probed = false;                  // a round has finished since the key was planned
  };

  // A copy of status_. Each status change publishes a whole table, and when a plan of N endpoints
  // first comes Online that is N tables in one interval: building each by walking every key made
  // that O(N^2) (10,000 endpoints: seconds of engine CPU, probes late by up to 2 s; see
  // bench/README.md), so apply() keeps status_ current and a table is one flat copy.
  std::shared_ptr<const routing::HealthTable> tableLocked() const;
  // Recomputes status_ from keys_ (a new plan).
  void rebuildStatusLocked();
  void updateFirstRoundLocked();

  mutable std::mutex mutex_;
  uint64_t generation_ = 0;
  uint64_t version_ = 0;
  size_t endpointCount_ = 0;
  std::unordered_map<std::string, KeyState> keys_;
  std::vector<std::string> order_;  // keys in plan order, for stable iteration
  std::vector<ProbeSpec> plan_;     // the current plan's specs (zone/profile/endpoint names)
  bool firstRoundDone_ = false;
  // By EndpointId: the statuses tableLocked() publishes.
  std::vector<routing::MonitorStatus> status_;
};

}  // namespace tmdns::probes
