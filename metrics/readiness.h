// Whether the process should receive traffic (/readyz): configuration, listeners, first probes.
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace tmdns::metrics {

// Ready when a configuration is served, the DNS listeners are bound and serving, and every
// probe has had its first result (so answers reflect health, not only CheckingEndpoint), until
// shutdown begins. Setters: the main thread; check(): any thread.
class Readiness {
 public:
  // `firstRoundDone` is asked on each check (probes::Monitor::firstRoundDone).
  explicit Readiness(std::function<bool()> firstRoundDone)
      : firstRoundDone_(std::move(firstRoundDone)) {}

  void configurationLoaded() { configuration_.store(true); }
  void listenersBound() { listeners_.store(true); }
  void stopping() { stopping_.store(true); }

  struct Verdict {
    bool ready = false;
    std::string reason;  // "ready", or what is missing
  };
  Verdict check() const;

 private:
  std::function<bool()> firstRoundDone_;
  std::atomic<bool> configuration_{false};
  std::atomic<bool> listeners_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace tmdns::metrics
