// Address integers, CIDR arithmetic and literal parsing for the lookup tables.
#include "geo/address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace tmdns::geo {
namespace {

// Index of the highest set bit of a non-zero value.
unsigned highestBit(Uint128 x) noexcept {
  const auto high = static_cast<uint64_t>(x >> 64);
  if (high != 0) {
    return 127u - static_cast<unsigned>(__builtin_clzll(high));
  }
  return 63u - static_cast<unsigned>(__builtin_clzll(static_cast<uint64_t>(x)));
}

}  // namespace

Address addressFromBytes(const uint8_t* bytes, bool v6) noexcept {
  Address out;
  out.v6 = v6;
  const unsigned count = v6 ? 16 : 4;
  for (unsigned i = 0; i < count; ++i) {
    out.value = (out.value << 8) | bytes[i];
  }
  return out;
}

AddressRange prefixRange(bool v6, Uint128 value, unsigned prefix) noexcept {
  const unsigned bits = bitsOf(v6);
  prefix = std::min(prefix, bits);
  const unsigned hostBits = bits - prefix;
  // A shift by the full width of the type is undefined, hence the special case.
  const Uint128 hostMask = hostBits >= 128 ? ~Uint128{0} : ((Uint128{1} << hostBits) - 1);
  const Uint128 first = value & ~hostMask & maxAddress(v6);
  return AddressRange{v6, first, (first | hostMask) & maxAddress(v6)};
}

uint8_t blockPrefixWithin(Uint128 addr, Uint128 first, Uint128 last, bool v6) noexcept {
  const unsigned bits = bitsOf(v6);
  // k = how many low bits may be wildcarded. Clearing them keeps the block start >= first
  // exactly while addr and first - 1 still differ above them (addr > first - 1); setting them
  // keeps the block end <= last while addr and last + 1 still differ above them.
  unsigned k = bits;
  if (first > 0) {
    k = std::min(k, highestBit(addr ^ (first - 1)));
  }
  if (last < maxAddress(v6)) {
    k = std::min(k, highestBit(addr ^ (last + 1)));
  }
  return static_cast<uint8_t>(bits - k);
}

std::optional<Address> parseAddress(std::string_view text) {
  if (text.empty() || text.size() >= 64) {
    return std::nullopt;
  }
  const std::string copy(text);
  uint8_t bytes[16];
  if (inet_pton(AF_INET, copy.c_str(), bytes) == 1) {
    return addressFromBytes(bytes, false);
  }
  if (inet_pton(AF_INET6, copy.c_str(), bytes) == 1) {
    return addressFromBytes(bytes, true);
  }
  return std::nullopt;
}

std::optional<AddressRange> parseNetwork(std::string_view text, std::string& error) {
  const size_t slash = text.find('/');
  const std::optional<Address> address = parseAddress(text.substr(0, slash));
  if (!address) {
    error = "\"" + std::string(text.substr(0, slash)) + "\" is not an IPv4 or IPv6 address";
    return std::nullopt;
  }
  const unsigned bits = bitsOf(address->v6);
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() ||
        prefix > bits) {
      error = "\"" + std::string(digits) + "\" is not a prefix length 0.." + std::to_string(bits);
      return std::nullopt;
    }
  }
  const AddressRange range = prefixRange(address->v6, address->value, prefix);
  if (range.first != address->value) {
    error = "\"" + std::string(text) + "\" has host bits set; the network is " +
            formatAddress(Address{address->v6, range.first}) + "/" + std::to_string(prefix);
    return std::nullopt;
  }
  return range;
}

std::string formatAddress(const Address& address) {
  uint8_t bytes[16];
  const unsigned count = address.v6 ? 16 : 4;
  Uint128 value = address.value;
  for (unsigned i = count; i-- > 0;) {
    bytes[i] = static_cast<uint8_t>(value & 0xFF);
    value >>= 8;
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(address.v6 ? AF_INET6 : AF_INET, bytes, text, sizeof text) == nullptr) {
    return "?";
  }
  return text;
}

}  // namespace tmdns::geo
