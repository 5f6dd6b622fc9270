// The UDP query loop: a wait in recvmmsg (or epoll), a batch, one RCU load, answers, sendmmsg.
#include "dns/udp_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include "dns/socket_address.h"

namespace tmdns::dns {

namespace {

// The largest UDP payload (RFC 768 length field); no datagram is cut short by our buffer.
constexpr size_t kMaxMessage = 65535;

// Batches drained from one ready socket before returning to epoll: bounds how long one
// flooded address can keep a worker from its other sockets and from the stop signal.
constexpr int kMaxBatchesPerWake = 8;

// A full send buffer is waited out this many times, this long each, before the rest of the
// batch is dropped; a stuck socket must not stall the worker for longer than a client's retry.
constexpr int kMaxSendStalls = 3;
constexpr int kSendStallMs = 10;

constexpr uint64_t kStopKey = UINT64_MAX;

// Fills `out` (a fresh control buffer) so that the answer leaves from the address the query
// was sent to: a wildcard socket would otherwise pick the source by route, and a client that
// queried a secondary address would discard an answer from another one.
void answerFromDestination(msghdr& in, msghdr& out, uint8_t* control, size_t controlSize) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr; c = CMSG_NXTHDR(&in, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo received;
      std::memcpy(&received, CMSG_DATA(c), sizeof(received));
      in_pktinfo reply{};
      // ip(7): a non-zero ipi_ifindex would replace ipi_spec_dst by the interface's primary
      // address, so only the source address is pinned and the route picks the interface.
      reply.ipi_spec_dst = received.ipi_spec_dst;
      std::memset(control, 0, controlSize);
      out.msg_control = control;
      out.msg_controllen = CMSG_SPACE(sizeof(reply));
      cmsghdr* o = CMSG_FIRSTHDR(&out);
      o->cmsg_level = IPPROTO_IP;
      o->cmsg_type = IP_PKTINFO;
      o->cmsg_len = CMSG_LEN(sizeof(reply));
      std::memcpy(CMSG_DATA(o), &reply, sizeof(reply));
      return;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo reply;
      // RFC 3542 §6: ipi6_addr is the source to use; the interface index is kept so that an
      // answer to a link-local address leaves through the link it came from.
      std::memcpy(&reply, CMSG_DATA(c), sizeof(reply));
      std::memset(control, 0, controlSize);
      out.msg_control = control;
      out.msg_controllen = CMSG_SPACE(sizeof(reply));
      cmsghdr* o = CMSG_FIRSTHDR(&out);
      o->cmsg_level = IPPROTO_IPV6;
      o->cmsg_type = IPV6_PKTINFO;
      o->cmsg_len = CMSG_LEN(sizeof(reply));
      std::memcpy(CMSG_DATA(o), &reply, sizeof(reply));
      return;
    }
  }
}

}  // namespace

UdpWorker::UdpWorker(util::RcuDomain& domain, const util::RcuPointer<ServedState>& state,
                     uint64_t seed, int stopFd, uint32_t statsSlot)
    : domain_(domain),
      state_(state),
      stopFd_(stopFd),
      statsSlot_(statsSlot),
      handler_(seed),
      // for_overwrite: pages are only touched as datagrams land in them.
      in_(std::make_unique_for_overwrite<uint8_t[]>(kBatch * kMaxMessage)),
      out_(std::make_unique_for_overwrite<uint8_t[]>(kBatch * kMaxMessage)) {
  for (unsigned i = 0; i < kBatch; ++i) {
    inVectors_[i] = iovec{in_.get() + i * kMaxMessage, kMaxMessage};
    inMessages_[i] = mmsghdr{};
    inMessages_[i].msg_hdr.msg_name = &peers_[i];
    inMessages_[i].msg_hdr.msg_iov = &inVectors_[i];
    inMessages_[i].msg_hdr.msg_iovlen = 1;
    outMessages_[i] = mmsghdr{};
  }
}

UdpWorker::~UdpWorker() {
  closeSockets();
  domain_.unregisterReader(reader_);
}

void UdpWorker::addSocket(UniqueFd fd, bool wildcard) {
  sockets_.push_back(Socket{std::move(fd), wildcard});
}

