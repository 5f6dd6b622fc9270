// IP addresses as integers for ordered lookup tables, networks and CIDR block arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tmdns::geo {

// GCC and Clang provide 128-bit integers on every target we build for; an IPv6 address is one.
__extension__ using Uint128 = unsigned __int128;

// One family's address as a number: IPv4 in the low 32 bits, IPv6 in all 128.
struct Address {
  bool v6 = false;
  Uint128 value = 0;
};

// An inclusive range of addresses of one family, e.g. a CIDR block or a `first`-`last` range.
struct AddressRange {
  bool v6 = false;
  Uint128 first = 0;
  Uint128 last = 0;
};

inline constexpr unsigned bitsOf(bool v6) {
  return v6 ? 128 : 32;
}

// The highest address of a family: 255.255.255.255 or ffff:...:ffff.
inline constexpr Uint128 maxAddress(bool v6) {
  return v6 ? ~Uint128{0} : Uint128{0xFFFFFFFFu};
}

// `bytes` in network order: 4 of them for IPv4, 16 for IPv6.
Address addressFromBytes(const uint8_t* bytes, bool v6) noexcept;

// The first and last address of `value`/`prefix`.
AddressRange prefixRange(bool v6, Uint128 value, unsigned prefix) noexcept;

// The shortest prefix length L such that the CIDR block of `addr` of length L lies inside
// [first, last] (which must contain addr): the widest block for which a lookup that landed in
// that range would land there for every address. Used as the RFC 7871 §7.2.1 SCOPE.
uint8_t blockPrefixWithin(Uint128 addr, Uint128 first, Uint128 last, bool v6) noexcept;

// A numeric IPv4 or IPv6 literal (inet_pton(3) syntax). Load time only.
std::optional<Address> parseAddress(std::string_view text);

// "a.b.c.d/len", "v6::/len", or a bare address (a full-length prefix). The address must be the
// network address of the block (no host bits set). Load time only; nullopt with `error` set.
std::optional<AddressRange> parseNetwork(std::string_view text, std::string& error);

// Presentation form of one address ("198.51.100.0", "2001:db8::"). Load time and messages only.
std::string formatAddress(const Address& address);

}  // namespace tmdns::geo
