// Start-up, reload and shutdown of the serving process.
#include "app/daemon.h"

#include <malloc.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/configuration.h"
#include "app/log.h"
#include "app/observability.h"
#include "app/privileges.h"
#include "app/state_publisher.h"
#include "config/probe_plan.h"
#include "dns/query_stats.h"
#include "dns/rate_limiter.h"
#include "dns/served_state.h"
#include "dns/server.h"
#include "metrics/catalog.h"
#include "metrics/config_metrics.h"
#include "metrics/probe_metrics.h"
#include "metrics/query_metrics.h"
#include "metrics/readiness.h"
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

dns::RateLimitOptions rateLimitOptions(const config::RateLimitSettings& settings) {
  dns::RateLimitOptions options;
  options.responsesPerSecond = static_cast<uint32_t>(settings.responsesPerSecond);
  options.window = static_cast<uint32_t>(settings.window);
  options.slip = static_cast<uint32_t>(settings.slip);
  options.ipv4Prefix = static_cast<uint8_t>(settings.ipv4Prefix);
  options.ipv6Prefix = static_cast<uint8_t>(settings.ipv6Prefix);
  options.tableSize = static_cast<uint32_t>(settings.tableSize);
  return options;
}

std::string describe(const dns::RateLimitOptions& o) {
  return std::to_string(o.responsesPerSecond) + " UDP responses/s per /" +
         std::to_string(o.ipv4Prefix) + " and /" + std::to_string(o.ipv6Prefix) +
         " and response class, window " + std::to_string(o.window) + " s, slip " +
         std::to_string(o.slip) + ", " + std::to_string(o.tableSize) + " buckets";
}

// A large configuration can carry thousands of notices (one per loopback or private endpoint
// address, say) and a reload repeats them all: the log keeps the first ones, --check-config
// lists every one. Errors and warnings are always logged in full.
constexpr size_t kMaxNoticesLogged = 20;

double unixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// What serving keeps of a configuration once its snapshot is served: the settings that are fixed
// for the life of the process. The model itself (every profile and endpoint with the position of
// each field: tens of MB for 50,000 endpoints) is dropped as soon as its snapshot is served.
struct FixedSettings {
  std::vector<config::ListenAddress> listen;
  int threads = 0;
  std::optional<config::ListenAddress> http;
  config::RunAs runAs;
};

FixedSettings fixedSettings(const config::Config& cfg) {
  return FixedSettings{cfg.listen, cfg.threads, cfg.http, cfg.runAs};
}

// Listening addresses and thread count are fixed for the life of the process: sockets are bound
// once (possibly before dropping privileges). A reload that changes them is served, with a note.
bool sameListeners(const FixedSettings& a, const config::Config& b) {
  if (a.listen.size() != b.listen.size() || a.threads != b.threads) {
    return false;
  }
  if (a.http.has_value() != b.http.has_value() ||
      (a.http && (a.http->host != b.http->host || a.http->port != b.http->port))) {
    return false;
  }
  for (size_t i = 0; i < a.listen.size(); ++i) {
    if (a.listen[i].host != b.listen[i].host || a.listen[i].port != b.listen[i].port) {
      return false;
    }
  }
  return true;
}

// A load frees far more than it keeps (a 7 MB configuration parses into a YAML tree of about
// 300 MB, then a model, then the snapshot), and glibc keeps freed heap for later allocations:
// without this the daemon would hold the peak of its last load for good. Runs on the thread that
// loads, after the load's memory is freed, never on the query path.
void releaseFreedMemory() {
  malloc_trim(0);
}

