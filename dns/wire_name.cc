// Uncompressed wire-name helpers; see wire_name.h.
#include "dns/wire_name.h"

#include <cstdio>

#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

uint8_t foldByte(uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + ('a' - 'A')) : c;
}

}  // namespace

size_t uncompressedNameLength(std::span<const uint8_t> data) noexcept {
  size_t pos = 0;
  while (pos < data.size()) {
    const uint8_t len = data[pos];
    if (len > kMaxLabelLength) {
      // Pointers (0xC0) and the extended label types 0x40/0x80 (RFC 6891 §5) are not allowed
      // in stored names.
      return 0;
    }
    if (pos + 1 + len > kMaxNameLength) {
      return 0;
    }
    if (len == 0) {
      return pos + 1;
    }
    pos += 1 + len;
  }
  return 0;
}

bool isWireName(std::span<const uint8_t> name) noexcept {
  return !name.empty() && uncompressedNameLength(name) == name.size();
}

void lowerCaseName(std::span<const uint8_t> name, uint8_t* out) noexcept {
  for (size_t i = 0; i < name.size(); ++i) {
    out[i] = foldByte(name[i]);
  }
}

bool namesEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  if (a.size() != b.size()) {
    return false;
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
