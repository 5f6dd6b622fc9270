// Assembles a dns::Snapshot from zones, records and profile names; used by config/ and tests.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dns/snapshot.h"

namespace tmdns::dns {

// All names are uncompressed wire names (case as configured; the builder keeps a lower-cased
// copy for lookup). RDATA is wire format with uncompressed names.
class SnapshotBuilder {
 public:
  SnapshotBuilder();

  // Adds a zone and returns its index. SOA and NS RRsets are created at the apex node.
  // `soaRdata` is the full SOA RDATA; negativeTtl = min(soaTtl, SOA MINIMUM) (RFC 2308 §5).
  // Returns kNoIndex when the zone cannot be added (see the overload below for the reason).
  uint32_t addZone(std::span<const uint8_t> apexName, uint32_t soaTtl,
                   std::span<const uint8_t> soaRdata, uint32_t nsTtl,
                   const std::vector<std::vector<uint8_t>>& nsNames);
  // As above; on failure returns kNoIndex with `error` set: the apex or an NS name is not a
  // valid wire name, the SOA RDATA is not two names and 20 octets, or the apex is already a
  // zone apex or a name inside another zone. Calls taking a kNoIndex zone fail or do nothing.
  uint32_t addZone(std::span<const uint8_t> apexName, uint32_t soaTtl,
                   std::span<const uint8_t> soaRdata, uint32_t nsTtl,
                   const std::vector<std::vector<uint8_t>>& nsNames, std::string& error);

  // Adds one static record at `owner` (which must be at or below the zone apex). Records of the
  // same owner and type form one RRset; the TTL of the first one is kept (RFC 2181 §5.2).
  // Returns false with `error` set for: owner outside the zone, CNAME beside other data or a
  // profile (RFC 1034 §3.6.2), a second CNAME, a record at a profile name; also for a name or
  // RDATA that is not valid wire format for its type, SOA (it comes from addZone), NS below the
  // apex (no delegations), DNAME, and meta types (OPT, TSIG, AXFR, ANY, ...). NS at the apex
  // joins the zone's NS RRset. An exact duplicate record is dropped (RFC 2181 §5).
  bool addRecord(uint32_t zone, std::span<const uint8_t> owner, uint16_t type, uint32_t ttl,
                 std::span<const uint8_t> rdata, std::string& error);

  // Declares that `name` (at or below the zone apex, not the apex) answers routing profile
  // `profile`. Returns false with `error` when the name already has records or a profile.
  bool addProfileName(uint32_t zone, std::span<const uint8_t> name, uint32_t profile,
                      std::string& error);

  // The routing table; endpointAnswers must then be set for every endpoint.
  void setRouting(routing::Table table);
  void setEndpointAnswer(routing::EndpointId id, uint16_t type, std::span<const uint8_t> rdata);

  void setMaxUdpPayload(uint16_t size);
  void setIdentity(uint64_t generation, std::string configHash);

  // Creates the empty non-terminal nodes between each name and its zone apex, sorts RRsets by
  // type, builds the name index and returns the finished snapshot. The builder is spent.
  std::unique_ptr<Snapshot> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;

 public:
  ~SnapshotBuilder();
};

}  // namespace tmdns::dns
