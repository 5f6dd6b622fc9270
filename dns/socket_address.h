// Numeric listen addresses: parsing, printing for error messages, and the routing view of a peer.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "routing/policy.h"

namespace tmdns::dns {

// A parsed IPv4 or IPv6 socket address, kept in the form bind() and sendmsg() take.
class SocketAddress {
 public:
  // Parses a numeric IPv4 or IPv6 literal (brackets and an IPv6 %scope are accepted).
  // Never resolves names: listen addresses are configured as literals.
  static bool parse(const std::string& host, uint16_t port, SocketAddress& out);

  int family() const noexcept { return storage_.ss_family; }
  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const noexcept { return length_; }
  uint16_t port() const noexcept;
  void setPort(uint16_t port) noexcept;
  // 0.0.0.0 or ::, where answers must name their source explicitly (IP_PKTINFO).
  bool isWildcard() const noexcept;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

// "127.0.0.1:53" or "[::1]:53", as error messages name a listen address.
std::string formatEndpoint(const std::string& host, uint16_t port);

// The transport peer as routing sees it: full-length prefix, IPv4-mapped IPv6 as IPv4
// (RFC 4291 §2.5.5.2), family 0 for anything else. Allocation-free; the query path calls it.
routing::ClientInfo clientInfoFrom(const sockaddr_storage& peer) noexcept;

}  // namespace tmdns::dns
