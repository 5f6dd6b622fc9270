// Which endpoints of a profile a policy may pick for one query: §2.1 eligibility and fail-open.
#pragma once

#include <cstdint>

#include "routing/monitor_status.h"
#include "routing/policy.h"
#include "routing/table.h"

namespace tmdns::routing {

// §2.1: eligible = enabled and not Stopped. Degraded endpoints are eligible (they are what
// fail-open serves); Disabled, Stopped and Inactive never are, not even in fail-open.
constexpr bool isEligible(MonitorStatus s) {
  return isServable(s) || s == MonitorStatus::kDegraded;
}

// A set of TargetKinds, one bit each; lets MultiValue restrict candidates to the queried family.
using KindMask = uint8_t;
constexpr KindMask kindBit(TargetKind kind) {
  return static_cast<KindMask>(1u << static_cast<unsigned>(kind));
}
inline constexpr KindMask kAllKinds = kindBit(TargetKind::kName) | kindBit(TargetKind::kIPv4) |
                                      kindBit(TargetKind::kIPv6) | kindBit(TargetKind::kNested);

// How many endpoints of `profile` the query path looks at: its endpointCount, clamped to the
// table and to kMaxProfileEndpoints so a malformed table can never index out of bounds.
uint32_t servedEndpointCount(const Table& table, const Profile& profile) noexcept;

// The candidates of one profile for one query. Indexes are positions within the profile
// (EndpointId = profile.firstEndpoint + index). Lives on the stack: no allocation.
struct Candidates {
  uint32_t size = 0;      // endpoints looked at (servedEndpointCount)
  uint32_t count = 0;     // how many of them are candidates
  bool failOpen = false;  // true when the candidates are Degraded endpoints served by fail-open
  // Only [0, size) is set (by findCandidates); no initializer, since zeroing all 200 for every
  // query cost more than the whole candidate pass over a small profile.
  bool candidate[kMaxProfileEndpoints];
};

// Fills `out` for the endpoints of `profile` whose kind is in `kinds` (the others are never
// candidates and do not count for fail-open). A candidate is an endpoint whose effectiveStatus
// (router.h) is servable (§2.1); when no in-scope endpoint is servable but some are Degraded,
// those Degraded ones are the candidates instead (fail-open, §2.1, §6 surprise 1).
// This is the only place fail-open is decided; every policy goes through it.
void findCandidates(const Context& ctx, const Profile& profile, KindMask kinds,
                    Candidates& out) noexcept;

}  // namespace tmdns::routing
