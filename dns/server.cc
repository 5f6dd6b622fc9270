// Server: binds every listen address for UDP (one socket per worker) and TCP, and runs the threads.
#include "dns/server.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "dns/listen_socket.h"
#include "dns/socket_address.h"
#include "dns/tcp_loop.h"
#include "dns/udp_worker.h"

namespace tmdns::dns {

namespace {

// A port picked for a port-0 address can be taken by someone else before every socket of the
// address is bound to it; a few fresh picks make that race irrelevant.
constexpr int kBindAttempts = 8;

uint64_t randomSeed() {
  uint64_t seed = 0;
  for (;;) {
    const ssize_t got = getrandom(&seed, sizeof(seed), 0);
    if (got == static_cast<ssize_t>(sizeof(seed))) {
      return seed;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    // No getrandom (very old kernel or seccomp): routing only needs a spread, not secrecy.
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           reinterpret_cast<uintptr_t>(&seed);
  }
}

std::string bindError(const std::string& host, uint16_t port, const char* transport, int err) {
  return "bind " + formatEndpoint(host, port) + "/" + transport + ": " + std::strerror(err);
}

// A port that no UDP socket holds on `address`: bound once without SO_REUSEPORT, then
// released. Binding port 0 with SO_REUSEPORT directly could hand out a port that another
// SO_REUSEPORT socket of the same user already holds, silently sharing its traffic.
uint16_t pickFreeUdpPort(const SocketAddress& address, int& err) {
  UniqueFd probe(socket(address.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!probe.valid()) {
    err = errno;
    return 0;
  }
  if (address.family() == AF_INET6) {
    const int one = 1;
    setsockopt(probe.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (::bind(probe.get(), address.get(), address.length()) != 0) {
    err = errno;
    return 0;
  }
  const uint16_t port = boundPort(probe.get());
  if (port == 0) {
    err = errno;
  }
  return port;
}

}  // namespace

struct Server::Impl {
  enum class Phase : uint8_t { kIdle, kBound, kRunning, kStopped };

  Impl(util::RcuDomain& d, const util::RcuPointer<ServedState>& s) : domain(d), state(s) {}

  bool bindAddress(const ServerOptions::Address& listen, const SocketAddress& parsed,
                   std::string& error);
  void reset() {
    udp.clear();
    tcp.reset();
    ports.clear();
    stopFd.reset();
  }

  util::RcuDomain& domain;
  const util::RcuPointer<ServedState>& state;
  Phase phase = Phase::kIdle;
  UniqueFd stopFd;  // an eventfd: written once by stop(), never drained, so every loop sees it
  std::vector<std::unique_ptr<UdpWorker>> udp;
  std::unique_ptr<TcpLoop> tcp;
  std::vector<uint16_t> ports;
  std::vector<std::thread> threads;
};

bool Server::Impl::bindAddress(const ServerOptions::Address& listen, const SocketAddress& parsed,
                               std::string& error) {
  const bool pickPort = listen.port == 0;
  for (int attempt = 0; attempt < kBindAttempts; ++attempt) {
    SocketAddress address = parsed;
    int err = 0;
    if (pickPort) {
      const uint16_t port = pickFreeUdpPort(address, err);
      if (port == 0) {
        error = bindError(listen.host, listen.port, "udp", err);
        return false;
      }
      address.setPort(port);
    }
    // Every worker binds its own socket to the same address and port; with SO_REUSEPORT the
    // kernel hashes each client's flow to one of them.
    std::vector<UniqueFd> udpFds;
    bool retry = false;
    for (size_t i = 0; i < udp.size(); ++i) {
      UniqueFd fd = openUdpSocket(address, err);
      if (!fd.valid()) {
        if (pickPort && err == EADDRINUSE) {
          retry = true;
          break;
        }
        error = bindError(listen.host, address.port(), "udp", err);
        return false;
      }
      udpFds.push_back(std::move(fd));
    }
    if (retry) {
      continue;
    }
    UniqueFd listener = openTcpListener(address, err);
    if (!listener.valid()) {
      if (pickPort && err == EADDRINUSE) {
        continue;  // the UDP port is free but its TCP twin is not: pick another
      }
      error = bindError(listen.host, address.port(), "tcp", err);
      return false;
    }
    for (size_t i = 0; i < udp.size(); ++i) {
      udp[i]->addSocket(std::move(udpFds[i]), address.isWildcard());
    }
    tcp->addListener(std::move(listener));
    ports.push_back(address.port());
    return true;
  }
  error = bindError(listen.host, listen.port, "tcp", EADDRINUSE) + " (no port free for both UDP " +
          "and TCP after " + std::to_string(kBindAttempts) + " attempts)";
  return false;
}

Server::Server(util::RcuDomain& domain, const util::RcuPointer<ServedState>& state)
    : impl_(std::make_unique<Impl>(domain, state)) {}

Server::~Server() {
  stop();
}

bool Server::bind(const ServerOptions& options, std::string& error) {
  Impl& impl = *impl_;
  if (impl.phase != Impl::Phase::kIdle) {
    error = "server: bind() may only be called once, before start()";
    return false;
  }
  if (options.listen.empty()) {
    error = "server: no listen address";
    return false;
  }
  if (options.udpThreads < 1 || options.tcpIdleTimeoutMs < 1 || options.tcpMaxConnections < 1 ||
      options.tcpMaxQueriesPerConnection < 1) {
    error =
        "server: udpThreads, tcpIdleTimeoutMs, tcpMaxConnections and "
        "tcpMaxQueriesPerConnection must be at least 1";
    return false;
  }
  std::vector<SocketAddress> parsed(options.listen.size());
  for (size_t i = 0; i < options.listen.size(); ++i) {
    if (!SocketAddress::parse(options.listen[i].host, options.listen[i].port, parsed[i])) {
      error = "listen address '" + options.listen[i].host + "': not a numeric IPv4 or IPv6 address";
      return false;
    }
  }
  impl.stopFd.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!impl.stopFd.valid()) {
    error = std::string("server: eventfd: ") + std::strerror(errno);
    return false;
  }
  // Seeds differ per thread so workers do not make identical weighted choices in lockstep.
  auto seedFor = [&options](int thread) {
    return options.seed != 0 ? options.seed + static_cast<uint64_t>(thread) : randomSeed();
  };
  for (int i = 0; i < options.udpThreads; ++i) {
    impl.udp.push_back(std::make_unique<UdpWorker>(impl.domain, impl.state, seedFor(i),
                                                   impl.stopFd.get(), static_cast<uint32_t>(i)));
  }
  impl.tcp = std::make_unique<TcpLoop>(
      impl.domain, impl.state, seedFor(options.udpThreads), impl.stopFd.get(),
      TcpLimits{options.tcpIdleTimeoutMs, options.tcpMaxConnections,
                options.tcpMaxQueriesPerConnection},
      static_cast<uint32_t>(options.udpThreads));
  for (size_t i = 0; i < options.listen.size(); ++i) {
    if (!impl.bindAddress(options.listen[i], parsed[i], error)) {
      impl.reset();
      return false;
    }
  }
  for (auto& worker : impl.udp) {
    if (!worker->prepare(error)) {
      impl.reset();
      return false;
    }
  }
  if (!impl.tcp->prepare(error)) {
    impl.reset();
    return false;
  }
  impl.phase = Impl::Phase::kBound;
  return true;
}

std::vector<uint16_t> Server::boundPorts() const {
  return impl_->ports;
}

void Server::start() {
  Impl& impl = *impl_;
  if (impl.phase != Impl::Phase::kBound) {
    return;
  }
  // Set first: should spawning a thread throw, stop() still joins the ones already running.
  impl.phase = Impl::Phase::kRunning;
  for (size_t i = 0; i < impl.udp.size(); ++i) {
    UdpWorker* worker = impl.udp[i].get();
    impl.threads.emplace_back([worker, i] {
      char name[16];
      std::snprintf(name, sizeof(name), "tmdns-udp%zu", i);
      pthread_setname_np(pthread_self(), name);
      worker->run();
    });
  }
  TcpLoop* tcp = impl.tcp.get();
  impl.threads.emplace_back([tcp] {
    pthread_setname_np(pthread_self(), "tmdns-tcp");
    tcp->run();
  });
}

void Server::stop() {
  Impl& impl = *impl_;
  if (impl.phase == Impl::Phase::kStopped) {
    return;
  }
  if (impl.phase == Impl::Phase::kRunning) {
    const uint64_t one = 1;
    // An eventfd write of 1 cannot fail short of a bug; the loops all watch the same fd.
    [[maybe_unused]] const ssize_t written = ::write(impl.stopFd.get(), &one, sizeof(one));
    // A UDP worker with one socket waits in recvmmsg, which the eventfd cannot interrupt.
    for (auto& worker : impl.udp) {
      worker->wake();
    }
    for (std::thread& thread : impl.threads) {
      if (thread.joinable()) {
        thread.join();
      }
    }
    impl.threads.clear();
  }
  // The workers stay for counters(); only their descriptors go.
  for (auto& worker : impl.udp) {
    worker->closeSockets();
  }
  if (impl.tcp != nullptr) {
    impl.tcp->closeAll();
  }
  impl.stopFd.reset();
  impl.phase = Impl::Phase::kStopped;
}

namespace {

// Adds the counters of the UDP workers and/or the TCP loop into `handler` and `io`.
template <typename Impl>
void sumCounters(const Impl& impl, bool udp, bool tcp, HandlerCounters& handler,
                 ServerIoCounters& io) {
  if (udp) {
    for (const auto& worker : impl.udp) {
      worker->addCounters(handler, io);
    }
  }
  if (tcp && impl.tcp != nullptr) {
    impl.tcp->addCounters(handler, io);
  }
}

}  // namespace

HandlerCounters Server::counters() const {
  HandlerCounters handler;
  ServerIoCounters io;
  sumCounters(*impl_, true, true, handler, io);
  return handler;
}

HandlerCounters Server::counters(Transport transport) const {
  HandlerCounters handler;
  ServerIoCounters io;
  sumCounters(*impl_, transport == Transport::kUdp, transport != Transport::kUdp, handler, io);
  return handler;
}

ServerIoCounters Server::ioCounters() const {
  HandlerCounters handler;
  ServerIoCounters io;
  sumCounters(*impl_, true, true, handler, io);
  return io;
}

}  // namespace tmdns::dns
