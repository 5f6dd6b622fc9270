// EDNS(0) OPT parsing (RFC 6891) and the Client Subnet option (RFC 7871); allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "routing/policy.h"

namespace tmdns::dns {

// RFC 7871 §6. FAMILY uses IANA address family numbers: 1 = IPv4, 2 = IPv6.
struct ClientSubnet {
  uint16_t family = 0;
  uint8_t sourcePrefix = 0;
  uint8_t scopePrefix = 0;
  uint8_t addressLength = 0;  // ceil(sourcePrefix / 8)
  uint8_t address[16] = {};   // the prefix octets, zero beyond addressLength
};

struct Edns {
  uint16_t udpSize = 512;  // requester's payload size, already raised to at least 512
  uint8_t extendedRcode = 0;
  uint8_t version = 0;
  bool dnssecOk = false;
  bool hasEcs = false;
  ClientSubnet ecs;
};

inline constexpr uint16_t kEcsFamilyIpv4 = 1;
inline constexpr uint16_t kEcsFamilyIpv6 = 2;

// Reads one OPT RR's CLASS (payload size), TTL (extended RCODE, VERSION, DO) and, for VERSION
// 0 only, its options: a version we do not speak may lay them out differently (RFC 6891
// §6.1.3). Returns false when the options do not exactly fill the RDATA or the ECS option is
// invalid, both FORMERR (RFC 6891 §6.1.2, RFC 7871 §7.2.1). Unknown options are ignored
// (RFC 6891 §6.1.2). The header fields in `out` are filled even when it returns false.
bool parseOpt(uint16_t cls, uint32_t ttl, std::span<const uint8_t> rdata, Edns& out) noexcept;

// Validates one ECS option payload (RFC 7871 §6): FAMILY 1 or 2, SOURCE PREFIX-LENGTH within
// the family, exactly ceil(prefix / 8) address octets with no bit set beyond the prefix, and
// SCOPE PREFIX-LENGTH 0 as a query must carry.
bool parseClientSubnet(std::span<const uint8_t> payload, ClientSubnet& out) noexcept;

// The routing view of an ECS option.
routing::ClientInfo clientInfoFrom(const ClientSubnet& ecs) noexcept;

// Octets of an ECS option including its 4-octet option header.
inline size_t clientSubnetOptionSize(const ClientSubnet& ecs) noexcept {
  return 4 + 4 + size_t{ecs.addressLength};
}

}  // namespace tmdns::dns
