// Start-up, reload and shutdown of the serving process.
#include "app/daemon.h"

#include <signal.h>

#include <cerrno>
#include <memory>
#include <string>
#include <thread>

#include "app/configuration.h"
#include "app/log.h"
#include "dns/server.h"
#include "dns/served_state.h"
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

std::unique_ptr<const dns::ServedState> makeState(std::shared_ptr<const dns::Snapshot> snapshot) {
  auto state = std::make_unique<dns::ServedState>();
  state->snapshot = std::move(snapshot);
  // Until probes publish, every enabled endpoint is CheckingEndpoint, which is served (§2.1).
  state->health = std::make_shared<const routing::HealthTable>();
  return state;
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
  state.publish(makeState(std::move(loaded.snapshot)));

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
    state.publish(makeState(std::move(next.snapshot)));
    running = std::move(*next.config);
    logLine("reloaded: serving generation " + std::to_string(generation) + " (config sha256 " +
            next.hash + ")");
  }
  server.stop();
  return 0;
}

}  // namespace tmdns::app
