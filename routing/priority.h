// The Priority routing method (§2.2): the candidate with the lowest priority number.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/policy.h"

namespace tmdns::routing {

class PriorityPolicy final : public Policy {
 public:
  // Precomputes the priority order of `profile`'s endpoints so that select() never sorts.
  PriorityPolicy(const Table& table, const Profile& profile);

  void select(const Context& ctx, const Profile& profile, Selection& out) const noexcept override;

 private:
  // Indexes within the profile, by priority ascending, ties (invalid config) in config order.
  std::vector<uint8_t> order_;
};

}  // namespace tmdns::routing
