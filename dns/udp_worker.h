// One UDP worker thread's state: its SO_REUSEPORT sockets, query handler, and fixed batch buffers.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/counter_mirror.h"
#include "dns/listen_socket.h"
#include "dns/query_handler.h"
#include "dns/served_state.h"
#include "dns/server.h"
#include "util/rcu.h"

namespace tmdns::dns {

// Owns one socket per listen address (all bound with SO_REUSEPORT, so the kernel spreads
// queries over the workers), waits on them with epoll, and answers them in recvmmsg /
// sendmmsg batches. Everything run() touches is allocated up front.
class UdpWorker {
 public:
  // recvmmsg/sendmmsg width: 32 datagrams amortise the system call and the RCU announcement
  // over a burst, while one batch of work (32 queries, a few microseconds) stays short
  // enough not to delay the first query in it or a writer waiting for a grace period.
  static constexpr unsigned kBatch = 32;

  // `statsSlot`: this worker's block in every snapshot's QueryStats.
  UdpWorker(util::RcuDomain& domain, const util::RcuPointer<ServedState>& state, uint64_t seed,
            int stopFd, uint32_t statsSlot);
  ~UdpWorker();
  UdpWorker(const UdpWorker&) = delete;
  UdpWorker& operator=(const UdpWorker&) = delete;

  // Before prepare(): takes a bound socket; `wildcard` sockets answer via IP_PKTINFO.
  void addSocket(UniqueFd fd, bool wildcard);

  // Registers the RCU reader and the epoll set. Returns false and sets `error` on failure.
  bool prepare(std::string& error);

  // Serves until `stopFd` becomes readable and wake() has been called. Call on the worker's own
  // thread.
  void run() noexcept;

  // Any thread, after writing `stopFd`: makes run() return also when it is waiting in recvmmsg
  // (a worker with one socket waits there, where the stop descriptor cannot wake it).
  void wake() noexcept;

  // After run() has returned (or was never called).
  void closeSockets() noexcept;

  // Any thread: adds the counters published at the end of the last batch.
  void addCounters(HandlerCounters& handler, ServerIoCounters& io) const noexcept;

 private:
  struct Socket {
    UniqueFd fd;
    bool wildcard = false;
  };
  // cmsghdr-aligned room for one IPv4 or IPv6 packet-info control message.
  union Control {
    cmsghdr align;
    uint8_t bytes[CMSG_SPACE(sizeof(in6_pktinfo))];
  };

  void runEpoll() noexcept;
  void runBlocking(const Socket& socket) noexcept;
  void resetHeaders(const Socket& socket) noexcept;
  // Receives and answers batches until the socket's queue is empty (or kMaxBatchesPerWake);
  // `firstFlags` is MSG_WAITFORONE to wait for the first datagram, MSG_DONTWAIT not to.
  void drain(const Socket& socket, int firstFlags) noexcept;
  unsigned answerBatch(const Socket& socket, unsigned received) noexcept;
  void sendBatch(int fd, unsigned count) noexcept;
  void waitWritable(int fd) noexcept;
  void publishCounters() noexcept;

  util::RcuDomain& domain_;
  const util::RcuPointer<ServedState>& state_;
  util::RcuDomain::Reader* reader_ = nullptr;
  int stopFd_;
  uint32_t statsSlot_;
  UniqueFd epoll_;
  std::vector<Socket> sockets_;
  bool blocking_ = false;  // one blocking socket: runBlocking() instead of runEpoll()
  std::atomic<bool> stopping_{false};
  QueryHandler handler_;
  ServerIoCounters io_;
  CounterMirror<HandlerCounters> handlerMirror_;
  CounterMirror<ServerIoCounters> ioMirror_;

  // Batch buffers: kBatch datagrams in, kBatch responses out, each up to 65535 bytes (the
  // largest UDP payload; the handler caps a response at the requester's payload size).
  std::unique_ptr<uint8_t[]> in_;
  std::unique_ptr<uint8_t[]> out_;
  mmsghdr inMessages_[kBatch];
  iovec inVectors_[kBatch];
  sockaddr_storage peers_[kBatch];
  Control inControl_[kBatch];
  mmsghdr outMessages_[kBatch];
  iovec outVectors_[kBatch];
  Control outControl_[kBatch];
  // Receive headers the kernel has written to since resetHeaders() (all of them at first), and
  // whether the others are set up for a wildcard socket's control messages.
  unsigned dirtyHeaders_ = kBatch;
  bool headersWildcard_ = false;
};

}  // namespace tmdns::dns
