// The HTTP server's event loop: accept, bounded reads, parse, handle, write, drain, close.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <thread>

namespace tmdns::http {
namespace {

constexpr uint64_t kStopKey = UINT64_MAX;
constexpr uint64_t kListenKey = UINT64_MAX - 1;
constexpr int kMaxEvents = 32;
constexpr int kAcceptPauseMs = 100;  // after EMFILE/ENFILE, as the DNS TCP loop does

// Every status the server can send, for the per-status counters.
constexpr int kStatuses[] = {200, 400, 404, 405, 408, 413, 414, 431, 500, 501, 503, 505};
constexpr size_t kStatusCount = sizeof(kStatuses) / sizeof(kStatuses[0]);

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t connectionKey(uint32_t slot, uint32_t generation) {
  return (static_cast<uint64_t>(generation) << 32) | slot;
}

}  // namespace

struct Server::Impl {
  enum class Phase : uint8_t { kFree, kReading, kWriting, kDraining };

  struct Connection {
    int fd = -1;
    uint32_t generation = 0;
    Phase phase = Phase::kFree;
    std::string in;
    std::string out;
    size_t sent = 0;
    int64_t deadlineMs = 0;
  };

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  void run();
  void acceptAll();
  void onEvent(uint32_t slot, uint32_t events);
  void readSome(uint32_t slot);
  void respond(uint32_t slot, const Response& response, bool headOnly);
  void writeSome(uint32_t slot);
  void drain(uint32_t slot);
  void expire();
  void setInterest(uint32_t slot, uint32_t events);
  void close(uint32_t slot);
  int timeoutMs() const;
  void count(int status);

