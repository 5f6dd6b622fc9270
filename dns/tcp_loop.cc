// The TCP event loop: accept, framed reads, in-order pipelined answers, idle expiry.
#include "dns/tcp_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>

#include "dns/socket_address.h"

namespace tmdns::dns {

namespace {

// RFC 1035 §4.2.2: a two-byte length, then up to 65535 bytes of message. A buffer this size
// always holds at least one whole message once the consumed ones are moved out.
constexpr size_t kMaxMessage = 65535;
constexpr size_t kFrame = 2 + kMaxMessage;

// Events per epoll_wait; more are reported by the next call (level-triggered).
constexpr int kMaxEvents = 64;

// Accepts per listener per wake-up, so a connection flood cannot starve open connections.
constexpr int kMaxAcceptsPerWake = 64;

// After EMFILE/ENFILE the listener stays readable; accepting pauses this long instead of
// spinning on it until a descriptor is free again.
constexpr int64_t kAcceptPauseMs = 100;

// epoll keys: the stop signal, listeners (top bit set, low bits index), connections
// (generation in bits 32..62, slot below) so an event for a slot that was closed and reused
// within the same batch is recognised as stale.
constexpr uint64_t kStopKey = UINT64_MAX;
constexpr uint64_t kListenerBit = 1ULL << 63;
constexpr uint32_t kGenerationMask = 0x7fffffff;

uint64_t connectionKey(uint32_t slot, uint32_t generation) {
  return (static_cast<uint64_t>(generation & kGenerationMask) << 32) | slot;
}

int64_t steadyNowMs() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TcpLoop::TcpLoop(util::RcuDomain& domain, const util::RcuPointer<ServedState>& state, uint64_t seed,
                 int stopFd, TcpLimits limits, uint32_t statsSlot)
    : domain_(domain),
      state_(state),
      stopFd_(stopFd),
      limits_(limits),
      statsSlot_(statsSlot),
      handler_(seed) {}

TcpLoop::~TcpLoop() {
  closeAll();
  domain_.unregisterReader(reader_);
}

void TcpLoop::addListener(UniqueFd fd) {
  listeners_.push_back(std::move(fd));
}

bool TcpLoop::prepare(std::string& error) {
  reader_ = domain_.registerReader();
  if (reader_ == nullptr) {
    error = "tcp loop: no free RCU reader slot";
    return false;
  }
  slots_.resize(static_cast<size_t>(limits_.maxConnections));
  freeSlots_.reserve(slots_.size());
  for (size_t i = slots_.size(); i > 0; --i) {
    freeSlots_.push_back(static_cast<uint32_t>(i - 1));
  }
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) {
    error = std::string("tcp loop: epoll_create1: ") + std::strerror(errno);
    return false;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kStopKey;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, stopFd_, &event) != 0) {
    error = std::string("tcp loop: epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    event.data.u64 = kListenerBit | i;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listeners_[i].get(), &event) != 0) {
      error = std::string("tcp loop: epoll_ctl: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

void TcpLoop::run() noexcept {
  epoll_event events[kMaxEvents];
  bool stopping = false;
  while (!stopping) {
    nowMs_ = steadyNowMs();
    const int ready = epoll_wait(epoll_.get(), events, kMaxEvents, nextTimeoutMs());
    if (ready < 0 && errno != EINTR) {
      break;  // EBADF/EINVAL: the set is gone; spinning on it would help no one.
    }
    nowMs_ = steadyNowMs();
    reader_->online();
    const ServedState* state = state_.load();
    if (state != nullptr && state->snapshot != nullptr) {
      snapshot_ = state->snapshot.get();
      health_ = state->health != nullptr ? state->health->view() : routing::HealthView();
      stats_ = state->stats != nullptr ? state->stats->block(statsSlot_) : nullptr;
    }
    for (int i = 0; i < ready; ++i) {
      const uint64_t key = events[i].data.u64;
      if (key == kStopKey) {
        stopping = true;
      } else if ((key & kListenerBit) != 0) {
        acceptFrom(listeners_[key & ~kListenerBit].get());
      } else {
        const uint32_t slot = static_cast<uint32_t>(key);
        const uint32_t generation = static_cast<uint32_t>(key >> 32);
        if (slot < slots_.size() && slots_[slot].fd >= 0 &&
            (slots_[slot].generation & kGenerationMask) == generation) {
          onEvent(slot, events[i].events);
        }
      }
    }
    snapshot_ = nullptr;
    health_ = routing::HealthView();
    stats_ = nullptr;
    reader_->offline();
    expireIdle();
    if (acceptPausedUntilMs_ != 0 && nowMs_ >= acceptPausedUntilMs_) {
      resumeAccepting();
    }
    publishCounters();
  }
}

int TcpLoop::nextTimeoutMs() const noexcept {
  int64_t deadline = -1;
  if (idleHead_ != kNil) {
    deadline = slots_[idleHead_].lastActiveMs + limits_.idleTimeoutMs;
  }
  if (acceptPausedUntilMs_ != 0 && (deadline < 0 || acceptPausedUntilMs_ < deadline)) {
    deadline = acceptPausedUntilMs_;
  }
  if (deadline < 0) {
    return -1;
  }
  return deadline <= nowMs_ ? 0 : static_cast<int>(deadline - nowMs_);
}

void TcpLoop::acceptFrom(int listenFd) noexcept {
  for (int i = 0; i < kMaxAcceptsPerWake; ++i) {
    sockaddr_storage peer{};
    socklen_t peerLength = sizeof(peer);
    const int fd = accept4(listenFd, reinterpret_cast<sockaddr*>(&peer), &peerLength,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;  // ECONNABORTED: the client gave up while queued; the next one may be fine
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ++io_.tcpAcceptErrors;
        pauseAccepting();
      }
      return;
    }
    if (freeSlots_.empty()) {
      // Over the cap: accept and close at once rather than leave the client in the backlog,
      // so it learns immediately and can retry elsewhere or later (RFC 7766 §6.2.2 lets servers
      // limit concurrent connections). Established connections are never evicted for newcomers.
      ::close(fd);
      ++io_.tcpRejected;
      continue;
    }
    std::unique_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[2 * kFrame]);
    if (buffer == nullptr) {
      ::close(fd);
      ++io_.tcpErrors;
      continue;
    }
    const uint32_t slot = freeSlots_.back();
    Connection& c = slots_[slot];
    c.generation = (c.generation + 1) & kGenerationMask;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = connectionKey(slot, c.generation);
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      ::close(fd);
      ++io_.tcpErrors;
      continue;
    }
    freeSlots_.pop_back();
    // Answers are single writes; Nagle would hold the second of two pipelined answers back
    // until the first is acknowledged.
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c.fd = fd;
    c.client = clientInfoFrom(peer);
    c.buffer = std::move(buffer);
    c.readStart = c.readEnd = c.writeStart = c.writeEnd = 0;
    c.answered = 0;
    c.peerClosed = false;
    c.closeAfterWrite = false;
    c.events = EPOLLIN;
    c.lastActiveMs = nowMs_;
    link(slot);
    ++io_.tcpAccepted;
  }
}

void TcpLoop::pauseAccepting() noexcept {
  acceptPausedUntilMs_ = nowMs_ + kAcceptPauseMs;
  for (size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event event{};
    event.data.u64 = kListenerBit | i;
    epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listeners_[i].get(), &event);
  }
}

