// The network side: per-thread SO_REUSEPORT UDP workers (recvmmsg/sendmmsg) and a TCP event loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dns/query_handler.h"
#include "dns/served_state.h"
#include "util/rcu.h"

namespace tmdns::dns {

struct ServerOptions {
  struct Address {
    std::string host;  // numeric IPv4 or IPv6 literal
    uint16_t port = 0;
  };
  std::vector<Address> listen;  // every address serves UDP and TCP
  int udpThreads = 1;
  int tcpIdleTimeoutMs = 10000;  // RFC 7766 §6.2.3
  int tcpMaxConnections = 1024;
  int tcpMaxQueriesPerConnection = 1000;
  uint64_t seed = 0;  // per-thread RNG seeds derive from it; 0 = from the OS
};

// Where the threads count in a published QueryStats: UDP worker i in slot i, the TCP loop in
// slot udpThreads; so QueryStats(snapshot, udpThreads, kTcpStatsSlots) fits a server.
inline constexpr uint32_t kTcpStatsSlots = 1;

// Transport events outside the query handler's view, summed over all threads.
struct ServerIoCounters {
  uint64_t udpReceiveErrors = 0;
  uint64_t udpSendDropped = 0;  // responses given up after a send error or a full send buffer
  uint64_t udpOversize = 0;     // datagrams cut short by the receive buffer (MSG_TRUNC)
  uint64_t noState = 0;         // queries dropped because no ServedState was published
  uint64_t tcpAccepted = 0;
  uint64_t tcpRejected = 0;    // over tcpMaxConnections: accepted and closed at once
  uint64_t tcpIdleClosed = 0;  // RFC 7766 §6.2.3 idle timeout
  uint64_t tcpAcceptErrors = 0;
  uint64_t tcpErrors = 0;  // reset or failed connections
};

class Server {
 public:
  Server(util::RcuDomain& domain, const util::RcuPointer<ServedState>& state);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Creates and binds every socket (port 0 picks a free port; see boundPorts()). Returns false
  // and sets `error` (naming the address) on failure. Nothing is served until start().
  bool bind(const ServerOptions& options, std::string& error);

  // The port actually bound for each listen address, in order (UDP and TCP share it).
  std::vector<uint16_t> boundPorts() const;

  // Starts the worker threads. They read state through one RCU load per batch. Requires a
  // published ServedState: a query that finds none is dropped and counted (noState).
  void start();

  // Stops and joins every thread and closes the sockets; in-flight batches are answered first.
  // Safe to call more than once, and before start(). A stopped server cannot be restarted.
  void stop();

  // Sum of all handlers' counters (approximate while running).
  HandlerCounters counters() const;
  // The same for the threads of one transport.
  HandlerCounters counters(Transport transport) const;
  ServerIoCounters ioCounters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tmdns::dns
