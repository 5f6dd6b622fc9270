// Creation and binding of the server's UDP and TCP listening sockets.
#include "dns/listen_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace tmdns::dns {

namespace {

// Queries arrive in bursts; a larger receive queue rides out a burst while a worker is busy
// with the previous batch. The kernel silently caps it at net.core.rmem_max (wmem_max).
constexpr int kUdpSocketBuffer = 4 * 1024 * 1024;

// Connections waiting for accept(); the TCP loop drains them each wake-up.
constexpr int kListenBacklog = 1024;

bool setInt(int fd, int level, int option, int value) {
  return setsockopt(fd, level, option, &value, sizeof(value)) == 0;
}

UniqueFd openSocket(const SocketAddress& address, int type, int& err) {
  UniqueFd fd(socket(address.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    err = errno;
    return fd;
  }
  // An IPv6 socket must not also take IPv4 traffic: every address is listed and bound on its
  // own, and a dual-stack :: would collide with a separate 0.0.0.0 bind.
  if (address.family() == AF_INET6 && !setInt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1)) {
    err = errno;
    return UniqueFd();
  }
  return fd;
}

}  // namespace

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = fd;
}

UniqueFd openUdpSocket(const SocketAddress& address, int& err) {
  UniqueFd fd = openSocket(address, SOCK_DGRAM, err);
  if (!fd.valid()) {
    return fd;
  }
  if (!setInt(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1)) {
    err = errno;
    return UniqueFd();
  }
  // Best effort: a smaller buffer only means earlier drops under a burst.
  setInt(fd.get(), SOL_SOCKET, SO_RCVBUF, kUdpSocketBuffer);
  setInt(fd.get(), SOL_SOCKET, SO_SNDBUF, kUdpSocketBuffer);
  if (address.isWildcard()) {
    const bool ok = address.family() == AF_INET
                        ? setInt(fd.get(), IPPROTO_IP, IP_PKTINFO, 1)
                        : setInt(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    if (!ok) {
      err = errno;
      return UniqueFd();
    }
  }
  if (::bind(fd.get(), address.get(), address.length()) != 0) {
    err = errno;
    return UniqueFd();
  }
  return fd;
}

UniqueFd openTcpListener(const SocketAddress& address, int& err) {
  UniqueFd fd = openSocket(address, SOCK_STREAM, err);
  if (!fd.valid()) {
    return fd;
  }
  // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT. No
  // SO_REUSEPORT here: there is one listener per address, and a second process on the same
  // port must fail loudly rather than silently share the connections.
  if (!setInt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1)) {
    err = errno;
    return UniqueFd();
  }
  if (::bind(fd.get(), address.get(), address.length()) != 0 ||
      ::listen(fd.get(), kListenBacklog) != 0) {
    err = errno;
    return UniqueFd();
  }
  return fd;
}

uint16_t boundPort(int fd) {
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    return 0;
  }
  if (local.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(local).sin_port);
  }
  if (local.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(local).sin6_port);
  }
  return 0;
}

}  // namespace tmdns::dns