bool UdpWorker::prepare(std::string& error) {
  reader_ = domain_.registerReader();
  if (reader_ == nullptr) {
    error = "udp worker: no free RCU reader slot";
    return false;
  }
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) {
    error = std::string("udp worker: epoll_create1: ") + std::strerror(errno);
    return false;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kStopKey;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, stopFd_, &event) != 0) {
    error = std::string("udp worker: epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  for (size_t i = 0; i < sockets_.size(); ++i) {
    event.data.u64 = i;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, sockets_[i].fd.get(), &event) != 0) {
      error = std::string("udp worker: epoll_ctl: ") + std::strerror(errno);
      return false;
    }
  }
  if (sockets_.size() == 1) {
    // runBlocking() waits in recvmmsg, so the descriptor must block (its later receives and
    // every send pass MSG_DONTWAIT). Failing that, the worker stays on epoll.
    const int fd = sockets_[0].fd.get();
    const int flags = fcntl(fd, F_GETFL);
    blocking_ = flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
  }
  return true;
}

void UdpWorker::run() noexcept {
  if (blocking_) {
    runBlocking(sockets_[0]);
  } else {
    runEpoll();
  }
  publishCounters();
}

void UdpWorker::wake() noexcept {
  stopping_.store(true, std::memory_order_release);
  if (blocking_) {
    // Linux wakes the receivers blocked on a socket shut down for reading, an unconnected UDP
    // one included (inet_shutdown fails it with ENOTCONN but still marks and wakes it), and
    // every receive after that returns at once.
    shutdown(sockets_[0].fd.get(), SHUT_RD);
  }
}

// One socket (one listen address, the usual deployment): the worker sleeps in recvmmsg itself.
// Waiting in epoll_wait first costs a third system call per wake-up, and a server that is not
// saturated wakes up for almost every query: that call was about a fifth of the CPU time a
// query costs in all (bench/README.md). The wait has no timeout either (SO_RCVTIMEO would arm
// and cancel a kernel timer on every wait): wake() ends it.
void UdpWorker::runBlocking(const Socket& socket) noexcept {
  while (!stopping_.load(std::memory_order_acquire)) {
    drain(socket, MSG_WAITFORONE);
  }
}

void UdpWorker::runEpoll() noexcept {
  // Room for every socket and the stop signal in one wake-up; more would only be reported
  // again on the next epoll_wait (level-triggered).
  constexpr int kMaxEvents = 16;
  epoll_event events[kMaxEvents];
  bool stopping = false;
  while (!stopping) {
    const int ready = epoll_wait(epoll_.get(), events, kMaxEvents, -1);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;  // EBADF/EINVAL: the set is gone; spinning on it would help no one.
    }
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kStopKey) {
        stopping = true;
      } else {
        drain(sockets_[events[i].data.u64], MSG_DONTWAIT);
      }
    }
  }
}

void UdpWorker::resetHeaders(const Socket& socket) noexcept {
  // The kernel overwrote these in the headers it filled; reset them to the room we have. A
  // burst is usually one or two datagrams, so only those are touched, unless the socket needs
  // different control room than the headers were set up for.
  const unsigned count = socket.wildcard == headersWildcard_ ? dirtyHeaders_ : kBatch;
  for (unsigned i = 0; i < count; ++i) {
    msghdr& header = inMessages_[i].msg_hdr;
    header.msg_namelen = sizeof(peers_[i]);
    header.msg_control = socket.wildcard ? inControl_[i].bytes : nullptr;
    header.msg_controllen = socket.wildcard ? sizeof(inControl_[i].bytes) : 0;
    header.msg_flags = 0;
  }
  headersWildcard_ = socket.wildcard;
  dirtyHeaders_ = 0;
}

