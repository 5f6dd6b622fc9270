// HostileBackends: one epoll thread behind many loopback listeners that answer, hang, reset or
// trickle.
#include "tests/support/hostile_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace tmdns::probes::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr uint64_t kStopTag = 0;
constexpr uint64_t kListenerKind = 1;
constexpr uint64_t kConnectionKind = 2;
constexpr auto kTrickleEvery = std::chrono::milliseconds(400);
// A complete, acceptable response: only its pace keeps a prober from calling the endpoint healthy.
constexpr std::string_view kTrickled = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
constexpr std::string_view kHealthy =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
constexpr size_t kMaxHead = 16384;

uint64_t tag(uint64_t kind, uint64_t value) {
  return (kind << 32) | value;
}

// An RST instead of a FIN: a zero linger time makes close() abort the connection.
void closeWithReset(int fd) {
  const linger abort{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  close(fd);
}

}  // namespace

struct HostileBackends::Connection {
  int fd = -1;
  size_t target = 0;
  SteadyClock::time_point accepted;
  std::string head;
  bool requested = false;
  size_t trickled = 0;  // bytes of kTrickled sent
  SteadyClock::time_point nextByte;
};

HostileBackends::HostileBackends(std::vector<Target> targets) : targets_(std::move(targets)) {
  arrivals_.resize(targets_.size());
  if (targets_.empty()) {
    error_ = "no targets";
    return;
  }
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  stop_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_ < 0 || stop_ < 0) {
    error_ = std::string("epoll/eventfd: ") + std::strerror(errno);
    return;
  }
  epoll_event stopEvent{};
  stopEvent.events = EPOLLIN;
  stopEvent.data.u64 = kStopTag;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, stop_, &stopEvent);
  // The first listener picks a free port; every other address must get the same one. Another
  // process may hold it on one of them, so try a few ports.
  for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
    if (!listenAll(0)) {
      closeListeners();
    }
  }
  if (port_ == 0) {
    return;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(kListenerKind, i);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, listeners_[i], &ev) != 0) {
      error_ = std::string("epoll_ctl: ") + std::strerror(errno);
      closeListeners();
      port_ = 0;
      return;
    }
  }
  thread_ = std::thread([this] { run(); });
}

HostileBackends::~HostileBackends() {
  stop();
  if (stop_ >= 0) {
    close(stop_);
  }
  if (epoll_ >= 0) {
    close(epoll_);
  }
}

bool HostileBackends::listenAll(uint16_t port) {
  for (const Target& target : targets_) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    if (inet_pton(AF_INET, target.address.c_str(), &address.sin_addr) != 1 ||
        (ntohl(address.sin_addr.s_addr) >> 24) != 127) {
      // Network safety: nothing but 127.0.0.0/8.
      error_ = "not a 127.0.0.0/8 address: " + target.address;
      return false;
    }
    address.sin_port = htons(port);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error_ = std::string("socket: ") + std::strerror(errno);
      return false;
    }
    listeners_.push_back(fd);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd, 128) != 0) {
      error_ =
          "listen on " + target.address + ":" + std::to_string(port) + ": " + std::strerror(errno);
      return false;
    }
    if (port == 0) {
      socklen_t length = sizeof(address);
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
      port = ntohs(address.sin_port);
    }
  }
  port_ = port;
  error_.clear();
  return true;
}

void HostileBackends::closeListeners() {
  for (int fd : listeners_) {
    close(fd);
  }
  listeners_.clear();
}

std::vector<HostileBackends::TimePoint> HostileBackends::arrivals(size_t i) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return arrivals_.at(i);
}

HostileBackends::Stats HostileBackends::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Stats out = stats_;
  out.oldestOpenSeconds =
      stats_.open == 0 ? 0
                       : std::chrono::duration<double>(SteadyClock::now() - oldestOpen_).count();
  return out;
}

void HostileBackends::stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t r = write(stop_, &one, sizeof(one));
    thread_.join();
  }
  closeListeners();
}

