// Priority routing (§2.2): first candidate in ascending priority order, fail-open included.
#include "routing/priority.h"

#include <algorithm>

#include "routing/eligibility.h"
#include "routing/router.h"

namespace tmdns::routing {

static_assert(kMaxProfileEndpoints <= 256, "order_ holds profile indexes in uint8_t");

PriorityPolicy::PriorityPolicy(const Table& table, const Profile& profile) {
  const uint32_t count = servedEndpointCount(table, profile);
  order_.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    order_.push_back(static_cast<uint8_t>(i));
  }
  // §1.4: priorities are unique per profile; stable_sort keeps a duplicate deterministic anyway.
  std::stable_sort(order_.begin(), order_.end(), [&](uint8_t a, uint8_t b) {
    return table.endpoints[profile.firstEndpoint + a].priority <
           table.endpoints[profile.firstEndpoint + b].priority;
  });
}

void PriorityPolicy::select(const Context& ctx, const Profile& profile,
                            Selection& out) const noexcept {
  Candidates candidates;
  findCandidates(ctx, profile, kAllKinds, candidates);
  // §2.2: with fail-open the candidates are the Degraded endpoints, so the same walk yields the
  // lowest-priority-number Degraded one.
  for (const uint8_t index : order_) {
    if (index < candidates.size && candidates.candidate[index]) {
      addEndpoint(ctx, profile.firstEndpoint + index, out);
      return;
    }
  }
}

}  // namespace tmdns::routing
