// Start-up, reload and shutdown of the serving process.
#include "app/daemon.h"

#include <signal.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/configuration.h"
#include "app/log.h"
#include "config/probe_plan.h"
#include "dns/served_state.h"
#include "dns/server.h"
#include "probes/monitor.h"
#include "util/rcu.h"

namespace tmdns::app {
namespace {

std::string formatAddress(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

dns::ServerOptions serverOptions(const config::Config& cfg) {
  dns::ServerOptions options;
  for (const config::ListenAddress& a : cfg.listen) {
    options.listen.push_back({a.host, a.port});
  }
  const unsigned cores = std::thread::hardware_concurrency();
  options.udpThreads = cfg.threads > 0 ? cfg.threads : static_cast<int>(cores == 0 ? 1 : cores);
  options.tcpIdleTimeoutMs = cfg.tcp.idleTimeoutMs;
  options.tcpMaxConnections = cfg.tcp.maxConnections;
  options.tcpMaxQueriesPerConnection = cfg.tcp.maxQueriesPerConnection;
  return options;
}

// The one writer of the served state. A reload publishes a new snapshot with its health; the
// probe engine publishes new health for the current snapshot. Both go through here so that a
// health table computed for an older snapshot is never paired with a newer one.
class StatePublisher {
 public:
  explicit StatePublisher(util::RcuPointer<dns::ServedState>& state) : state_(state) {}

  void publishSnapshot(std::shared_ptr<const dns::Snapshot> snapshot,
                       std::shared_ptr<const routing::HealthTable> health) {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_ = std::move(snapshot);
    publishLocked(std::move(health));
  }

  void publishHealth(uint64_t generation, std::shared_ptr<const routing::HealthTable> health) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (snapshot_ && snapshot_->generation == generation) {
      publishLocked(std::move(health));
    }
  }

 private:
  void publishLocked(std::shared_ptr<const routing::HealthTable> health) {
    auto next = std::make_unique<dns::ServedState>();
    next->snapshot = snapshot_;
    next->health = std::move(health);
    state_.publish(std::move(next));
  }

  util::RcuPointer<dns::ServedState>& state_;
  std::mutex mutex_;
  std::shared_ptr<const dns::Snapshot> snapshot_;
};

// With probing turned off every enabled endpoint is served as Unmonitored (issue 4); routing
// still applies Disabled and the nested rollup itself.
std::shared_ptr<const routing::HealthTable> unmonitoredHealth(size_t endpoints) {
  auto table = std::make_shared<routing::HealthTable>();
  table->status.assign(endpoints, routing::MonitorStatus::kUnmonitored);
  return table;
}

probes::MonitorOptions monitorOptions(const config::Config& cfg) {
  probes::MonitorOptions options;
  options.resolvers = cfg.probes.resolvers;
  options.sourceAddress = cfg.probes.sourceAddress;
  options.userAgent =
      cfg.probes.userAgent.empty() ? std::string("tmdns/") + TMDNS_VERSION : cfg.probes.userAgent;
  options.maxConcurrent = cfg.probes.maxConcurrent;
  return options;
}

// Listening addresses and thread count are fixed for the life of the process: sockets are bound
// once (possibly before dropping privileges). A reload that changes them is served, with a note.
bool sameListeners(const config::Config& a, const config::Config& b) {
  if (a.listen.size() != b.listen.size() || a.threads != b.threads) {
    return false;
  }
  for (size_t i = 0; i < a.listen.size(); ++i) {
    if (a.listen[i].host != b.listen[i].host || a.listen[i].port != b.listen[i].port) {
      return false;
    }
  }
  return true;
}

}  // namespace

int serve(const std::string& configFile) {
  // Signals are taken synchronously by this thread only; every thread started later inherits
  // the mask, so SIGHUP never interrupts a worker.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  LoadedConfiguration loaded = loadConfiguration(configFile);
  printDiagnostics(loaded.diagnostics);
  if (!loaded.snapshot) {
    logLine("configuration rejected (" + std::to_string(loaded.diagnostics.errorCount()) +
            " errors), not serving");
    return 1;
  }
  config::Config running = std::move(*loaded.config);
  uint64_t generation = 1;
  loaded.snapshot->generation = generation;
  loaded.snapshot->configHash = loaded.hash;

  util::RcuDomain domain;
  util::RcuPointer<dns::ServedState> state(domain);
  StatePublisher publisher(state);
  // Probe settings other than `enabled` are read at start-up; the plan follows every reload.
  probes::Monitor monitor(
      monitorOptions(running),
      [&publisher](uint64_t gen, std::shared_ptr<const routing::HealthTable> health) {
        publisher.publishHealth(gen, std::move(health));
      },
      [](const std::string& line) { logLine(line); });
  auto healthFor = [&](const config::Config& cfg, const dns::Snapshot& snapshot) {
    // The plan is empty when probing is off, which also stops probes of a previous plan.
    auto health = monitor.setPlan(config::buildProbePlan(cfg, snapshot.generation));
    return cfg.probes.enabled ? health : unmonitoredHealth(snapshot.routing.endpoints.size());
  };
  {
    std::shared_ptr<const dns::Snapshot> snapshot = std::move(loaded.snapshot);
    publisher.publishSnapshot(snapshot, healthFor(running, *snapshot));
  }
  monitor.start();

  dns::Server server(domain, state);
  const dns::ServerOptions options = serverOptions(running);
  std::string error;
  if (!server.bind(options, error)) {
    logLine(error);
    return 1;
  }
  const std::vector<uint16_t> ports = server.boundPorts();
  for (size_t i = 0; i < options.listen.size() && i < ports.size(); ++i) {
    logLine("listening on " + formatAddress(options.listen[i].host, ports[i]) + " (udp, tcp)");
  }
  server.start();
  logLine("serving generation " + std::to_string(generation) + " (config sha256 " + loaded.hash +
          ")");

  for (;;) {
    siginfo_t info;
    const int sig = sigwaitinfo(&signals, &info);
    if (sig < 0) {
      if (errno == EINTR) {
        continue;
      }
      logLine("sigwaitinfo failed; stopping");
      break;
    }
    if (sig == SIGTERM || sig == SIGINT) {
      logLine(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
      break;
    }
    // SIGHUP: compile the new configuration completely before anything changes; the old one
    // keeps serving throughout and stays if the new one has any error.
    LoadedConfiguration next = loadConfiguration(configFile);
    printDiagnostics(next.diagnostics);
    if (!next.snapshot) {
      logLine("reload rejected (" + std::to_string(next.diagnostics.errorCount()) +
              " errors), still serving generation " + std::to_string(generation));
      continue;
    }
    if (!sameListeners(running, *next.config)) {
      logLine("note: listen and threads changes take effect at the next restart");
    }
    ++generation;
    next.snapshot->generation = generation;
    next.snapshot->configHash = next.hash;
    std::shared_ptr<const dns::Snapshot> snapshot = std::move(next.snapshot);
    publisher.publishSnapshot(snapshot, healthFor(*next.config, *snapshot));
    running = std::move(*next.config);
    logLine("reloaded: serving generation " + std::to_string(generation) + " (config sha256 " +
            next.hash + ")");
  }
  monitor.stop();
  server.stop();
  return 0;
}

}  // namespace tmdns::app
