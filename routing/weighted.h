// The Weighted routing method (§2.3): one candidate at random, in proportion to its weight.
#pragma once

#include "routing/policy.h"

namespace tmdns::routing {

class WeightedPolicy final : public Policy {
 public:
  void select(const Context& ctx, const Profile& profile, Selection& out) const noexcept override;
};

}  // namespace tmdns::routing
