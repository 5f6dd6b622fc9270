// TCP probes (traffic-manager.md §4.1): a non-blocking connect that succeeds is healthy, then
// closed.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "probes/attempt.h"
#include "probes/event_loop.h"
#include "probes/scheduler.h"

namespace tmdns::probes {

// Runs on the engine thread only. Deadlines are the engine's: it cancels what is still pending.
class TcpProber {
 public:
  TcpProber(EventLoop& loop, std::string sourceAddress);
  ~TcpProber();
  TcpProber(const TcpProber&) = delete;
  TcpProber& operator=(const TcpProber&) = delete;

  // Starts connecting to `address` (numeric) : `port`. The outcome, immediate or later, is
  // collected with takeCompleted().
  void start(AttemptId id, const std::string& address, uint16_t port, TimePoint now);
  // Readiness of the socket of attempt `id` (its epoll tag value).
  void onEvent(AttemptId id, TimePoint now);
  // Abandons an attempt; no result is reported for it.
  void cancel(AttemptId id);
  std::vector<CompletedAttempt> takeCompleted();
  size_t pending() const { return sockets_.size(); }

 private:
  struct Pending {
    int fd = -1;
    TimePoint start;
  };

  void finish(AttemptId id, bool ok, std::string reason, TimePoint now);

  EventLoop& loop_;
  std::string sourceAddress_;
  std::unordered_map<AttemptId, Pending> sockets_;
  std::vector<CompletedAttempt> completed_;
};

}  // namespace tmdns::probes
