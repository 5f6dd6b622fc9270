// TcpProber: connect() with O_NONBLOCK, completion read from SO_ERROR when epoll says writable.
#include "probes/tcp_prober.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "probes/address.h"

namespace tmdns::probes {

TcpProber::TcpProber(EventLoop& loop, std::string sourceAddress)
    : loop_(loop), sourceAddress_(std::move(sourceAddress)) {}

TcpProber::~TcpProber() {
  for (auto& [id, pending] : sockets_) {
    loop_.unwatch(pending.fd);
    close(pending.fd);
  }
}

void TcpProber::start(AttemptId id, const std::string& address, uint16_t port, TimePoint now) {
  sockaddr_storage target{};
  socklen_t targetLength = 0;
  if (!toSocketAddress(address, port, target, targetLength)) {
    completed_.push_back({id, {false, false, "invalid address " + address, 0}});
    return;
  }
  const int fd = socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    completed_.push_back({id, {false, false, std::string("socket: ") + std::strerror(errno), 0}});
    return;
  }
  if (!sourceAddress_.empty()) {
    sockaddr_storage source{};
    socklen_t sourceLength = 0;
    std::string reason;
    if (!toSocketAddress(sourceAddress_, 0, source, sourceLength)) {
      reason = "invalid source address " + sourceAddress_;
    } else if (source.ss_family != target.ss_family) {
      reason = "source address " + sourceAddress_ + " is of another address family";
    } else if (bind(fd, reinterpret_cast<const sockaddr*>(&source), sourceLength) != 0) {
      reason = "bind to " + sourceAddress_ + " failed: " + std::strerror(errno);
    }
    if (!reason.empty()) {
      close(fd);
      completed_.push_back({id, {false, false, std::move(reason), 0}});
      return;
    }
  }
  sockets_[id] = {fd, now};
  if (connect(fd, reinterpret_cast<const sockaddr*>(&target), targetLength) == 0) {
    // Loopback connects can complete at once.
    finish(id, true, "TCP connected", now);
    return;
  }
  if (errno != EINPROGRESS) {
    finish(id, false, connectErrorReason(errno), now);
    return;
  }
  if (!loop_.watch(fd, EPOLLOUT, makeTag(TagKind::kTcp, id))) {
    finish(id, false, std::string("epoll: ") + std::strerror(errno), now);
  }
}

void TcpProber::onEvent(AttemptId id, TimePoint now) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) {
    return;  // already finished or cancelled: a stale readiness from the same epoll batch
  }
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(it->second.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
    error = errno;
  }
  if (error != 0) {
    finish(id, false, connectErrorReason(error), now);
    return;
  }
  sockaddr_storage peer{};
  socklen_t peerLength = sizeof(peer);
  if (getpeername(it->second.fd, reinterpret_cast<sockaddr*>(&peer), &peerLength) != 0) {
    if (errno == ENOTCONN) {
      return;  // spurious wake-up: the handshake is still in progress
    }
    finish(id, false, connectErrorReason(errno), now);
    return;
  }
  // §4.1: SYN-ACK within the timeout is healthy; the connection is closed right away.
  finish(id, true, "TCP connected", now);
}

void TcpProber::cancel(AttemptId id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) {
    return;
  }
  loop_.unwatch(it->second.fd);
  close(it->second.fd);
  sockets_.erase(it);
}

std::vector<CompletedAttempt> TcpProber::takeCompleted() {
  std::vector<CompletedAttempt> out;
  out.swap(completed_);
  return out;
}

void TcpProber::finish(AttemptId id, bool ok, std::string reason, TimePoint now) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) {
    return;
  }
  const double latency = std::chrono::duration<double>(now - it->second.start).count();
  loop_.unwatch(it->second.fd);
  close(it->second.fd);
  sockets_.erase(it);
  completed_.push_back({id, {ok, false, std::move(reason), latency}});
}

}  // namespace tmdns::probes
