// OPT RR and EDNS Client Subnet option parsing; see edns.h.
#include "dns/edns.h"

#include <cstring>

#include "dns/wire_types.h"

namespace tmdns::dns {

bool parseClientSubnet(std::span<const uint8_t> payload, ClientSubnet& out) noexcept {
  if (payload.size() < 4) {
    return false;
  }
  ClientSubnet ecs;
  ecs.family = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
  ecs.sourcePrefix = payload[2];
  ecs.scopePrefix = payload[3];
  uint8_t maxPrefix = 0;
  if (ecs.family == kEcsFamilyIpv4) {
    maxPrefix = 32;
  } else if (ecs.family == kEcsFamilyIpv6) {
    maxPrefix = 128;
  } else {
    return false;  // RFC 7871 §7.2.1: a bad FAMILY is FORMERR
  }
  if (ecs.sourcePrefix > maxPrefix) {
    return false;
  }
  // RFC 7871 §6: SCOPE PREFIX-LENGTH MUST be 0 in queries.
  if (ecs.scopePrefix != 0) {
    return false;
  }
  // RFC 7871 §6: ADDRESS is truncated to the prefix; too few or too many octets, or bits set
  // beyond the prefix, are FORMERR.
  const size_t addressLength = (size_t{ecs.sourcePrefix} + 7) / 8;
  if (payload.size() - 4 != addressLength) {
    return false;
  }
  ecs.addressLength = static_cast<uint8_t>(addressLength);
  std::memcpy(ecs.address, payload.data() + 4, addressLength);
  if (ecs.sourcePrefix % 8 != 0) {
    const auto hostMask = static_cast<uint8_t>(0xFFu >> (ecs.sourcePrefix % 8));
    if ((ecs.address[addressLength - 1] & hostMask) != 0) {
      return false;
    }
  }
  out = ecs;
  return true;
}

bool parseOpt(uint16_t cls, uint32_t ttl, std::span<const uint8_t> rdata, Edns& out) noexcept {
  out = Edns{};
  // RFC 6891 §6.2.5: values below 512 are treated as 512.
  out.udpSize = cls < kMaxUdpWithoutEdns ? static_cast<uint16_t>(kMaxUdpWithoutEdns) : cls;
  out.extendedRcode = static_cast<uint8_t>(ttl >> 24);
  out.version = static_cast<uint8_t>(ttl >> 16);
  out.dnssecOk = (ttl & kEdnsFlagDo) != 0;
  if (out.version != 0) {
    return true;  // answered with BADVERS before the options matter
  }
  size_t pos = 0;
  while (pos < rdata.size()) {
    if (rdata.size() - pos < 4) {
      return false;
    }
    const auto code = static_cast<uint16_t>((rdata[pos] << 8) | rdata[pos + 1]);
    const auto length = static_cast<uint16_t>((rdata[pos + 2] << 8) | rdata[pos + 3]);
    pos += 4;
    if (rdata.size() - pos < length) {
      return false;
    }
    if (code == kOptionEcs) {
      // One client subnet per query: two could disagree, and we could echo only one.
      if (out.hasEcs || !parseClientSubnet(rdata.subspan(pos, length), out.ecs)) {
        out.hasEcs = false;
        return false;
      }
      out.hasEcs = true;
    }
    pos += length;
  }
  return true;
}

routing::ClientInfo clientInfoFrom(const ClientSubnet& ecs) noexcept {
  routing::ClientInfo info;
  info.family = ecs.family == kEcsFamilyIpv4 ? 4 : 6;
  info.sourcePrefix = ecs.sourcePrefix;
  info.fromEcs = true;
  std::memcpy(info.addr, ecs.address, ecs.addressLength);
  return info;
}

}  // namespace tmdns::dns
