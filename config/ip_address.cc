// IP literal parsing and the special-purpose address registries (RFC 6890 and friends).
#include "config/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace tmdns::config {

namespace {

struct Block {
  const char* base;
  int prefix;
  const char* rfc;
};

// traffic-manager.md §1.5: Azure rejects IP targets in these blocks (RFC 1918, 6890, 5737, 3068,
// 2544, 5771); tmdns only notes them because private endpoints are a reason to self-host.
constexpr Block kBlocks[] = {
    {"0.0.0.0", 8, "RFC 6890"},      {"10.0.0.0", 8, "RFC 1918"},
    {"100.64.0.0", 10, "RFC 6598"},  {"127.0.0.0", 8, "RFC 6890"},
    {"169.254.0.0", 16, "RFC 3927"}, {"172.16.0.0", 12, "RFC 1918"},
    {"192.0.0.0", 24, "RFC 6890"},   {"192.0.2.0", 24, "RFC 5737"},
    {"192.88.99.0", 24, "RFC 3068"}, {"192.168.0.0", 16, "RFC 1918"},
    {"198.18.0.0", 15, "RFC 2544"},  {"198.51.100.0", 24, "RFC 5737"},
    {"203.0.113.0", 24, "RFC 5737"}, {"224.0.0.0", 4, "RFC 5771"},
    {"240.0.0.0", 4, "RFC 6890"},    {"::", 128, "RFC 6890"},
    {"::1", 128, "RFC 6890"},        {"::ffff:0:0", 96, "RFC 6890"},
    {"64:ff9b::", 96, "RFC 6052"},   {"100::", 64, "RFC 6666"},
    {"2001::", 23, "RFC 6890"},      {"2001:db8::", 32, "RFC 3849"},
    {"2002::", 16, "RFC 3056"},      {"fc00::", 7, "RFC 4193"},
    {"fe80::", 10, "RFC 4291"},      {"ff00::", 8, "RFC 4291"},
};

bool inPrefix(const IpAddress& ip, const IpAddress& base, int prefix) {
  if (ip.v6 != base.v6) {
    return false;
  }
  for (int bit = 0; bit < prefix; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if ((ip.bytes[bit / 8] & mask) != (base.bytes[bit / 8] & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  // inet_pton needs a terminated string; anything this long is not an address anyway.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, ip.bytes.data()) != 1) {
      return std::nullopt;
    }
    return ip;
  }
  ip.v6 = true;
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) {
    return std::nullopt;
  }
  return ip;
}

bool isNetworkAddress(const IpAddress& ip, int prefix) {
  for (int bit = std::max(prefix, 0); bit < ip.bits(); ++bit) {
    if ((ip.bytes[bit / 8] & (0x80u >> (bit % 8))) != 0) {
      return false;
    }
  }
  return true;
}

IpAddress firstInPrefix(const IpAddress& ip, int prefix) {
  IpAddress out = ip;
  for (int bit = std::max(prefix, 0); bit < ip.bits(); ++bit) {
    out.bytes[bit / 8] = static_cast<uint8_t>(out.bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  }
  return out;
}

IpAddress lastInPrefix(const IpAddress& ip, int prefix) {
  IpAddress out = ip;
  for (int bit = std::max(prefix, 0); bit < ip.bits(); ++bit) {
    out.bytes[bit / 8] = static_cast<uint8_t>(out.bytes[bit / 8] | (0x80u >> (bit % 8)));
  }
  return out;
}

std::optional<std::string> specialPurposeBlock(const IpAddress& ip) {
  for (const Block& block : kBlocks) {
    const std::optional<IpAddress> base = parseIpAddress(block.base);
    if (base && inPrefix(ip, *base, block.prefix)) {
      return std::string(block.base) + '/' + std::to_string(block.prefix) + ", " + block.rfc;
    }
  }
  return std::nullopt;
}

}  // namespace tmdns::config
