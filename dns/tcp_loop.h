// The TCP side of the server: one epoll loop for every listener and connection (RFC 7766).
#pragma once

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
#include "routing/policy.h"
#include "util/rcu.h"

namespace tmdns::dns {

struct TcpLimits {
  int idleTimeoutMs = 10000;  // RFC 7766 §6.2.3
  int maxConnections = 1024;  // beyond it a new connection is accepted and closed at once
  int maxQueriesPerConnection = 1000;
};

// Serves DNS over TCP (RFC 1035 §4.2.2: two-byte length prefix) on one thread: non-blocking
// accept, pipelined queries answered in order, partial reads and writes resumed on epoll
// readiness, idle connections closed. Connection slots are allocated up front; a
// connection's two fixed 64 KiB buffers are allocated when it is accepted, never per query.
class TcpLoop {
 public:
  // `statsSlot`: this loop's block in every snapshot's QueryStats.
  TcpLoop(util::RcuDomain& domain, const util::RcuPointer<ServedState>& state, uint64_t seed,
          int stopFd, TcpLimits limits, uint32_t statsSlot);
  ~TcpLoop();
  TcpLoop(const TcpLoop&) = delete;
  TcpLoop& operator=(const TcpLoop&) = delete;

  // Before prepare(): takes a bound, listening socket.
  void addListener(UniqueFd fd);

  // Registers the RCU reader, allocates the connection slots and the epoll set.
  bool prepare(std::string& error);

  // Serves until `stopFd` becomes readable. Call on the loop's own thread.
  void run() noexcept;

  // After run() has returned (or was never called): closes listeners and connections.
  void closeAll() noexcept;

  // Any thread: adds the counters published at the end of the last event batch.
  void addCounters(HandlerCounters& handler, ServerIoCounters& io) const noexcept;

 private:
  static constexpr uint32_t kNil = UINT32_MAX;

  struct Connection {
    int fd = -1;  // -1: the slot is free
    uint32_t generation = 0;
    routing::ClientInfo client;
    // [0, kFrame): received bytes; [kFrame, 2 * kFrame): the response being written.
    std::unique_ptr<uint8_t[]> buffer;
    size_t readStart = 0;
    size_t readEnd = 0;
    size_t writeStart = 0;
    size_t writeEnd = 0;
    uint32_t answered = 0;
    bool peerClosed = false;
    bool closeAfterWrite = false;
    uint32_t events = 0;  // current epoll interest
    int64_t lastActiveMs = 0;
    uint32_t prev = kNil;  // idle list: least recently active first
    uint32_t next = kNil;
  };

  void acceptFrom(int listenFd) noexcept;
  void pauseAccepting() noexcept;
  void resumeAccepting() noexcept;
  void onEvent(uint32_t slot, uint32_t events) noexcept;
  bool readSome(uint32_t slot) noexcept;
  bool flush(uint32_t slot) noexcept;
  void serve(uint32_t slot) noexcept;
  void setInterest(uint32_t slot, uint32_t events) noexcept;
  void closeConnection(uint32_t slot) noexcept;
  void touch(uint32_t slot) noexcept;
  void link(uint32_t slot) noexcept;
  void unlink(uint32_t slot) noexcept;
  void expireIdle() noexcept;
  int nextTimeoutMs() const noexcept;
  void publishCounters() noexcept;

  util::RcuDomain& domain_;
  const util::RcuPointer<ServedState>& state_;
  util::RcuDomain::Reader* reader_ = nullptr;
  int stopFd_;
  TcpLimits limits_;
  uint32_t statsSlot_;
  UniqueFd epoll_;
  std::vector<UniqueFd> listeners_;
  std::vector<Connection> slots_;
  std::vector<uint32_t> freeSlots_;
  uint32_t idleHead_ = kNil;
  uint32_t idleTail_ = kNil;
  int64_t nowMs_ = 0;
  int64_t acceptPausedUntilMs_ = 0;  // 0: accepting
  // Valid between reader_->online() and reader_->offline() of one event batch.
  const Snapshot* snapshot_ = nullptr;
  routing::HealthView health_;
  QueryStats::Block* stats_ = nullptr;
  QueryHandler handler_;
  ServerIoCounters io_;
  CounterMirror<HandlerCounters> handlerMirror_;
  CounterMirror<ServerIoCounters> ioMirror_;
};

}  // namespace tmdns::dns