// Two glibc settings that keep a reload from leaving memory behind (10,000 profiles x 5
// endpoints serve in 58 MB; without them a reload of the same file leaves 5-25 MB more).
// Blocks of 1 MiB and more (each generation's query counters: 20 MB for 10,000 profiles; the
// snapshot's larger tables) are mapped on their own and unmapped when freed: left to itself,
// glibc raises this threshold to the size of the first such block freed, and every other
// generation then carves its counters out of the heap. And no fastbins: small blocks freed into
// them are merged only later, by malloc_trim, which then does not return the top of a thread's
// arena (the configuration reader's, see app/configuration.cc) to the system.
void tuneMalloc() {
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_MXFAST, 0);
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

  tuneMalloc();
  LoadedConfiguration loaded = loadConfiguration(configFile);
  printDiagnostics(loaded.diagnostics, kMaxNoticesLogged, configFile);
  if (!loaded.snapshot) {
    logLine("configuration rejected (" + std::to_string(loaded.diagnostics.errorCount()) +
            " errors), not serving");
    return 1;
  }
  // What the sockets were bound with and whom the process runs as: fixed until a restart, so
  // every reload that asks for something else is told so, not only the first.
  const FixedSettings running = fixedSettings(*loaded.config);
  const std::string startHash = loaded.hash;
  uint64_t generation = 1;
  loaded.snapshot->generation = generation;
  loaded.snapshot->configHash = loaded.hash;

  util::RcuDomain domain;
  util::RcuPointer<dns::ServedState> state(domain);
  StatePublisher publisher(state);
  metrics::QueryMetrics queryMetrics;
  metrics::ProbeMetrics probeMetrics;
  metrics::ConfigMetrics configMetrics;
  // Probe settings other than `enabled` are read at start-up; the plan follows every reload.
  probes::Monitor monitor(
      monitorOptions(*loaded.config),
      [&publisher](uint64_t gen, std::shared_ptr<const routing::HealthTable> health) {
        publisher.publishHealth(gen, std::move(health));
      },
      [](const std::string& line) { logLine(line); },
      [&probeMetrics](const probes::ProbeEvent& event) { probeMetrics.observe(event); });
  auto healthFor = [&](const config::Config& cfg, const dns::Snapshot& snapshot) {
    // The plan is empty when probing is off, which also stops probes of a previous plan.
    auto health = monitor.setPlan(config::buildProbePlan(cfg, snapshot.generation));
    return cfg.probes.enabled ? health : unmonitoredHealth(snapshot.routing.endpoints.size());
  };
  // The rate limiter's buckets survive a reload that keeps `rate_limit` as it is; changed
  // settings get a fresh table, allocated here, off the query path. The old one is freed with
  // the last served state that holds it, after its RCU grace period.
  std::shared_ptr<dns::RateLimiter> rateLimiter;
  auto rateLimiterFor = [&](const config::Config& cfg) {
    if (!cfg.rateLimit) {
      if (rateLimiter != nullptr) {
        logLine("rate limiting off");
      }
      rateLimiter.reset();
      return rateLimiter;
    }
    const dns::RateLimitOptions wanted = rateLimitOptions(*cfg.rateLimit);
    if (rateLimiter == nullptr || rateLimiter->options() != wanted) {
      try {
        rateLimiter = std::make_shared<dns::RateLimiter>(wanted);
        logLine("rate limiting on: " + describe(wanted));
      } catch (const std::bad_alloc&) {
        // Up to 128 MiB: a reload must not take the server down for it.
        logLine("rate limiting: cannot allocate " + std::to_string(wanted.tableSize) +
                " buckets; the previous rate limit settings stay");
      }
    }
    return rateLimiter;
  };
  dns::Server server(domain, state);
  const dns::ServerOptions options = serverOptions(*loaded.config);
  // Serves `snapshot` with fresh counters. Once publishSnapshot returns no worker counts into the
  // previous snapshot's counters any more, and queryMetrics folds their totals.
  auto serveSnapshot = [&](const config::Config& cfg,
                           std::shared_ptr<const dns::Snapshot> snapshot) {
    auto stats = std::make_shared<dns::QueryStats>(
        *snapshot, static_cast<uint32_t>(options.udpThreads), dns::kTcpStatsSlots);
    auto catalog = std::make_shared<const metrics::Catalog>(
        metrics::buildCatalog(cfg, snapshot->routing, snapshot->generation, snapshot->configHash));
    publisher.publishSnapshot(
        snapshot, [&] { return healthFor(cfg, *snapshot); }, stats, catalog, rateLimiterFor(cfg));
    queryMetrics.replace(catalog, stats);
  };
  serveSnapshot(*loaded.config, std::move(loaded.snapshot));
  configMetrics.started(startHash, generation, unixSeconds());
  loaded = LoadedConfiguration();
  releaseFreedMemory();
  std::string error;
  if (!server.bind(options, error)) {
    logLine(error);
    return 1;
  }
  const std::vector<uint16_t> ports = server.boundPorts();
  for (size_t i = 0; i < options.listen.size() && i < ports.size(); ++i) {
    logLine("listening on " + formatAddress(options.listen[i].host, ports[i]) + " (udp, tcp)");
  }
  // The status listener reads the DNS server's counters: bound once the DNS sockets exist.
  metrics::Readiness readiness([&monitor] { return monitor.firstRoundDone(); });
  readiness.configurationLoaded();
  Observability observability(
      {publisher, monitor, server, queryMetrics, probeMetrics, configMetrics, readiness});
  if (running.http) {
    if (!observability.bind(running.http->host, running.http->port, error)) {
      logLine(error);
      return 1;
    }
    logLine("http listening on " + formatAddress(running.http->host, observability.port()) +
            " (/metrics, /healthz, /readyz, /status)");
  }
  // Every socket is bound: from here on nothing needs root or CAP_NET_BIND_SERVICE. Before any
  // thread starts, since capabilities are per thread (the uid change alone is process-wide).
  const PrivilegeDrop drop = dropPrivileges(running.runAs);
  logLine(drop.message);
  if (!drop.ok) {
    return 1;
  }
  monitor.start();
  observability.start();
  server.start();
  readiness.listenersBound();
  logLine("serving generation " + std::to_string(generation) + " (config sha256 " + startHash +
          ")");

  // A reload frees what it loaded (served or rejected) before it logs its outcome.
  auto reload = [&] {
    LoadedConfiguration next = loadConfiguration(configFile);
    printDiagnostics(next.diagnostics, kMaxNoticesLogged, configFile);
    if (!next.snapshot) {
      configMetrics.reloaded(false, startHash, generation, unixSeconds());
      const size_t errors = next.diagnostics.errorCount();
      next = LoadedConfiguration();
      releaseFreedMemory();
      logLine("reload rejected (" + std::to_string(errors) + " errors), still serving generation " +
              std::to_string(generation));
      return;
    }
    if (!sameListeners(running, *next.config)) {
      logLine("note: listen, threads and http changes take effect at the next restart");
    }
    if (next.config->runAs.user != running.runAs.user ||
        next.config->runAs.group != running.runAs.group) {
      logLine("note: user and group changes take effect at the next restart");
    }
    ++generation;
    next.snapshot->generation = generation;
    next.snapshot->configHash = next.hash;
    serveSnapshot(*next.config, std::move(next.snapshot));
    configMetrics.reloaded(true, next.hash, generation, unixSeconds());
    const std::string hash = next.hash;
    next = LoadedConfiguration();
    releaseFreedMemory();
    logLine("reloaded: serving generation " + std::to_string(generation) + " (config sha256 " +
            hash + ")");
  };

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
    reload();
  }
  readiness.stopping();
  monitor.stop();
  server.stop();
  observability.stop();
  return 0;
}

}  // namespace tmdns::app
