// The MultiValue routing method (§2.6): up to maxReturn random candidates of the queried family.
#pragma once

#include "routing/policy.h"

namespace tmdns::routing {

// Only IPv4/IPv6 endpoints are ever answered (§1.5 forbids other targets and nested endpoints in
// a MultiValue profile), so no nested descent happens here.
class MultiValuePolicy final : public Policy {
 public:
  void select(const Context& ctx, const Profile& profile, Selection& out) const noexcept override;
};

}  // namespace tmdns::routing
