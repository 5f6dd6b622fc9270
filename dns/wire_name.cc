// Uncompressed wire-name helpers; see wire_name.h.
#include "dns/wire_name.h"

#include <cstdio>
#include <cstring>

#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

uint8_t foldByte(uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + ('a' - 'A')) : c;
}

}  // namespace

size_t uncompressedNameLength(std::span<const uint8_t> data) noexcept {
  // A label may end past kMaxNameLength only if the name is too long, so checking the total
  // once, at the root, is enough; the data bound is checked before every length octet.
  size_t pos = 0;
  const size_t size = data.size();
  while (pos < size) {
    const uint8_t len = data[pos];
    if (len == 0) {
      return pos + 1 <= kMaxNameLength ? pos + 1 : 0;
    }
    if (len > kMaxLabelLength) {
      // Pointers (0xC0) and the extended label types 0x40/0x80 (RFC 6891 §5) are not allowed
      // in stored names.
      return 0;
    }
    pos += size_t{1} + len;
  }
  return 0;
}

bool isWireName(std::span<const uint8_t> name) noexcept {
  return !name.empty() && uncompressedNameLength(name) == name.size();
}

void lowerCaseName(std::span<const uint8_t> name, uint8_t* out) noexcept {
  // Eight octets at a time (every query name is lower-cased before its lookup): a byte gets
  // 0x20 added exactly when it is in 'A'..'Z'. Bytes >= 0x80 are excluded by the final mask.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, name.data() + i, 8);
    const uint64_t low7 = word & ~kHigh;
    const uint64_t atLeastA = low7 + (0x80 - 'A') * kOnes;      // high bit: byte >= 'A'
    const uint64_t aboveZ = low7 + (0x80 - 'Z' - 1) * kOnes;    // high bit: byte > 'Z'
    const uint64_t upper = atLeastA & ~aboveZ & ~word & kHigh;  // high bit: 'A'..'Z'
    word |= upper >> 2;                                         // 0x80 >> 2 == 0x20
    std::memcpy(out + i, &word, 8);
  }
  for (; i < name.size(); ++i) {
    out[i] = foldByte(name[i]);
  }
}

bool namesEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  // Names are nearly always spelled alike (both as configured, or a query in lower case): that
  // costs one word compare per eight octets instead of two folds per octet.
  if (sameOctets(a.data(), b.data(), a.size())) {
    return true;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (foldByte(a[i]) != foldByte(b[i])) {
      return false;
    }
  }
  return true;
}

bool isAtOrBelow(std::span<const uint8_t> name, std::span<const uint8_t> apex) noexcept {
  if (apex.size() > name.size()) {
    return false;
  }
  size_t pos = 0;
  while (pos < name.size()) {
    if (name.size() - pos == apex.size()) {
      return namesEqual(name.subspan(pos), apex);
    }
    if (name[pos] == 0) {
      return false;
    }
    pos += 1 + name[pos];
  }
  return false;
}

std::string nameToText(std::span<const uint8_t> name) {
  std::string text;
  size_t pos = 0;
  while (pos < name.size() && name[pos] != 0) {
    const uint8_t len = name[pos];
    for (size_t i = pos + 1; i <= pos + len && i < name.size(); ++i) {
      const uint8_t c = name[i];
      if (c == '.' || c == '\\') {
        text.push_back('\\');
        text.push_back(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\%03u", static_cast<unsigned>(c));
        text += buf;
      } else {
        text.push_back(static_cast<char>(c));
      }
    }
    text.push_back('.');
    pos += 1 + len;
  }
  if (text.empty()) {
    text = ".";
  }
  return text;
}

}  // namespace tmdns::dns