void TcpLoop::resumeAccepting() noexcept {
  acceptPausedUntilMs_ = 0;
  for (size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kListenerBit | i;
    epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, listeners_[i].get(), &event);
  }
}

void TcpLoop::onEvent(uint32_t slot, uint32_t events) noexcept {
  if ((events & EPOLLERR) != 0) {
    ++io_.tcpErrors;
    closeConnection(slot);
    return;
  }
  if ((events & EPOLLOUT) != 0 && !flush(slot)) {
    return;
  }
  if ((events & (EPOLLIN | EPOLLHUP)) != 0 && !readSome(slot)) {
    return;
  }
  serve(slot);
}

bool TcpLoop::readSome(uint32_t slot) noexcept {
  Connection& c = slots_[slot];
  if (c.peerClosed) {
    return true;
  }
  uint8_t* in = c.buffer.get();
  if (c.readStart > 0) {
    // Move the unconsumed tail (a partial or a further pipelined query) to the front so a
    // whole message always fits.
    std::memmove(in, in + c.readStart, c.readEnd - c.readStart);
    c.readEnd -= c.readStart;
    c.readStart = 0;
  }
  if (c.readEnd == kFrame) {
    return true;  // a whole message is buffered and waits for the answer before it
  }
  for (;;) {
    const ssize_t got = recv(c.fd, in + c.readEnd, kFrame - c.readEnd, MSG_DONTWAIT);
    if (got > 0) {
      // Not activity by itself: a client trickling a message byte by byte must not hold its
      // slot forever. A completed query (serve) or answer progress (flush) is.
      c.readEnd += static_cast<size_t>(got);
      return true;
    }
    if (got == 0) {
      c.peerClosed = true;
      return true;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return true;
    }
    ++io_.tcpErrors;
    closeConnection(slot);
    return false;
  }
}

bool TcpLoop::flush(uint32_t slot) noexcept {
  Connection& c = slots_[slot];
  const uint8_t* out = c.buffer.get() + kFrame;
  while (c.writeStart < c.writeEnd) {
    const ssize_t sent =
        send(c.fd, out + c.writeStart, c.writeEnd - c.writeStart, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) {
      c.writeStart += static_cast<size_t>(sent);
      touch(slot);
      continue;
    }
    if (sent < 0 && errno == EINTR) {
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;  // resumed on EPOLLOUT
    }
    ++io_.tcpErrors;
    closeConnection(slot);
    return false;
  }
  c.writeStart = c.writeEnd = 0;
  return true;
}

