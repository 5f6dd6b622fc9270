// Fills the answer, authority and additional sections for one class-IN question over a snapshot.
#pragma once

#include <cstdint>
#include <span>

#include "dns/response_writer.h"
#include "dns/snapshot.h"
#include "routing/policy.h"
#include "util/rng.h"

namespace tmdns::dns {

// Longest CNAME chain followed inside one answer; a loop ends earlier (a name seen twice).
inline constexpr int kMaxCnameChain = 8;

// Endpoint records one answer reports for counting; more (a MultiValue answer at the end of a
// long CNAME chain through profiles) are answered but not counted.
inline constexpr int kMaxReturned = 16;

struct AnswerResult {
  uint16_t rcode = 0;          // NOERROR, NXDOMAIN or REFUSED
  bool authoritative = false;  // AA: the name is in one of our zones
  bool noData = false;         // NOERROR and the last name has no data of the type
  uint8_t ecsScope = 0;        // RFC 7871 §7.2.1 SCOPE PREFIX-LENGTH: widest routing scope used
  // For the query counters: the zone and profile of the query name itself (kNoIndex /
  // routing::kNone when it is in none of our zones / not a profile name).
  uint32_t zone = kNoIndex;
  uint32_t profile = routing::kNone;
  // Endpoints whose record went into the answer section, each with the profile that routed to
  // it (the queried profile; for a nested endpoint, the parent and the leaf).
  uint8_t returnedCount = 0;
  struct Returned {
    uint32_t profile;
    uint32_t endpoint;
  } returned[kMaxReturned] = {};
};

struct AnswerQuery {
  std::span<const uint8_t> name;  // QNAME as received (any case)
  uint16_t type = 0;
  routing::HealthView health;
  const routing::ClientInfo* client = nullptr;  // ECS prefix or transport source
  util::Rng* rng = nullptr;
};

// RFC 1034 §4.3.2 for a server authoritative for the snapshot's zones:
// - a name outside every zone: REFUSED, nothing written;
// - a name that does not exist: NXDOMAIN with the zone SOA in authority (TTL = negativeTtl,
//   RFC 2308 §3, §5);
// - an existing name without data of the type (empty non-terminals included): NODATA, i.e.
//   NOERROR with the SOA in authority (RFC 2308 §2.2, RFC 8020);
// - a static RRset of the type: the whole RRset; NS answers add A/AAAA of NS names in our
//   zones to additional when they fit (glue is optional, RFC 2181 §9);
// - ANY at a static name: one RRset, the first by type (RFC 8482 §4.2);
// - a CNAME and another type: the CNAME, then the target's answer when it is in our zones
//   (RFC 1034 §4.3.2 step 3a), at most kMaxCnameChain links; RCODE and NODATA describe the
//   last name (RFC 6604 §2);
// - a profile name: routing::route(), then the §3.2 record-type table (traffic-manager.md)
//   per selected endpoint with the profile TTL; a CNAME endpoint is followed like a static
//   CNAME. Types outside A/AAAA/CNAME/ANY at a profile name are NODATA (§3.2 leaves them
//   undocumented), unless the profile answers NXDOMAIN (disabled: the name does not exist).
// Stops early when the writer overflows; the caller then truncates.
AnswerResult writeAnswer(const Snapshot& snapshot, const AnswerQuery& query,
                         ResponseWriter& writer) noexcept;

}  // namespace tmdns::dns