  ServerOptions options;
  Handler handler;
  int listenFd = -1;
  int epollFd = -1;
  int stopFd = -1;
  uint16_t boundPort = 0;
  std::vector<Connection> slots;
  std::vector<uint32_t> freeSlots;
  int64_t acceptPausedUntilMs = 0;
  std::thread thread;
  bool started = false;
  bool stopped = false;
  std::atomic<uint64_t> responses[kStatusCount] = {};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> timeouts{0};
};

void Server::Impl::count(int status) {
  for (size_t i = 0; i < kStatusCount; ++i) {
    if (kStatuses[i] == status) {
      responses[i].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

void Server::Impl::run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    const int ready = epoll_wait(epollFd, events, kMaxEvents, timeoutMs());
    if (ready < 0 && errno != EINTR) {
      return;
    }
    for (int i = 0; i < ready; ++i) {
      const uint64_t key = events[i].data.u64;
      if (key == kStopKey) {
        return;
      }
      if (key == kListenKey) {
        acceptAll();
        continue;
      }
      const auto slot = static_cast<uint32_t>(key);
      if (slot < slots.size() && slots[slot].phase != Phase::kFree &&
          slots[slot].generation == static_cast<uint32_t>(key >> 32)) {
        onEvent(slot, events[i].events);
      }
    }
    expire();
    if (acceptPausedUntilMs != 0 && nowMs() >= acceptPausedUntilMs) {
      acceptPausedUntilMs = 0;
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = kListenKey;
      epoll_ctl(epollFd, EPOLL_CTL_MOD, listenFd, &event);
    }
  }
}

int Server::Impl::timeoutMs() const {
  int64_t deadline = acceptPausedUntilMs != 0 ? acceptPausedUntilMs : -1;
  for (const Connection& c : slots) {
    if (c.phase != Phase::kFree && (deadline < 0 || c.deadlineMs < deadline)) {
      deadline = c.deadlineMs;
    }
  }
  if (deadline < 0) {
    return -1;
  }
  const int64_t now = nowMs();
  return deadline <= now ? 0 : static_cast<int>(deadline - now);
}

void Server::Impl::acceptAll() {
  for (;;) {
    const int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The listener stays readable; stop watching it for a moment instead of spinning.
        acceptPausedUntilMs = nowMs() + kAcceptPauseMs;
        epoll_event event{};
        event.data.u64 = kListenKey;
        epoll_ctl(epollFd, EPOLL_CTL_MOD, listenFd, &event);
      }
      return;
    }
    if (freeSlots.empty()) {
      // Over the cap: a best-effort 503 that fits the socket buffer, then close. Open
      // connections are never evicted for newcomers.
      static const std::string busy = serialize(textResponse(503, "too many connections"), false,
                                                imfFixdate(static_cast<long long>(time(nullptr))));
      // Counted before the client can see the answer or the close: whoever observes either
      // must find it in stats() (the sanitizer build's slower timing exposed the race).
      rejected.fetch_add(1, std::memory_order_relaxed);
      count(503);
      [[maybe_unused]] const ssize_t sent =
          send(fd, busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    const uint32_t slot = freeSlots.back();
    Connection& c = slots[slot];
    ++c.generation;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = connectionKey(slot, c.generation);
    if (epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, &event) != 0) {
      ::close(fd);
      continue;
    }
    freeSlots.pop_back();
    c.fd = fd;
    c.phase = Phase::kReading;
    c.in.clear();
    c.out.clear();
    c.sent = 0;
    c.deadlineMs = nowMs() + options.requestTimeoutMs;
  }
}

void Server::Impl::onEvent(uint32_t slot, uint32_t events) {
  Connection& c = slots[slot];
  if ((events & EPOLLERR) != 0) {
    close(slot);
    return;
  }
  switch (c.phase) {
    case Phase::kReading:
      readSome(slot);
      break;
    case Phase::kWriting:
      writeSome(slot);
      break;
    case Phase::kDraining:
      drain(slot);
      break;
    case Phase::kFree:
      break;
  }
}

void Server::Impl::readSome(uint32_t slot) {
  Connection& c = slots[slot];
  // Room for the largest acceptable request and a little more, so that the parser sees any
  // excess and answers for it; nothing beyond is ever buffered.
  const size_t cap = options.limits.maxHeadBytes + options.limits.maxBody + 512;
  char buffer[4096];
  for (;;) {
    const size_t room = cap - c.in.size();
    const ssize_t got = recv(c.fd, buffer, std::min(sizeof(buffer), room), MSG_DONTWAIT);
    if (got > 0) {
      c.in.append(buffer, static_cast<size_t>(got));
      if (c.in.size() < cap) {
        continue;
      }
    } else if (got == 0) {
      // The client closed before a whole request arrived: nobody to answer.
      close(slot);
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      close(slot);
      return;
    }
    break;
  }
  const ParseResult parsed = parseRequest(c.in, options.limits);
  switch (parsed.status) {
    case ParseResult::Status::kIncomplete:
      if (c.in.size() >= cap) {
        respond(slot, textResponse(431, "request too large"), false);
      }
      return;
    case ParseResult::Status::kError:
      respond(slot, textResponse(parsed.errorStatus, parsed.errorReason), false);
      return;
    case ParseResult::Status::kComplete:
      break;
  }
  Response response;
  try {
    response = handler(parsed.request);
  } catch (const std::exception& e) {
    response = textResponse(500, std::string("internal error: ") + e.what());
  }
  respond(slot, response, parsed.request.method == "HEAD");
}

void Server::Impl::respond(uint32_t slot, const Response& response, bool headOnly) {
  Connection& c = slots[slot];
  count(response.status);
  c.out = serialize(response, headOnly, imfFixdate(static_cast<long long>(time(nullptr))));
  c.sent = 0;
  c.in.clear();
  c.in.shrink_to_fit();
  c.phase = Phase::kWriting;
  c.deadlineMs = nowMs() + options.writeTimeoutMs;
  writeSome(slot);
}

void Server::Impl::writeSome(uint32_t slot) {
  Connection& c = slots[slot];
  while (c.sent < c.out.size()) {
    const ssize_t sent =
        send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) {
      c.sent += static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) {
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      setInterest(slot, EPOLLOUT);
      return;
    }
    close(slot);
    return;
  }
  // Connection: close. Half-close and read what the client still sends until it closes too:
  // closing with unread input would reset the connection and could destroy the response in
  // flight (RFC 9112 §9.6).
  c.out.clear();
  c.out.shrink_to_fit();
  shutdown(c.fd, SHUT_WR);
  c.phase = Phase::kDraining;
  c.deadlineMs = nowMs() + options.lingerMs;
  setInterest(slot, EPOLLIN);
}

void Server::Impl::drain(uint32_t slot) {
  Connection& c = slots[slot];
  char buffer[4096];
  for (;;) {
    const ssize_t got = recv(c.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got > 0) {
      continue;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    }
    close(slot);
    return;
  }
}

