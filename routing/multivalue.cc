// MultiValue routing (§2.6): a random subset of the queried family's candidates, per query.
#include "routing/multivalue.h"

#include <algorithm>
#include <utility>

#include "routing/eligibility.h"
#include "routing/router.h"

namespace tmdns::routing {
namespace {

static_assert(kMaxProfileEndpoints <= 256, "candidate indexes are held in uint8_t");

// §2.6: A ⇒ IPv4 endpoints, AAAA ⇒ IPv6, ANY ⇒ both (as one pool: fail-open and maxReturn apply
// to the union), anything else (e.g. CNAME) ⇒ none.
KindMask kindsFor(Family family) noexcept {
  switch (family) {
    case Family::kV4:
      return kindBit(TargetKind::kIPv4);
    case Family::kV6:
      return kindBit(TargetKind::kIPv6);
    case Family::kAny:
      return kindBit(TargetKind::kIPv4) | kindBit(TargetKind::kIPv6);
    case Family::kOther:
      return 0;
  }
  return 0;
}

}  // namespace

void MultiValuePolicy::select(const Context& ctx, const Profile& profile,
                              Selection& out) const noexcept {
  // §2.6, §3.5: the profile is servable but nothing of the queried type is: NODATA.
  out.outcome = Selection::Outcome::kNoData;
  const KindMask kinds = kindsFor(ctx.request.family);
  if (kinds == 0) {
    return;
  }
  Candidates candidates;
  // Fail-open is decided within the queried family: healthy AAAA endpoints must not hide that
  // every A endpoint is Degraded from an A query.
  findCandidates(ctx, profile, kinds, candidates);
  uint8_t pool[kMaxProfileEndpoints];
  uint32_t poolSize = 0;
  for (uint32_t i = 0; i < candidates.size; ++i) {
    if (candidates.candidate[i]) {
      pool[poolSize++] = static_cast<uint8_t>(i);
    }
  }
  // §2.6: which subset is unspecified and may vary per query; a partial Fisher-Yates shuffle
  // draws a uniform random subset in a random order, touching only `wanted` slots.
  const uint32_t limit = std::min<uint32_t>(profile.maxReturn, kMaxSelected);
  const uint32_t wanted = std::min(limit, poolSize);
  for (uint32_t i = 0; i < wanted; ++i) {
    const uint32_t j = i + ctx.rng.below(poolSize - i);
    std::swap(pool[i], pool[j]);
    addEndpoint(ctx, profile.firstEndpoint + pool[i], out);
  }
}

}  // namespace tmdns::routing
