// Address helpers shared by the TCP and HTTP probers and the engine.
#include "probes/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace tmdns::probes {

bool isIpLiteral(const std::string& text) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  return toSocketAddress(text, 0, storage, length);
}

bool toSocketAddress(const std::string& address, uint16_t port, sockaddr_storage& out,
                     socklen_t& length) {
  std::memset(&out, 0, sizeof(out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

std::string urlHost(const std::string& address) {
  if (address.find(':') != std::string::npos) {
    return "[" + address + "]";
  }
  return address;
}

std::string connectErrorReason(int error) {
  switch (error) {
    case ECONNREFUSED:
      return "connect refused";
    case ETIMEDOUT:
      return "connect timed out";
    case ENETUNREACH:
      return "network unreachable";
    case EHOSTUNREACH:
      return "host unreachable";
    case ECONNRESET:
      return "connection reset";
    case EADDRNOTAVAIL:
      return "address not available";
    default:
      return std::string("connect failed: ") + std::strerror(error);
  }
}

}  // namespace tmdns::probes
