// Shared helpers for the probe engine tests: a recorder of log lines and tables, spec builders.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probes/monitor.h"
#include "probes/probe_spec.h"
#include "routing/health_table.h"

namespace tmdns::probes::testing {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Slack for scheduling noise on a loaded CI machine; every bound below is "expected + kMargin".
inline constexpr std::chrono::milliseconds kMargin{1500};

// Collects what the Monitor announces, with arrival times, and lets a test wait for a line.
class Recorder {
 public:
  Monitor::Publish publish() {
    return [this](uint64_t generation, std::shared_ptr<const routing::HealthTable> table) {
      std::lock_guard<std::mutex> lock(mutex_);
      tables_.emplace_back(generation, std::move(table));
      changed_.notify_all();
    };
  }
  Monitor::Log log() {
    return [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.emplace_back(SteadyClock::now(), line);
      changed_.notify_all();
    };
  }

  // When `line` was logged, waiting up to `timeout` for it.
  std::optional<SteadyClock::time_point> waitLine(const std::string& line,
                                                  std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::optional<SteadyClock::time_point> at;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& [time, text] : lines_) {
        if (text == line) {
          at = time;
          return true;
        }
      }
      return false;
    });
    return at;
  }

  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& entry : lines_) {
      out.push_back(entry.second);
    }
    return out;
  }

  std::vector<std::string> linesFor(const std::string& prefix) const {
    std::vector<std::string> out;
    for (const std::string& line : lines()) {
      if (line.rfind(prefix, 0) == 0) {
        out.push_back(line);
      }
    }
    return out;
  }

  std::pair<uint64_t, std::shared_ptr<const routing::HealthTable>> lastTable() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (tables_.empty()) {
      return {0, nullptr};
    }
    return tables_.back();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<SteadyClock::time_point, std::string>> lines_;
  std::vector<std::pair<uint64_t, std::shared_ptr<const routing::HealthTable>>> tables_;
};

// An HTTP probe of `target`:`port` with 1 s interval and timeout, as the suite uses throughout.
inline ProbeSpec httpSpec(routing::EndpointId id, const std::string& endpointName,
                          const std::string& target, uint16_t port, int tolerated = 0) {
  ProbeSpec spec;
  spec.endpoint = id;
  spec.profileName = "p";
  spec.endpointName = endpointName;
  spec.protocol = Protocol::kHttp;
  spec.target = target;
  spec.port = port;
  spec.path = "/";
  spec.headers = {{"Host", target}};
  spec.intervalSeconds = 1;
  spec.timeoutSeconds = 1;
  spec.toleratedFailures = tolerated;
  return spec;
}

inline ProbePlan planOf(uint64_t generation, size_t endpointCount, std::vector<ProbeSpec> specs) {
  ProbePlan plan;
  plan.generation = generation;
  plan.endpointCount = endpointCount;
  plan.probes = std::move(specs);
  return plan;
}

// Options that keep every lookup on loopback: the resolver is always the test's own responder
// (or, when a test resolves nothing, a loopback port nobody answers).
inline MonitorOptions loopbackOptions(const std::string& resolver) {
  MonitorOptions options;
  options.resolvers = {resolver};
  options.userAgent = "tmdns-test/1";
  options.maxConcurrent = 64;
  return options;
}

// Upper bound for reaching Degraded from the start of probing (§4.2): the first probe runs
// within one interval (jitter), then `tolerated` more intervals, plus the timeout.
inline std::chrono::milliseconds degradeBound(int intervalSeconds, int tolerated,
                                              int timeoutSeconds) {
  return std::chrono::seconds(intervalSeconds * (tolerated + 1) + timeoutSeconds) + kMargin;
}

}  // namespace tmdns::probes::testing
