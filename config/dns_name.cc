// DNS name syntax for configuration values (zone names, NS names, relativeName, targets).
#include "config/dns_name.h"
#include "util/text.h"

#include <cctype>

namespace tmdns::config {

namespace {

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// Quotes printable characters and spells out the rest, so messages stay readable text.
std::string describeChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (std::isprint(byte) != 0) {
    return std::string("'") + c + "'";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

}  // namespace

std::string normalizeDnsName(std::string_view name) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  return util::asciiLower(name);
}

std::optional<std::string> dnsNameProblem(std::string_view name) {
  if (name.empty()) {
    return "must not be empty";
  }
  if (name.size() > kMaxDnsNameLength) {
    return "is longer than 253 characters";
  }
  size_t labelStart = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const size_t length = i - labelStart;
      if (length == 0) {
        return "has an empty label";
      }
      if (length > 63) {
        return "has a label longer than 63 characters";
      }
      labelStart = i + 1;
    } else if (!isNameChar(name[i])) {
      return "contains " + describeChar(name[i]) +
             "; only letters, digits, '-', '_' and '.' are allowed";
    }
  }
  return std::nullopt;
}

bool isAtOrBelow(std::string_view name, std::string_view zone) {
  if (name.size() == zone.size()) {
    return name == zone;
  }
  return name.size() > zone.size() && name.substr(name.size() - zone.size()) == zone &&
         name[name.size() - zone.size() - 1] == '.';
}

}  // namespace tmdns::config
