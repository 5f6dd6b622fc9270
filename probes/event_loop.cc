// EventLoop: epoll_ctl bookkeeping and an eventfd that other threads use to wake the engine.
#include "probes/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tmdns::probes {

EventLoop::EventLoop() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) {
    error_ = std::string("epoll_create1: ") + std::strerror(errno);
    return;
  }
  wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_ < 0) {
    error_ = std::string("eventfd: ") + std::strerror(errno);
    return;
  }
  if (!watch(wake_, EPOLLIN, makeTag(TagKind::kWake, 0))) {
    error_ = std::string("epoll_ctl(eventfd): ") + std::strerror(errno);
    close(wake_);
    wake_ = -1;
  }
}

EventLoop::~EventLoop() {
  if (wake_ >= 0) {
    close(wake_);
  }
  if (epoll_ >= 0) {
    close(epoll_);
  }
}

bool EventLoop::watch(int fd, uint32_t events, uint64_t tag) {
  if (epoll_ < 0) {
    return false;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  // Owners report "watch" without knowing whether the descriptor is new to epoll (curl and
  // c-ares both re-announce sockets), so try MOD first and fall back to ADD.
  if (epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &ev) == 0) {
    return true;
  }
  if (errno != ENOENT) {
    return false;
  }
  return epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::unwatch(int fd) {
  if (epoll_ < 0) {
    return;
  }
  // ENOENT/EBADF are expected: a closed descriptor has already left the epoll set.
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::wait(int timeoutMs, std::vector<ReadyEvent>& out) {
  if (epoll_ < 0) {
    if (timeoutMs != 0) {
      // Without epoll nothing can become ready; do not spin.
      usleep(static_cast<useconds_t>(timeoutMs < 0 ? 100000 : timeoutMs * 1000));
    }
    return;
  }
  epoll_event events[128];
  const int n = epoll_wait(epoll_, events, 128, timeoutMs);
  for (int i = 0; i < n; ++i) {
    const uint64_t tag = events[i].data.u64;
    if (tagKind(tag) == TagKind::kWake) {
      uint64_t value = 0;
      // Drains the counter; EAGAIN when another wait already drained it.
      [[maybe_unused]] ssize_t r = read(wake_, &value, sizeof(value));
      continue;
    }
    out.push_back({tag, events[i].events});
  }
}

void EventLoop::wake() {
  if (wake_ < 0) {
    return;
  }
  const uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  [[maybe_unused]] ssize_t r = write(wake_, &one, sizeof(one));
}

}  // namespace tmdns::probes
