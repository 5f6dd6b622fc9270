// The Subnet routing method (§2.7): the endpoint owning the client's address, else the fallback.
#pragma once

#include <cstdint>

#include "routing/policy.h"
#include "routing/subnet_map.h"

namespace tmdns::routing {

class SubnetPolicy final : public Policy {
 public:
  // `fallback`: the index of the endpoint without subnets, or kNone.
  SubnetPolicy(SubnetMap map, uint32_t fallback, Selection::Outcome noMatch,
               Selection::Outcome unhealthy)
      : map_(std::move(map)), fallback_(fallback), noMatch_(noMatch), unhealthy_(unhealthy) {}

  void select(const Context& ctx, const Profile& profile, Selection& out) const noexcept override;

 private:
  SubnetMap map_;
  uint32_t fallback_;
  Selection::Outcome noMatch_;
  Selection::Outcome unhealthy_;
};

}  // namespace tmdns::routing
