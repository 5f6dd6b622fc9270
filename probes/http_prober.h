// HTTP/HTTPS probes (traffic-manager.md §4.1) on one libcurl multi handle driven by the engine's
// epoll.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "probes/attempt.h"
#include "probes/event_loop.h"
#include "probes/probe_spec.h"
#include "probes/scheduler.h"

namespace tmdns::probes {

// The body is irrelevant (§4.1); reading a little of it lets small responses end cleanly, and
// the transfer is aborted beyond this bound so that a huge or endless body costs nothing.
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

// Success per §4.1: 200, or a code inside one of the expected ranges.
bool statusAccepted(long code, const std::vector<std::pair<int, int>>& expected);

// Runs on the engine thread only. Uses the curl multi "socket action" interface: curl tells us
// which sockets to watch (CURLMOPT_SOCKETFUNCTION -> EventLoop) and when to call it back
// (CURLMOPT_TIMERFUNCTION -> nextTimer()).
class HttpProber {
 public:
  HttpProber(EventLoop& loop, std::string userAgent, std::string sourceAddress);
  ~HttpProber();
  HttpProber(const HttpProber&) = delete;
  HttpProber& operator=(const HttpProber&) = delete;

  // Creates the multi handle; on failure every start() fails at once with the reason.
  bool init(std::string& error);

  // GET spec.path on spec.port of `address` (numeric), with the Host header and TLS SNI still
  // naming spec.target (CURLOPT_CONNECT_TO). An empty address connects to the target itself
  // (an IP-literal target). The outcome is collected with takeCompleted().
  void start(AttemptId id, const ProbeSpec& spec, const std::string& address,
             std::chrono::milliseconds timeout, TimePoint now);
  // Abandons a transfer (closing its connection); no result is reported for it.
  void cancel(AttemptId id);

  // Readiness of a curl socket (its epoll tag value is the descriptor).
  void onSocket(int fd, uint32_t epollEvents, TimePoint now);
  // Lets curl run its timeouts when nextTimer() has passed.
  void onTimer(TimePoint now);
  std::optional<TimePoint> nextTimer() const { return timer_; }

  std::vector<CompletedAttempt> takeCompleted();
  size_t pending() const { return transfers_.size(); }

 private:
  struct Transfer;
  struct Callbacks;

  void drain(TimePoint now);
  void release(Transfer& transfer);

  EventLoop& loop_;
  std::string userAgent_;
  std::string sourceAddress_;
  std::string initError_;
  void* multi_ = nullptr;  // CURLM*; void* keeps curl.h out of this header's includers
  std::optional<TimePoint> timer_;
  std::unordered_map<AttemptId, std::unique_ptr<Transfer>> transfers_;
  std::vector<CompletedAttempt> completed_;
};

}  // namespace tmdns::probes
