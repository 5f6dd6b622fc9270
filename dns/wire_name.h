// Helpers for uncompressed wire-format domain names: validation, case folding, ancestry, text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace tmdns::dns {

// Length of the uncompressed wire name at the start of `data` (labels ≤ 63 octets, total ≤ 255
// including the root, RFC 1035 §2.3.4), or 0 when there is none: truncated, over-long,
// compressed or an extended label type. Does not read past `data`.
size_t uncompressedNameLength(std::span<const uint8_t> data) noexcept;

// True when `name` is exactly one valid uncompressed wire name.
bool isWireName(std::span<const uint8_t> name) noexcept;

// ASCII case folding (RFC 4343 §3). Length octets are ≤ 63, below 'A', so a whole wire name can
// be folded byte by byte. `out` must hold name.size() bytes; it may alias name.
void lowerCaseName(std::span<const uint8_t> name, uint8_t* out) noexcept;

// Octet-exact equality of `count` octets. Inline, eight at a time: the query path compares
// names of about twenty octets, for which a call to memcmp costs more than the comparison.
inline bool sameOctets(const uint8_t* a, const uint8_t* b, size_t count) noexcept {
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) {
      return false;
    }
  }
  for (; i < count; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

// Case-insensitive equality of two valid wire names (RFC 4343 §3).
bool namesEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept;

// True when valid name `name` is `apex` or below it, compared case-insensitively on label
// boundaries.
bool isAtOrBelow(std::span<const uint8_t> name, std::span<const uint8_t> apex) noexcept;

// Presentation form for messages ("www.example.com."; RFC 4343 §2.1 escapes). Not for the
// query path: it allocates.
std::string nameToText(std::span<const uint8_t> name);

}  // namespace tmdns::dns
