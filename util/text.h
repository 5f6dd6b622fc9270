// ASCII text helpers shared by configuration, geo data and probes (DNS names and keys are ASCII).
#pragma once

#include <string>
#include <string_view>

namespace tmdns::util {

// Lower-cases ASCII letters only: DNS names compare case-insensitively in ASCII (RFC 4343 §3),
// and locale-dependent tolower() must not decide what a configuration means.
inline std::string asciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    x = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
    y = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace tmdns::util
