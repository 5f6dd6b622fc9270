// Weighted routing (§2.3): P(endpoint) = weight / Σ weights of the candidates, per query.
#include "routing/weighted.h"

#include "routing/eligibility.h"
#include "routing/router.h"

namespace tmdns::routing {

void WeightedPolicy::select(const Context& ctx, const Profile& profile,
                            Selection& out) const noexcept {
  Candidates candidates;
  findCandidates(ctx, profile, kAllKinds, candidates);
  // Two passes over the candidates instead of a prefix-sum array: profiles are small (§6) and
  // the first pass is needed anyway because the candidate set changes with health.
  // At most 200 endpoints × weight 1000 (§1.4, §6): the sum fits easily in 32 bits.
  uint32_t total = 0;
  for (uint32_t i = 0; i < candidates.size; ++i) {
    if (candidates.candidate[i]) {
      total += ctx.table.endpoints[profile.firstEndpoint + i].weight;
    }
  }
  if (total == 0) {
    return;
  }
  uint32_t draw = ctx.rng.below(total);
  for (uint32_t i = 0; i < candidates.size; ++i) {
    if (!candidates.candidate[i]) {
      continue;
    }
    const uint32_t weight = ctx.table.endpoints[profile.firstEndpoint + i].weight;
    if (draw < weight) {
      addEndpoint(ctx, profile.firstEndpoint + i, out);
      return;
    }
    draw -= weight;
  }
}

}  // namespace tmdns::routing
