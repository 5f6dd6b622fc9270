// The HTTP status interface of the serving process: /metrics, /healthz, /readyz and /status.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/state_publisher.h"
#include "dns/server.h"
#include "http/message.h"
#include "http/router.h"
#include "http/server.h"
#include "metrics/config_metrics.h"
#include "metrics/probe_metrics.h"
#include "metrics/query_metrics.h"
#include "metrics/readiness.h"
#include "metrics/registry.h"
#include "probes/monitor.h"

namespace tmdns::app {

// The parts of the process the pages read. All outlive the Observability that refers to them.
struct ObservedProcess {
  const StatePublisher& publisher;
  const probes::Monitor& monitor;
  const dns::Server& server;
  const metrics::QueryMetrics& queries;
  const metrics::ProbeMetrics& probes;
  const metrics::ConfigMetrics& config;
  const metrics::Readiness& readiness;
};

// Serves the pages from the HTTP server's own thread; no DNS worker ever runs any of it.
class Observability {
 public:
  explicit Observability(ObservedProcess process);
  ~Observability();
  Observability(const Observability&) = delete;
  Observability& operator=(const Observability&) = delete;

  // Binds `host`:`port` (before privileges are dropped); false with `error` when it cannot.
  bool bind(const std::string& host, uint16_t port, std::string& error);
  uint16_t port() const;
  // Starts the HTTP thread (after bind) / stops and joins it.
  void start();
  void stop();

  // Routes one request as the HTTP server would (also for tests).
  http::Response handle(const http::Request& request) const;

  // Every metric family, as /metrics renders them.
  const metrics::Registry& registry() const { return registry_; }

 private:
  http::Response metricsPage(const http::Request& request) const;
  http::Response statusPage() const;
  http::Response readyPage() const;

  ObservedProcess process_;
  metrics::Registry registry_;
  http::Router router_;
  std::unique_ptr<http::Server> http_;
};

}  // namespace tmdns::app
