// The Geographic routing method (§2.5): the endpoint mapped to the client's most specific code.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/policy.h"
#include "routing/subnet_map.h"

namespace tmdns::routing {

class GeographicPolicy final : public Policy {
 public:
  // `mapping[code id]` is the endpoint index (within the profile) mapped to that code, or
  // kUnmapped; `overrides` are the endpoints' subnets (§2.8).
  static constexpr uint8_t kUnmapped = UINT8_MAX;
  GeographicPolicy(std::vector<uint8_t> mapping, SubnetMap overrides)
      : mapping_(std::move(mapping)), overrides_(std::move(overrides)) {}

  void select(const Context& ctx, const Profile& profile, Selection& out) const noexcept override;

 private:
  std::vector<uint8_t> mapping_;  // indexed by geo::GeoCodeId
  SubnetMap overrides_;
};

}  // namespace tmdns::routing
