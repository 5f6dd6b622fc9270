// ProbeMetrics: one result, one duration and maybe one status change per endpoint per round.
#include "metrics/probe_metrics.h"

#include <string>

namespace tmdns::metrics {
namespace {

std::string protocolLabel(probes::Protocol protocol) {
  switch (protocol) {
    case probes::Protocol::kHttp:
      return "http";
    case probes::Protocol::kHttps:
      return "https";
    case probes::Protocol::kTcp:
      return "tcp";
  }
  return "http";
}

Family gauge(const char* name, const char* help, double value) {
  Family family;
  family.name = name;
  family.help = help;
  family.type = MetricType::kGauge;
  family.samples.push_back({{}, value});
  return family;
}

}  // namespace

ProbeMetrics::ProbeMetrics()
    : results_("tmdns_probe_results_total",
               "Finished probe rounds per endpoint, by outcome class (ok, http_status, timeout, "
               "connect_refused, tls, resolve, other).",
               {"zone", "profile", "endpoint", "result"}),
      changes_("tmdns_endpoint_status_changes_total",
               "Endpoint monitor status changes decided by the prober (flaps), by the status "
               "changed to.",
               {"zone", "profile", "endpoint", "status"}),
      // Loopback answers in well under a millisecond; timeouts are 1 to 10 seconds (§4.2).
      duration_("tmdns_probe_duration_seconds",
                "Duration of finished probe rounds: to the deciding answer, or the timeout.",
                {"zone", "profile", "protocol"},
                {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}) {}

void ProbeMetrics::observe(const probes::ProbeEvent& event) {
  results_.add({event.zone, event.profile, event.endpoint, std::string(toString(event.outcome))});
  duration_.observe({event.zone, event.profile, protocolLabel(event.protocol)}, event.seconds);
  if (event.statusChanged) {
    changes_.add(
        {event.zone, event.profile, event.endpoint, std::string(routing::toString(event.to))});
  }
}

void ProbeMetrics::collect(std::vector<Family>& out) const {
  out.push_back(results_.collect());
  out.push_back(changes_.collect());
  out.push_back(duration_.collect());
}

void collectProber(double lagSeconds, bool firstRoundDone, std::vector<Family>& out) {
  out.push_back(gauge("tmdns_probe_scheduler_lag_seconds",
                      "How long the oldest due probe has waited to start: near 0 while the prober "
                      "keeps up; growing when its thread stalls or max_concurrent holds probes "
                      "back.",
                      lagSeconds));
  out.push_back(gauge("tmdns_probe_first_round_done",
                      "1 once every probe of the plan has had a result since start-up.",
                      firstRoundDone ? 1 : 0));
}

}  // namespace tmdns::metrics
