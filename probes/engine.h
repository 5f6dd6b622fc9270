// The probe engine's thread body: one epoll loop driving resolution, HTTP(S) and TCP probes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "probes/attempt.h"
#include "probes/event_loop.h"
#include "probes/health_model.h"
#include "probes/monitor.h"
#include "probes/probe_spec.h"
#include "probes/scheduler.h"

namespace tmdns::probes {

class HttpProber;
class Resolver;
class TcpProber;

// Everything except wake()/requestStop() runs on the engine thread. One thread, one epoll set:
// curl's sockets (socket-action API), c-ares' sockets (sock_state callback), TCP connects and an
// eventfd all wake the same epoll_wait, whose timeout is the earliest of the scheduler's next
// start, curl's timer, c-ares' timer and the probe rounds' deadlines. No probe ever blocks.
class Engine {
 public:
  Engine(MonitorOptions options, HealthModel& model, Monitor::Publish publish, Monitor::Log log,
         Monitor::Observe observe = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The thread body; returns after requestStop(), with every handle and socket released.
  void run();
  // Thread-safe.
  void requestStop();
  // Thread-safe: the plan changed.
  void wake() { loop_.wake(); }
  // Thread-safe: see Monitor::schedulerLagSeconds().
  double schedulerLagSeconds(TimePoint now) const;

 private:
  // One probe round of one key: resolve the target (unless cached or an IP literal), then probe
  // every address at once; the round succeeds as soon as any address succeeds.
  struct Round {
    uint64_t id = 0;
    TimePoint start;
    TimePoint deadline;
    bool resolving = false;
    std::unordered_map<AttemptId, std::string> pending;         // attempt -> address
    std::unordered_map<AttemptId, bool> pendingHttp;            // attempt -> uses curl
    std::vector<std::string> addresses;                         // in resolver order
    std::vector<std::pair<std::string, std::string>> failures;  // address, reason
  };

  void initBackends();
  void reconcile(TimePoint now);
  void startDue(TimePoint now);
  void publishOldestDue();
  void startRound(const std::string& key, TimePoint now);
  void beginAttempts(const std::string& key, Round& round,
                     const std::vector<std::string>& addresses, TimePoint now);
  void expireRounds(TimePoint now);
  void processCompletions(TimePoint now);
  void attemptDone(AttemptId id, AttemptResult result, TimePoint now);
  void finishRound(const std::string& key, RoundResult result, TimePoint now);
  void cancelRound(const std::string& key);
  int waitTimeoutMs(TimePoint now) const;
  std::string timeoutReason(const std::string& key) const;
  static std::string failureReason(const Round& round);

  MonitorOptions options_;
  HealthModel& model_;
  Monitor::Publish publish_;
  Monitor::Log log_;
  Monitor::Observe observe_;
  std::atomic<bool> stop_{false};
  // The planned start of the earliest queued probe after the last startDue(), in steady-clock
  // nanoseconds; kNoDue when nothing is queued. Written by the engine thread only.
  static constexpr int64_t kNoDue = INT64_MAX;
  std::atomic<int64_t> oldestDueNs_{kNoDue};

  EventLoop loop_;
  std::unique_ptr<HttpProber> http_;
  std::unique_ptr<TcpProber> tcp_;
  std::unique_ptr<Resolver> resolver_;

  Scheduler scheduler_;
  uint64_t planVersion_ = 0;
  bool havePlan_ = false;
  std::unordered_map<std::string, ProbeSpec> specs_;  // key -> spec of the current plan
  std::unordered_map<std::string, Round> rounds_;     // key -> round in flight
  std::unordered_map<AttemptId, std::string> attemptKeys_;
  // name -> rounds waiting for its resolution (key, round id; stale entries are skipped)
  std::unordered_map<std::string, std::vector<std::pair<std::string, uint64_t>>> waiting_;
  uint64_t nextRoundId_ = 1;
  AttemptId nextAttemptId_ = 1;
};

}  // namespace tmdns::probes
