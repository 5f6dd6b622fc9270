// Observability: the registry's collectors and the four pages.
#include "app/observability.h"

#include "metrics/exposition.h"
#include "metrics/health_status.h"
#include "metrics/process_metrics.h"

namespace tmdns::app {
namespace {

void collectHttp(const http::ServerStats& stats, std::vector<metrics::Family>& out) {
  metrics::Family responses;
  responses.name = "tmdns_http_responses_total";
  responses.help = "Responses of the HTTP status interface, by status code.";
  responses.type = metrics::MetricType::kCounter;
  for (const auto& [status, count] : stats.responses) {
    responses.samples.push_back({{{"code", std::to_string(status)}}, static_cast<double>(count)});
  }
  out.push_back(std::move(responses));
  metrics::Family rejected;
  rejected.name = "tmdns_http_rejected_connections_total";
  rejected.help = "HTTP connections closed at once because the connection limit was reached.";
  rejected.type = metrics::MetricType::kCounter;
  rejected.samples.push_back({{}, static_cast<double>(stats.rejectedConnections)});
  out.push_back(std::move(rejected));
}

}  // namespace

Observability::Observability(ObservedProcess process) : process_(process) {
  const ObservedProcess& p = process_;
  registry_.add(
      [](std::vector<metrics::Family>& out) { metrics::collectBuildInfo(TMDNS_VERSION, out); });
  registry_.add([&p](std::vector<metrics::Family>& out) { p.config.collect(out); });
  registry_.add([&p](std::vector<metrics::Family>& out) {
    p.queries.collect(out);
    metrics::collectServerCounters(p.server.counters(dns::Transport::kUdp),
                                   p.server.counters(dns::Transport::kTcp), p.server.ioCounters(),
                                   out);
  });
  registry_.add([&p](std::vector<metrics::Family>& out) {
    const PublishedState state = p.publisher.current();
    if (state.snapshot == nullptr || state.catalog == nullptr) {
      return;
    }
    metrics::collectHealthStatus(
        *state.catalog, metrics::computeHealthStatus(state.snapshot->routing, state.health.get()),
        out);
  });
  registry_.add([&p](std::vector<metrics::Family>& out) {
    p.probes.collect(out);
    metrics::collectProber(p.monitor.schedulerLagSeconds(), p.monitor.firstRoundDone(), out);
  });
  registry_.add([this](std::vector<metrics::Family>& out) {
    if (http_ != nullptr) {
      collectHttp(http_->stats(), out);
    }
  });
  registry_.add([](std::vector<metrics::Family>& out) {
    metrics::collectProcess(metrics::readProcessSample(), out);
  });

  router_.get("/metrics", [this](const http::Request& r) { return metricsPage(r); });
  router_.get("/healthz", [](const http::Request&) { return http::textResponse(200, "ok"); });
  router_.get("/readyz", [this](const http::Request&) { return readyPage(); });
  router_.get("/status", [this](const http::Request&) { return statusPage(); });
}

Observability::~Observability() {
  stop();
}

bool Observability::bind(const std::string& host, uint16_t port, std::string& error) {
  http::ServerOptions options;
  options.host = host;
  options.port = port;
  http_ = std::make_unique<http::Server>(
      options, [this](const http::Request& request) { return handle(request); });
  if (!http_->bind(error)) {
    http_.reset();
    return false;
  }
  return true;
}

void Observability::start() {
  if (http_ != nullptr) {
    http_->start();
  }
}

uint16_t Observability::port() const {
  return http_ != nullptr ? http_->port() : 0;
}

void Observability::stop() {
  if (http_ != nullptr) {
    http_->stop();
  }
}

http::Response Observability::handle(const http::Request& request) const {
  return router_.route(request);
}

http::Response Observability::metricsPage(const http::Request& request) const {
  const std::string* accept = request.header("Accept");
  const metrics::Format format = metrics::negotiate(accept != nullptr ? *accept : "");
  http::Response response;
  response.contentType = std::string(metrics::contentType(format));
  response.body = registry_.scrape(format);
  return response;
}

http::Response Observability::readyPage() const {
  const metrics::Readiness::Verdict verdict = process_.readiness.check();
  return http::textResponse(verdict.ready ? 200 : 503, verdict.reason);
}

http::Response Observability::statusPage() const {
  const PublishedState state = process_.publisher.current();
  if (state.snapshot == nullptr || state.catalog == nullptr) {
    return http::textResponse(503, "no configuration served yet");
  }
  uint64_t generation = 0;
  const std::vector<probes::EndpointProbeState> details = process_.monitor.details(generation);
  http::Response response;
  response.contentType = "application/json";
  response.body = metrics::statusJson(
      *state.catalog, metrics::computeHealthStatus(state.snapshot->routing, state.health.get()),
      details, generation);
  response.body += '\n';
  return response;
}

}  // namespace tmdns::app
