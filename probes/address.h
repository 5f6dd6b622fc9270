// Small helpers for probe targets and addresses: IP-literal tests, socket addresses, error reasons.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace tmdns::probes {

// True for a numeric IPv4 or IPv6 address (no brackets): such targets are probed directly.
bool isIpLiteral(const std::string& text);

// Fills `out` for `address` (numeric IPv4 or IPv6) and `port`; false when it is not numeric.
bool toSocketAddress(const std::string& address, uint16_t port, sockaddr_storage& out,
                     socklen_t& length);

// The address as it goes into a URL or an authority: IPv6 in brackets (RFC 3986 §3.2.2).
std::string urlHost(const std::string& address);

// The reason logged for a failed connect(): "connect refused", "timeout", ...
std::string connectErrorReason(int error);

}  // namespace tmdns::probes
