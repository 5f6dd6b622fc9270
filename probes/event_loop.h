// The engine's single epoll instance and its eventfd wake-up: every probe socket is watched here.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tmdns::probes {

// Every watched descriptor carries a 64-bit tag: the owner's kind in the top byte (see Tag) and
// a descriptor or attempt id below, so that one loop can serve curl, c-ares and TCP probes.
enum class TagKind : uint8_t { kWake = 1, kCurl = 2, kAres = 3, kTcp = 4 };

constexpr uint64_t makeTag(TagKind kind, uint64_t value) {
  return (static_cast<uint64_t>(kind) << 56) | (value & ((uint64_t{1} << 56) - 1));
}
constexpr TagKind tagKind(uint64_t tag) {
  return static_cast<TagKind>(tag >> 56);
}
constexpr uint64_t tagValue(uint64_t tag) {
  return tag & ((uint64_t{1} << 56) - 1);
}

struct ReadyEvent {
  uint64_t tag = 0;
  uint32_t events = 0;  // EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // False (with the reason) when epoll or eventfd could not be created.
  bool ok() const { return epoll_ >= 0 && wake_ >= 0; }
  const std::string& error() const { return error_; }

  // Starts or changes watching `fd` for `events`; the tag comes back with every readiness.
  bool watch(int fd, uint32_t events, uint64_t tag);
  // Stops watching; harmless for a descriptor that is not (or no longer) watched.
  void unwatch(int fd);

  // Waits up to `timeoutMs` (-1: until something happens) and appends ready descriptors to `out`.
  // A wake() ends the wait; it is consumed here and not reported.
  void wait(int timeoutMs, std::vector<ReadyEvent>& out);

  // Ends the current or next wait. Thread-safe (eventfd write).
  void wake();

 private:
  int epoll_ = -1;
  int wake_ = -1;
  std::string error_;
};

}  // namespace tmdns::probes
