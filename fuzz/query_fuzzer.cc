// libFuzzer target: one DNS message in, QueryHandler::handle (the UDP worker's and the TCP
// loop's call) over the compiled sample configuration, every response checked by the oracle.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dns/query_handler.h"
#include "dns/wire_types.h"
#include "fuzz/fuzz_support.h"
#include "routing/policy.h"

namespace {

using tmdns::dns::Transport;

struct Target {
  std::unique_ptr<tmdns::dns::Snapshot> snapshot = tmdns::fuzz::loadSampleSnapshot();
  tmdns::routing::HealthTable online = tmdns::fuzz::makeHealth(*snapshot, 0);
  tmdns::dns::QueryHandler handler{1};
  tmdns::dns::QueryStats stats{*snapshot, 1, 1};  // slot 0: UDP, slot 1: TCP
  std::vector<uint8_t> out = std::vector<uint8_t>(tmdns::dns::kMaxMessage);
};

tmdns::routing::ClientInfo ipv4Peer() {
  tmdns::routing::ClientInfo peer;
  peer.family = 4;
  peer.sourcePrefix = 32;
  const uint8_t addr[4] = {198, 51, 100, 7};  // Ireland in the sample geolocation data
  std::copy(addr, addr + 4, peer.addr);
  return peer;
}

tmdns::routing::ClientInfo ipv6Peer() {
  tmdns::routing::ClientInfo peer;
  peer.family = 6;
  peer.sourcePrefix = 128;
  const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};  // Japan
  std::copy(addr, addr + 16, peer.addr);
  return peer;
}

// FNV-1a: a health pattern that follows the input, so a crash reproduces from the file alone.
uint64_t hashOf(std::span<const uint8_t> bytes) {
  uint64_t h = 14695981039346656037ull;
  for (const uint8_t b : bytes) {
    h = (h ^ b) * 1099511628211ull;
  }
  return h | 1;  // never 0, which makeHealth reads as "all online"
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target* target = new Target();  // lives for the whole run, as a served snapshot does
  const std::span<const uint8_t> query(data, size);
  const uint16_t maxUdp = target->snapshot->maxUdpPayload;

  // UDP, every endpoint online, from an IPv4 resolver.
  size_t n = target->handler.handle(*target->snapshot, target->online.view(), query, ipv4Peer(),
                                    Transport::kUdp, target->out, target->stats.block(0));
  tmdns::fuzz::checkResponse(query, {target->out.data(), n}, Transport::kUdp, maxUdp);

  // TCP, from an IPv6 resolver, with a health pattern derived from the input: fail-over,
  // fail-open and stopped endpoints.
  const tmdns::routing::HealthTable health =
      tmdns::fuzz::makeHealth(*target->snapshot, hashOf(query));
  n = target->handler.handle(*target->snapshot, health.view(), query, ipv6Peer(), Transport::kTcp,
                             target->out, target->stats.block(1));
  tmdns::fuzz::checkResponse(query, {target->out.data(), n}, Transport::kTcp, maxUdp);
  return 0;
}
