// When each probe runs: one interval apart, first runs spread by jitter, a cap on probes in flight.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tmdns::probes {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// Pure bookkeeping, time passed in: no thread, no I/O. Keys are ProbeSpec::key() values.
class Scheduler {
 public:
  // Adds a probe. Its first run is `jitter(key, interval)` after `now`, so that the probes of a
  // plan (or of a reload) do not arrive at their endpoints in one burst. Adding a known key
  // changes nothing: a kept probe keeps its cadence.
  void add(const std::string& key, std::chrono::milliseconds interval, TimePoint now);
  // Forgets a probe, queued or running.
  void remove(const std::string& key);
  bool contains(const std::string& key) const { return entries_.count(key) != 0; }

  // Up to `limit` probes whose time has come, earliest first; they count as running until
  // completed(). Those left over stay at the head of the queue: that is the concurrency cap's
  // queue, and they are the first taken once a slot frees.
  std::vector<std::string> takeDue(TimePoint now, size_t limit);
  // A running probe finished: its next run is one interval after its planned start, or now when
  // the probe (or its wait for a slot) overran the interval.
  void completed(const std::string& key, TimePoint now);

  // The earliest planned start among queued probes (it may already be past).
  std::optional<TimePoint> nextDue() const;
  size_t running() const { return running_; }
  size_t size() const { return entries_.size(); }

  // Deterministic offset in [0, interval) from the key's FNV-1a hash: stable across runs, so a
  // restart probes in the same pattern, and distinct keys spread evenly.
  static std::chrono::milliseconds jitter(const std::string& key,
                                          std::chrono::milliseconds interval);

 private:
  struct Entry {
    std::chrono::milliseconds interval{0};
    TimePoint due;
    bool running = false;
  };

  std::map<std::string, Entry> entries_;
  std::set<std::pair<TimePoint, std::string>> queue_;  // queued (not running) probes by due time
  size_t running_ = 0;
};

}  // namespace tmdns::probes
