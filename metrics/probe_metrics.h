// Probe engine metrics: results by outcome class, status changes, durations, scheduler lag.
#pragma once

#include <vector>

#include "metrics/family.h"
#include "metrics/instruments.h"
#include "probes/monitor.h"

namespace tmdns::metrics {

// Fed by the engine thread (Monitor::Observe), read by scrapes.
class ProbeMetrics {
 public:
  ProbeMetrics();

  void observe(const probes::ProbeEvent& event);

  // tmdns_probe_results_total, tmdns_endpoint_status_changes_total, tmdns_probe_duration_seconds.
  void collect(std::vector<Family>& out) const;

  const CounterVec& results() const { return results_; }
  const CounterVec& changes() const { return changes_; }

 private:
  CounterVec results_;
  CounterVec changes_;
  HistogramVec duration_;
};

// tmdns_probe_scheduler_lag_seconds and tmdns_probe_first_round_done.
void collectProber(double lagSeconds, bool firstRoundDone, std::vector<Family>& out);

}  // namespace tmdns::metrics
