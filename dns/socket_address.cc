// Parsing and printing of listen addresses, and peer addresses as routing::ClientInfo.
#include "dns/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

namespace tmdns::dns {

bool SocketAddress::parse(const std::string& host, uint16_t port, SocketAddress& out) {
  std::string literal = host;
  if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  // AI_NUMERICHOST: a listen address is a literal; a name here is a configuration error, and
  // resolving it at start-up would make the bound address depend on DNS.
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* result = nullptr;
  if (literal.empty() || getaddrinfo(literal.c_str(), "0", &hints, &result) != 0) {
    return false;
  }
  bool ok = false;
  if (result != nullptr && (result->ai_family == AF_INET || result->ai_family == AF_INET6) &&
      result->ai_addrlen <= sizeof(out.storage_)) {
    out = SocketAddress{};
    std::memcpy(&out.storage_, result->ai_addr, result->ai_addrlen);
    out.length_ = result->ai_addrlen;
    out.setPort(port);
    ok = true;
  }
  freeaddrinfo(result);
  return ok;
}

uint16_t SocketAddress::port() const noexcept {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return 0;
}

void SocketAddress::setPort(uint16_t port) noexcept {
  if (family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  } else if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
  }
}

bool SocketAddress::isWildcard() const noexcept {
  if (family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  if (family() == AF_INET6) {
    return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
  }
  return false;
}

std::string formatEndpoint(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  const bool bracketed = !host.empty() && host.front() == '[';
  std::string out;
  if (ipv6 && !bracketed) {
    out = "[" + host + "]";
  } else {
    out = host;
  }
  return out + ":" + std::to_string(port);
}

routing::ClientInfo clientInfoFrom(const sockaddr_storage& peer) noexcept {
  routing::ClientInfo info;
  if (peer.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(peer);
    info.family = 4;
    info.sourcePrefix = 32;
    std::memcpy(info.addr, &v4.sin_addr, 4);
  } else if (peer.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; routing (Geographic,
      // Subnet) must see them as the IPv4 clients they are.
      info.family = 4;
      info.sourcePrefix = 32;
      std::memcpy(info.addr, v6.sin6_addr.s6_addr + 12, 4);
    } else {
      info.family = 6;
      info.sourcePrefix = 128;
      std::memcpy(info.addr, v6.sin6_addr.s6_addr, 16);
    }
  }
  return info;
}

}  // namespace tmdns::dns