void UdpWorker::drain(const Socket& socket, int firstFlags) noexcept {
  // The first receive may wait (MSG_WAITFORONE); the later ones only take what is queued.
  int flags = firstFlags;
  for (int round = 0; round < kMaxBatchesPerWake; ++round) {
    resetHeaders(socket);
    const int received = recvmmsg(socket.fd.get(), inMessages_, kBatch, flags, nullptr);
    if (received < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ++io_.udpReceiveErrors;
        publishCounters();
      }
      return;
    }
    if (stopping_.load(std::memory_order_relaxed)) {
      return;  // what wake() woke us with is no query (and stopping drops the rest anyway)
    }
    flags = MSG_DONTWAIT;
    dirtyHeaders_ = static_cast<unsigned>(received);
    const unsigned responses = answerBatch(socket, static_cast<unsigned>(received));
    // Published before sending, so a client holding its answer finds it counted.
    publishCounters();
    sendBatch(socket.fd.get(), responses);
    if (static_cast<unsigned>(received) < kBatch) {
      return;  // a short batch means the queue is empty
    }
  }
}

unsigned UdpWorker::answerBatch(const Socket& socket, unsigned received) noexcept {
  reader_->online();
  const ServedState* state = state_.load();
  if (state == nullptr || state->snapshot == nullptr) {
    reader_->offline();
    io_.noState += received;
    return 0;
  }
  const Snapshot& snapshot = *state->snapshot;
  const routing::HealthView health =
      state->health != nullptr ? state->health->view() : routing::HealthView();
  QueryStats::Block* stats = state->stats != nullptr ? state->stats->block(statsSlot_) : nullptr;
  // One clock reading per batch: the buckets count whole seconds.
  RateLimiter* limiter = state->rateLimiter.get();
  const uint32_t now = limiter != nullptr ? RateLimiter::clockSeconds() : 0;
  unsigned count = 0;
  for (unsigned i = 0; i < received; ++i) {
    msghdr& in = inMessages_[i].msg_hdr;
    if ((in.msg_flags & MSG_TRUNC) != 0) {
      ++io_.udpOversize;
      continue;
    }
    uint8_t* response = out_.get() + count * kMaxMessage;
    const size_t length = handler_.handle(
        snapshot, health,
        std::span<const uint8_t>(in_.get() + i * kMaxMessage, inMessages_[i].msg_len),
        clientInfoFrom(peers_[i]), Transport::kUdp, std::span<uint8_t>(response, kMaxMessage),
        stats, limiter, now);
    if (length == 0) {
      continue;
    }
    outVectors_[count] = iovec{response, length};
    msghdr& out = outMessages_[count].msg_hdr;
    out = msghdr{};
    out.msg_name = &peers_[i];
    out.msg_namelen = in.msg_namelen;
    out.msg_iov = &outVectors_[count];
    out.msg_iovlen = 1;
    if (socket.wildcard) {
      answerFromDestination(in, out, outControl_[count].bytes, sizeof(outControl_[count].bytes));
    }
    ++count;
  }
  // The responses are self-contained copies; nothing from the snapshot is used past here.
  reader_->offline();
  return count;
}

void UdpWorker::sendBatch(int fd, unsigned count) noexcept {
  const uint64_t droppedBefore = io_.udpSendDropped;
  unsigned done = 0;
  int stalls = 0;
  while (done < count) {
    const int sent = sendmmsg(fd, outMessages_ + done, count - done, MSG_DONTWAIT);
    if (sent > 0) {
      done += static_cast<unsigned>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) {
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      if (++stalls > kMaxSendStalls) {
        io_.udpSendDropped += count - done;
        break;
      }
      waitWritable(fd);
      continue;
    }
    // sendmmsg reports an error only for the first datagram it could not send: that one was
    // refused (unreachable peer, firewall); skip it so one bad peer costs no other answer.
    ++io_.udpSendDropped;
    ++done;
  }
  if (io_.udpSendDropped != droppedBefore) {
    publishCounters();
  }
}

void UdpWorker::waitWritable(int fd) noexcept {
  pollfd fds[2] = {{fd, POLLOUT, 0}, {stopFd_, POLLIN, 0}};
  poll(fds, 2, kSendStallMs);
}

void UdpWorker::publishCounters() noexcept {
  handlerMirror_.publish(handler_.counters());
  ioMirror_.publish(io_);
}

void UdpWorker::closeSockets() noexcept {
  sockets_.clear();
  epoll_.reset();
}

void UdpWorker::addCounters(HandlerCounters& handler, ServerIoCounters& io) const noexcept {
  handlerMirror_.addTo(handler);
  ioMirror_.addTo(io);
}

}  // namespace tmdns::dns
