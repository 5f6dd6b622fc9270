// The compiled, immutable served state: names, static records, pre-encoded endpoint answers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/name_index.h"
#include "routing/table.h"

namespace tmdns::dns {

inline constexpr uint32_t kNoIndex = UINT32_MAX;

// RDATA of one record, stored in Snapshot::bytes exactly as on the wire with every domain name
// uncompressed (case as configured). The writer compresses names in NS/CNAME/PTR/MX/SOA RDATA
// (RFC 3597 §4 lets only these "well-known" types be compressed).
struct Rdata {
  uint32_t offset = 0;
  uint16_t length = 0;
};

struct RRset {
  uint16_t type = 0;
  uint32_t ttl = 0;
  uint32_t firstRdata = 0;  // into Snapshot::rdatas
  uint32_t rdataCount = 0;
};

// A name in a zone: the apex, a static owner, a profile, or an empty non-terminal.
struct Node {
  uint32_t zone = 0;
  uint32_t nameOffset = 0;  // lower-cased uncompressed wire name in Snapshot::bytes
  uint8_t nameLength = 0;
  uint32_t firstRRset = 0;  // into Snapshot::rrsets, sorted by type
  uint32_t rrsetCount = 0;
  uint32_t profile = routing::kNone;  // routing::ProfileId when the node is a profile name
  bool hasCname = false;  // a static CNAME owner (no other data allowed, RFC 1034 §3.6.2)
};

struct Zone {
  uint32_t apexNode = 0;
  uint32_t soaRRset = 0;  // index into Snapshot::rrsets
  uint32_t nsRRset = 0;
  // RFC 2308 §5: the SOA in a negative answer carries min(SOA TTL, SOA MINIMUM).
  uint32_t negativeTtl = 0;
};

// The record an endpoint yields (§3.2), pre-encoded when the configuration is compiled.
// type is A, AAAA or CNAME; nested endpoints have type 0 (routing descends to a leaf).
struct EndpointAnswer {
  uint16_t type = 0;
  uint32_t offset = 0;  // RDATA in Snapshot::bytes
  uint16_t length = 0;
};

struct Snapshot {
  std::vector<uint8_t> bytes;  // wire names and RDATA
  std::vector<Node> nodes;
  std::vector<RRset> rrsets;
  std::vector<Rdata> rdatas;
  std::vector<Zone> zones;
  NameIndex index;  // lower-cased wire name -> node

  routing::Table routing;
  std::vector<EndpointAnswer> endpointAnswers;  // indexed by routing::EndpointId
  std::vector<uint32_t> profileZone;            // routing::ProfileId -> zone index

  // UDP payload ceiling we answer with (RFC 6891 §6.2.5), and advertise in our OPT.
  uint16_t maxUdpPayload = 1232;
  uint64_t generation = 0;
  std::string configHash;
};

}  // namespace tmdns::dns