void TcpLoop::serve(uint32_t slot) noexcept {
  Connection& c = slots_[slot];
  // One answer in flight at a time: answers leave in query order (RFC 7766 §7 allows
  // reordering, but in-order needs no bookkeeping) and a client that does not read gets no
  // more work done for it.
  while (c.writeStart == c.writeEnd && !c.closeAfterWrite) {
    const size_t have = c.readEnd - c.readStart;
    if (have < 2) {
      break;
    }
    const uint8_t* frame = c.buffer.get() + c.readStart;
    const size_t length = (static_cast<size_t>(frame[0]) << 8) | frame[1];
    if (length == 0) {
      // No DNS message is empty; a peer sending one is not speaking DNS.
      closeConnection(slot);
      return;
    }
    if (have < 2 + length) {
      break;
    }
    if (snapshot_ == nullptr) {
      ++io_.noState;
      closeConnection(slot);
      return;
    }
    uint8_t* out = c.buffer.get() + kFrame;
    const size_t answer =
        handler_.handle(*snapshot_, health_, std::span<const uint8_t>(frame + 2, length), c.client,
                        Transport::kTcp, std::span<uint8_t>(out + 2, kMaxMessage), stats_);
    c.readStart += 2 + length;
    ++c.answered;
    touch(slot);
    if (answer > 0) {
      out[0] = static_cast<uint8_t>(answer >> 8);
      out[1] = static_cast<uint8_t>(answer);
      c.writeStart = 0;
      c.writeEnd = 2 + answer;
      if (!flush(slot)) {
        return;
      }
    }
    if (c.answered >= static_cast<uint32_t>(limits_.maxQueriesPerConnection)) {
      // RFC 7766 §6.2.4: a server may close connections by local policy; a client that has
      // more to ask reconnects.
      c.closeAfterWrite = true;
    }
  }
  const bool writing = c.writeStart < c.writeEnd;
  if (!writing && (c.closeAfterWrite || c.peerClosed)) {
    // A peer that closed (or half-closed) has had every complete query answered; what is
    // left is at most a partial message that can never complete.
    closeConnection(slot);
    return;
  }
  setInterest(slot, writing ? EPOLLOUT : EPOLLIN);
}

void TcpLoop::setInterest(uint32_t slot, uint32_t events) noexcept {
  Connection& c = slots_[slot];
  if (c.events == events) {
    return;
  }
  epoll_event event{};
  event.events = events;
  event.data.u64 = connectionKey(slot, c.generation);
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd, &event) != 0) {
    ++io_.tcpErrors;
    closeConnection(slot);
    return;
  }
  c.events = events;
}

void TcpLoop::closeConnection(uint32_t slot) noexcept {
  Connection& c = slots_[slot];
  if (c.fd < 0) {
    return;
  }
  // close() also drops the descriptor from the epoll set (it is never duplicated).
  ::close(c.fd);
  c.fd = -1;
  c.buffer.reset();
  unlink(slot);
  freeSlots_.push_back(slot);  // capacity reserved for every slot in prepare()
}

void TcpLoop::touch(uint32_t slot) noexcept {
  slots_[slot].lastActiveMs = nowMs_;
  if (idleTail_ != slot) {
    unlink(slot);
    link(slot);
  }
}

void TcpLoop::link(uint32_t slot) noexcept {
  Connection& c = slots_[slot];
  c.prev = idleTail_;
  c.next = kNil;
  if (idleTail_ != kNil) {
    slots_[idleTail_].next = slot;
  } else {
    idleHead_ = slot;
  }
  idleTail_ = slot;
}

void TcpLoop::unlink(uint32_t slot) noexcept {
  Connection& c = slots_[slot];
  if (c.prev != kNil) {
    slots_[c.prev].next = c.next;
  } else if (idleHead_ == slot) {
    idleHead_ = c.next;
  }
  if (c.next != kNil) {
    slots_[c.next].prev = c.prev;
  } else if (idleTail_ == slot) {
    idleTail_ = c.prev;
  }
  c.prev = c.next = kNil;
}

void TcpLoop::expireIdle() noexcept {
  // RFC 7766 §6.2.3: idle connections are closed after a timeout so that abandoned or stalled
  // clients (including ones that stopped reading) do not hold slots. The list is in activity
  // order, so only its head can be due.
  while (idleHead_ != kNil && nowMs_ - slots_[idleHead_].lastActiveMs >= limits_.idleTimeoutMs) {
    ++io_.tcpIdleClosed;
    closeConnection(idleHead_);
  }
}

void TcpLoop::publishCounters() noexcept {
  handlerMirror_.publish(handler_.counters());
  ioMirror_.publish(io_);
}

void TcpLoop::closeAll() noexcept {
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    closeConnection(slot);
  }
  listeners_.clear();
  epoll_.reset();
}

void TcpLoop::addCounters(HandlerCounters& handler, ServerIoCounters& io) const noexcept {
  handlerMirror_.addTo(handler);
  ioMirror_.addTo(io);
}

}  // namespace tmdns::dns
