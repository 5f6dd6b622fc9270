// Scheduler: a due-time ordered queue of probe keys with per-key cadence and a running count.
#include "probes/scheduler.h"

#include <algorithm>
#include <cstdint>

namespace tmdns::probes {

void Scheduler::add(const std::string& key, std::chrono::milliseconds interval, TimePoint now) {
  if (entries_.count(key) != 0) {
    return;
  }
  if (interval.count() <= 0) {
    interval = std::chrono::milliseconds(1000);
  }
  Entry entry;
  entry.interval = interval;
  entry.due = now + jitter(key, interval);
  queue_.emplace(entry.due, key);
  entries_.emplace(key, entry);
}

void Scheduler::remove(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return;
  }
  if (it->second.running) {
    --running_;
  } else {
    queue_.erase({it->second.due, key});
  }
  entries_.erase(it);
}

std::vector<std::string> Scheduler::takeDue(TimePoint now, size_t limit) {
  std::vector<std::string> out;
  while (out.size() < limit && !queue_.empty() && queue_.begin()->first <= now) {
    auto head = queue_.begin();
    Entry& entry = entries_.at(head->second);
    entry.running = true;
    ++running_;
    out.push_back(head->second);
    queue_.erase(head);
  }
  return out;
}

void Scheduler::completed(const std::string& key, TimePoint now) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.running) {
    return;
  }
  Entry& entry = it->second;
  entry.running = false;
  --running_;
  // Cadence from the planned start, not from the end of the probe: a probe that takes its
  // whole timeout must not stretch the interval (§4.2 probes every intervalInSeconds).
  entry.due = std::max(entry.due + entry.interval, now);
  queue_.emplace(entry.due, key);
}

std::optional<TimePoint> Scheduler::nextDue() const {
  if (queue_.empty()) {
    return std::nullopt;
  }
  return queue_.begin()->first;
}

std::chrono::milliseconds Scheduler::jitter(const std::string& key,
                                            std::chrono::milliseconds interval) {
  if (interval.count() <= 0) {
    return std::chrono::milliseconds(0);
  }
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a 64-bit offset basis
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ULL;  // FNV-1a 64-bit prime
  }
  return std::chrono::milliseconds(
      static_cast<int64_t>(hash % static_cast<uint64_t>(interval.count())));
}

}  // namespace tmdns::probes
