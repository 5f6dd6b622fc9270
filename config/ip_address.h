// IPv4/IPv6 address literals for validation: parsing, prefixes and special-purpose blocks.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tmdns::config {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  int bits() const { return v6 ? 128 : 32; }
  std::string toString() const;
  // Families compare apart (all IPv4 before all IPv6); within a family, numeric order.
  auto operator<=>(const IpAddress&) const = default;
};

// A plain numeric literal as inet_pton(3) reads it: no brackets, no port, no scope id.
std::optional<IpAddress> parseIpAddress(std::string_view text);

// True when every bit after the first `prefix` bits is zero (`prefix` within 0..bits()).
bool isNetworkAddress(const IpAddress& ip, int prefix);

// The address with every bit after the first `prefix` bits cleared: the block's base.
IpAddress firstInPrefix(const IpAddress& ip, int prefix);

// The address with every bit after the first `prefix` bits set: the last one in the block.
IpAddress lastInPrefix(const IpAddress& ip, int prefix);

// The special-purpose block `ip` lies in, e.g. "10.0.0.0/8, RFC 1918", or nullopt for
// ordinary public space.
std::optional<std::string> specialPurposeBlock(const IpAddress& ip);

}  // namespace tmdns::config
