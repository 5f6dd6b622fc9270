// Owned file descriptors and the listening sockets the server binds (UDP per worker, TCP once).
#pragma once

#include "dns/socket_address.h"

namespace tmdns::dns {

// Closes its descriptor when destroyed; move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// A non-blocking UDP socket bound to `address` with SO_REUSEPORT, so that every worker binds
// its own socket to the same address and the kernel spreads datagrams over them. On a
// wildcard address it also asks for IP_PKTINFO / IPV6_RECVPKTINFO so answers can leave from
// the address the query came to. Returns an invalid fd and sets `err` (an errno) on failure.
UniqueFd openUdpSocket(const SocketAddress& address, int& err);

// A non-blocking TCP listening socket bound to `address`; same error convention.
UniqueFd openTcpListener(const SocketAddress& address, int& err);

// The port a bound socket got (port 0 binds pick one), or 0 on failure.
uint16_t boundPort(int fd);

}  // namespace tmdns::dns
