// Hostile HTTP backends on many loopback addresses sharing one port, all served by one epoll
// thread: healthy ones answer 200, the others hang, reset or trickle, for probe-engine stress
// tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tmdns::probes::testing {

enum class Hostility : uint8_t {
  kHealthy,            // reads the request head, answers 200 with a small body and closes
  kHang,               // accepts and reads, never answers; closes when the client does
  kResetOnAccept,      // accepts and at once closes with SO_LINGER {1, 0}: an RST
  kResetAfterRequest,  // reads the request head, then an RST instead of an answer
  kTrickle,            // after the request head, one byte of a 200 response every 400 ms
};

// One listener per target, every one on the same port (a Traffic Manager profile's endpoints share
// its monitorConfig.port), plus every accepted connection, on one epoll thread. Network safety:
// every address must be in 127.0.0.0/8; anything else fails construction.
class HostileBackends {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Target {
    std::string address;  // IPv4, 127.0.0.0/8
    Hostility hostility = Hostility::kHealthy;
  };

  // Counts since construction, and what is open now.
  struct Stats {
    size_t accepted = 0;
    size_t answered = 0;           // healthy 200 responses sent
    size_t slowestAnswerMs = 0;    // the longest a healthy request waited here for its answer
    size_t resets = 0;             // connections ended with an RST
    size_t trickledBytes = 0;      // bytes sent one at a time
    size_t trickleDone = 0;        // trickled responses sent to the end (none within a timeout)
    size_t closedByPeer = 0;       // connections the client closed first (end of stream or error)
    size_t acceptErrors = 0;       // accept() failures other than "nothing to accept"
    size_t open = 0;               // accepted connections still open
    double oldestOpenSeconds = 0;  // age of the oldest of them
  };

  explicit HostileBackends(std::vector<Target> targets);
  ~HostileBackends();
  HostileBackends(const HostileBackends&) = delete;
  HostileBackends& operator=(const HostileBackends&) = delete;

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  size_t size() const { return targets_.size(); }
  const Target& target(size_t i) const { return targets_.at(i); }

  // When each connection to target i was accepted, in order.
  std::vector<TimePoint> arrivals(size_t i) const;
  Stats stats() const;

  // Stops the thread and closes every listener and connection; idempotent.
  void stop();

 private:
  struct Connection;

  bool listenAll(uint16_t port);
  void closeListeners();
  void run();

  std::vector<Target> targets_;
  std::vector<int> listeners_;  // index = target
  int epoll_ = -1;
  int stop_ = -1;  // eventfd
  uint16_t port_ = 0;
  std::string error_;
  mutable std::mutex mutex_;
  std::vector<std::vector<TimePoint>> arrivals_;  // index = target
  Stats stats_;
  TimePoint oldestOpen_;  // accept time of the oldest open connection
  std::thread thread_;
};

}  // namespace tmdns::probes::testing
