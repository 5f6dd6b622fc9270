// Shared by the fuzz targets: the compiled sample configuration and the response invariants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dns/query_stats.h"
#include "dns/snapshot.h"
#include "routing/health_table.h"

namespace tmdns::fuzz {

// fuzz/sample/tmdns.yaml (every routing method, nested profiles, static records of several
// types and sizes, two zones, geolocation and latency tables, max_udp_payload 1400), loaded and
// compiled exactly as the daemon does it. Aborts with the diagnostics if it does not compile:
// a fuzzer without its configuration would only exercise REFUSED.
std::unique_ptr<dns::Snapshot> loadSampleSnapshot();

// The sample configuration's directory (the config fuzzer reads its data files from there).
std::string sampleDirectory();

// Health for every endpoint of `snapshot`, all Online, or derived from `salt` (each endpoint
// gets one of Online, Degraded, CheckingEndpoint, Stopped) so that inputs also reach the
// fail-over and fail-open paths.
routing::HealthTable makeHealth(const dns::Snapshot& snapshot, uint64_t salt);

// Checks every invariant a response to `query` must hold and aborts (so that libFuzzer saves
// the input) with a description when one fails. `response` empty means the handler stayed
// silent. The oracle reads the query with ldns and its own few lines, never with tmdns's parser:
// - silence exactly when the query is shorter than a header or has QR=1 (RFC 1035 §4.1.1);
// - the response parses (ldns_wire2pkt), has QR=1, RA=0, the query's ID, OPCODE and RD;
// - its question, when present, is the query's (name octets, type and class), and it is absent
//   only in FORMERR and NOTIMP responses;
// - UDP: at most 512 octets without EDNS, else min(max(512, the requester's OPT payload size),
//   max(512, maxUdpPayload)) (RFC 1035 §4.2.1, RFC 6891 §6.2.5); TCP: at most 65535;
// - TC only over UDP, and then no records but the OPT (RFC 2181 §9);
// - an OPT only when the query had one in its additional section (RFC 6891 §7);
// - an ECS option only echoing the query's FAMILY, SOURCE PREFIX-LENGTH and ADDRESS with a
//   SCOPE no longer than the source prefix (RFC 7871 §7.2.1).
void checkResponse(std::span<const uint8_t> query, std::span<const uint8_t> response,
                   dns::Transport transport, uint16_t maxUdpPayload);

// Prints "tmdns fuzz invariant: <what>" and aborts.
[[noreturn]] void fail(const std::string& what);

}  // namespace tmdns::fuzz