void HostileBackends::run() {
  std::unordered_map<int, Connection> connections;
  std::vector<int> trickling;  // connections sending kTrickled, in no order
  auto drop = [&](int fd, bool reset) {
    if (reset) {
      closeWithReset(fd);
    } else {
      close(fd);
    }
    connections.erase(fd);
    trickling.erase(std::remove(trickling.begin(), trickling.end(), fd), trickling.end());
  };
  epoll_event events[256];
  for (;;) {
    int timeoutMs = -1;
    if (!trickling.empty()) {
      SteadyClock::time_point next = SteadyClock::time_point::max();
      for (int fd : trickling) {
        next = std::min(next, connections.at(fd).nextByte);
      }
      const auto wait =
          std::chrono::ceil<std::chrono::milliseconds>(next - SteadyClock::now()).count();
      timeoutMs = static_cast<int>(std::clamp<int64_t>(wait, 0, 1000));
    }
    const int n = epoll_wait(epoll_, events, 256, timeoutMs);
    const auto now = SteadyClock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    for (int e = 0; e < n; ++e) {
      const uint64_t kind = events[e].data.u64 >> 32;
      const auto value = static_cast<uint32_t>(events[e].data.u64);
      if (events[e].data.u64 == kStopTag) {
        for (auto& [fd, c] : connections) {
          close(fd);
        }
        return;
      }
      if (kind == kListenerKind) {
        for (;;) {
          const int fd = accept4(listeners_[value], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) {
              ++stats_.acceptErrors;
            }
            break;
          }
          ++stats_.accepted;
          arrivals_[value].push_back(now);
          if (targets_[value].hostility == Hostility::kResetOnAccept) {
            closeWithReset(fd);
            ++stats_.resets;
            continue;
          }
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.u64 = tag(kConnectionKind, static_cast<uint64_t>(fd));
          epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
          Connection& c = connections[fd];
          c.fd = fd;
          c.target = value;
          c.accepted = now;
        }
        continue;
      }
      const int fd = static_cast<int>(value);
      auto it = connections.find(fd);
      if (it == connections.end()) {
        continue;
      }
      Connection& c = it->second;
      bool peerClosed = false;
      for (;;) {
        char buffer[4096];
        const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
        if (got > 0) {
          if (!c.requested && c.head.size() < kMaxHead) {
            c.head.append(buffer, static_cast<size_t>(got));
          }
          continue;
        }
        peerClosed = got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        break;
      }
      if (peerClosed) {
        ++stats_.closedByPeer;
        drop(fd, false);
        continue;
      }
      if (c.requested || c.head.find("\r\n\r\n") == std::string::npos) {
        continue;
      }
      c.requested = true;
      switch (targets_[c.target].hostility) {
        case Hostility::kHealthy: {
          // How long the request waited in the kernel for this thread: a slow answer is ours.
          tcp_info info{};
          socklen_t length = sizeof(info);
          if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0) {
            stats_.slowestAnswerMs =
                std::max<size_t>(stats_.slowestAnswerMs, info.tcpi_last_data_recv);
          }
          // One small write into an empty socket buffer; then a FIN.
          [[maybe_unused]] const ssize_t sent =
              send(fd, kHealthy.data(), kHealthy.size(), MSG_NOSIGNAL);
          ++stats_.answered;
          drop(fd, false);
          break;
        }
        case Hostility::kResetAfterRequest:
          ++stats_.resets;
          drop(fd, true);
          break;
        case Hostility::kTrickle:
          c.nextByte = now;
          trickling.push_back(fd);
          break;
        case Hostility::kHang:
        case Hostility::kResetOnAccept:
          break;
      }
    }
    // Due trickle bytes, one per connection per turn.
    std::vector<std::pair<int, bool>> finished;  // fd, broken
    for (int fd : trickling) {
      Connection& c = connections.at(fd);
      if (now < c.nextByte) {
        continue;
      }
      if (send(fd, kTrickled.data() + c.trickled, 1, MSG_NOSIGNAL) != 1) {
        finished.emplace_back(fd, true);
        continue;
      }
      ++stats_.trickledBytes;
      c.nextByte += kTrickleEvery;
      if (++c.trickled == kTrickled.size()) {
        finished.emplace_back(fd, false);
      }
    }
    for (const auto& [fd, broken] : finished) {
      ++(broken ? stats_.closedByPeer : stats_.trickleDone);
      drop(fd, false);
    }
    stats_.open = connections.size();
    oldestOpen_ = now;
    for (const auto& [fd, c] : connections) {
      oldestOpen_ = std::min(oldestOpen_, c.accepted);
    }
  }
}

}  // namespace tmdns::probes::testing
