// Candidate selection shared by every policy: §2.1 eligibility and fail-open, decided once.
#include "routing/eligibility.h"

#include <algorithm>

#include "routing/router.h"

namespace tmdns::routing {

uint32_t servedEndpointCount(const Table& table, const Profile& profile) noexcept {
  const size_t total = table.endpoints.size();
  if (profile.firstEndpoint >= total) {
    return 0;
  }
  const size_t available = total - profile.firstEndpoint;
  const size_t count = std::min<size_t>(profile.endpointCount, available);
  return static_cast<uint32_t>(std::min<size_t>(count, kMaxProfileEndpoints));
}

void findCandidates(const Context& ctx, const Profile& profile, KindMask kinds,
                    Candidates& out) noexcept {
  out.size = servedEndpointCount(ctx.table, profile);
  out.count = 0;
  out.failOpen = false;
  uint32_t degraded = 0;
  // One pass computes every status (a nested rollup is not free); the Degraded ones are
  // remembered so that fail-open below needs no second status pass.
  bool isDegraded[kMaxProfileEndpoints];
  for (uint32_t i = 0; i < out.size; ++i) {
    const EndpointId id = profile.firstEndpoint + i;
    out.candidate[i] = false;
    isDegraded[i] = false;
    if ((kindBit(ctx.table.endpoints[id].kind) & kinds) == 0) {
      continue;
    }
    const MonitorStatus status = effectiveStatus(ctx, id);
    if (isServable(status)) {
      out.candidate[i] = true;
      ++out.count;
    } else if (status == MonitorStatus::kDegraded) {
      isDegraded[i] = true;
      ++degraded;
    }
  }
  if (out.count > 0 || degraded == 0) {
    return;
  }
  // §2.1 fail-open: every eligible in-scope endpoint is Degraded, so serve them as if Online.
  // Disabled and Stopped endpoints were never marked Degraded above, so they stay out.
  out.failOpen = true;
  for (uint32_t i = 0; i < out.size; ++i) {
    out.candidate[i] = isDegraded[i];
  }
  out.count = degraded;
}

}  // namespace tmdns::routing
