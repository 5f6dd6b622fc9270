// Subnet routing (§2.7): range lookup, Disabled endpoints vanish, per-zone negative answers.
#include "routing/subnet.h"

#include "routing/client.h"
#include "routing/eligibility.h"
#include "routing/router.h"

namespace tmdns::routing {

void SubnetPolicy::select(const Context& ctx, const Profile& profile,
                          Selection& out) const noexcept {
  const ClientInfo& client = ctx.request.client;
  const SubnetMap::Match match = map_.find(client);
  // §3.4: the ECS prefix (or source address) decides, so the answer holds for the whole block
  // around it that lies in one range or in one gap between ranges.
  widenScope(client, out, match.prefix);
  uint32_t index = match.index;
  // §2.7: a Disabled endpoint is treated as if it and its ranges did not exist.
  const auto disabled = [&](uint32_t i) {
    return effectiveStatus(ctx, profile.firstEndpoint + i) == MonitorStatus::kDisabled;
  };
  if (index != kNone && disabled(index)) {
    index = kNone;
  }
  // §2.7: the endpoint without ranges takes every address not covered elsewhere.
  if (index == kNone && fallback_ != kNone && !disabled(fallback_)) {
    index = fallback_;
  }
  if (index == kNone) {
    out.outcome = noMatch_;
    return;
  }
  Candidates candidates;
  findCandidates(ctx, profile, kAllKinds, candidates);
  // §2.7, §3.5: no failover to another endpoint when the owner is unhealthy (Degraded or
  // Stopped). Fail-open (§2.1) still applies: when every endpoint is Degraded the owner is a
  // candidate again and is served.
  if (index < candidates.size && candidates.candidate[index]) {
    addEndpoint(ctx, profile.firstEndpoint + index, out);
    return;
  }
  out.outcome = unhealthy_;
}

}  // namespace tmdns::routing