void Server::Impl::expire() {
  const int64_t now = nowMs();
  for (uint32_t slot = 0; slot < slots.size(); ++slot) {
    Connection& c = slots[slot];
    if (c.phase == Phase::kFree || now < c.deadlineMs) {
      continue;
    }
    if (c.phase == Phase::kReading) {
      // A slow or silent client: tell it why (RFC 9110 §15.5.9) and let the write timeout
      // bound what remains.
      timeouts.fetch_add(1, std::memory_order_relaxed);
      respond(slot, textResponse(408, "request not received in time"), false);
    } else {
      if (c.phase == Phase::kWriting) {
        timeouts.fetch_add(1, std::memory_order_relaxed);
      }
      close(slot);
    }
  }
}

void Server::Impl::setInterest(uint32_t slot, uint32_t events) {
  Connection& c = slots[slot];
  epoll_event event{};
  event.events = events;
  event.data.u64 = connectionKey(slot, c.generation);
  if (epoll_ctl(epollFd, EPOLL_CTL_MOD, c.fd, &event) != 0) {
    close(slot);
  }
}

void Server::Impl::close(uint32_t slot) {
  Connection& c = slots[slot];
  if (c.phase == Phase::kFree) {
    return;
  }
  ::close(c.fd);  // also leaves the epoll set
  c.fd = -1;
  c.phase = Phase::kFree;
  c.in = std::string();
  c.out = std::string();
  freeSlots.push_back(slot);
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

bool Server::bind(std::string& error) {
  Impl& impl = *impl_;
  const bool v6 = impl.options.host.find(':') != std::string::npos;
  const std::string where = (v6 ? "[" + impl.options.host + "]" : impl.options.host) + ":" +
                            std::to_string(impl.options.port);
  sockaddr_storage address{};
  socklen_t length = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&address);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(impl.options.port);
    length = sizeof(*a);
    if (inet_pton(AF_INET6, impl.options.host.c_str(), &a->sin6_addr) != 1) {
      error = "http " + where + ": not a numeric IPv6 address";
      return false;
    }
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&address);
    a->sin_family = AF_INET;
    a->sin_port = htons(impl.options.port);
    length = sizeof(*a);
    if (inet_pton(AF_INET, impl.options.host.c_str(), &a->sin_addr) != 1) {
      error = "http " + where + ": not a numeric IPv4 address";
      return false;
    }
  }
  const int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = "http " + where + ": socket: " + std::strerror(errno);
    return false;
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (v6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 || listen(fd, 64) != 0) {
    error = "bind " + where + "/http: " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  sockaddr_storage bound{};
  socklen_t boundLength = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength);
  impl.boundPort =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  impl.listenFd = fd;
  impl.epollFd = epoll_create1(EPOLL_CLOEXEC);
  impl.stopFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenKey;
  bool ok = impl.epollFd >= 0 && impl.stopFd >= 0 &&
            epoll_ctl(impl.epollFd, EPOLL_CTL_ADD, fd, &event) == 0;
  event.data.u64 = kStopKey;
  ok = ok && epoll_ctl(impl.epollFd, EPOLL_CTL_ADD, impl.stopFd, &event) == 0;
  if (!ok) {
    error = std::string("http: epoll: ") + std::strerror(errno);
    return false;
  }
  const int connections = std::max(1, impl.options.maxConnections);
  impl.slots.resize(static_cast<size_t>(connections));
  for (int i = connections; i > 0; --i) {
    impl.freeSlots.push_back(static_cast<uint32_t>(i - 1));
  }
  return true;
}

uint16_t Server::port() const {
  return impl_->boundPort;
}

void Server::start() {
  Impl& impl = *impl_;
  if (impl.started || impl.stopped || impl.listenFd < 0) {
    return;
  }
  impl.started = true;
  impl.thread = std::thread([&impl] {
    pthread_setname_np(pthread_self(), "tmdns-http");
    impl.run();
  });
}

void Server::stop() {
  Impl& impl = *impl_;
  if (impl.stopped) {
    return;
  }
  impl.stopped = true;
  if (impl.started) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(impl.stopFd, &one, sizeof(one));
    impl.thread.join();
  }
  for (uint32_t slot = 0; slot < impl.slots.size(); ++slot) {
    impl.close(slot);
  }
  for (int* fd : {&impl.listenFd, &impl.epollFd, &impl.stopFd}) {
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
  }
}

ServerStats Server::stats() const {
  ServerStats stats;
  for (size_t i = 0; i < kStatusCount; ++i) {
    stats.responses.emplace_back(kStatuses[i], impl_->responses[i].load(std::memory_order_relaxed));
  }
  stats.rejectedConnections = impl_->rejected.load(std::memory_order_relaxed);
  stats.timeouts = impl_->timeouts.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace tmdns::http
