// Client address extraction, ECS scope widening and the per-client hash.
#include "routing/client.h"

#include <algorithm>

namespace tmdns::routing {
namespace {

uint64_t mix(uint64_t x) noexcept {
  // splitmix64's finaliser: every input bit affects every output bit.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

bool clientAddress(const ClientInfo& client, geo::Address& out) noexcept {
  if (client.family != 4 && client.family != 6) {
    return false;
  }
  out = geo::addressFromBytes(client.addr, client.family == 6);
  return true;
}

void widenScope(const ClientInfo& client, Selection& out, uint8_t prefix) noexcept {
  out.ecsScope = std::max(out.ecsScope, std::min(prefix, client.sourcePrefix));
}

uint64_t clientHash(const ClientInfo& client, uint8_t prefix, uint64_t salt) noexcept {
  geo::Address address;
  if (!clientAddress(client, address)) {
    return mix(salt);
  }
  const geo::AddressRange block = geo::prefixRange(address.v6, address.value, prefix);
  const auto high = static_cast<uint64_t>(block.first >> 64);
  const auto low = static_cast<uint64_t>(block.first);
  return mix(mix(salt ^ (address.v6 ? 6 : 4) ^ high) ^ low);
}

}  // namespace tmdns::routing
