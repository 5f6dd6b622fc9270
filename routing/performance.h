// The Performance routing method (§2.4): candidates of the region closest to the client.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/policy.h"
#include "routing/subnet_map.h"

namespace tmdns::routing {

class PerformancePolicy final : public Policy {
 public:
  // Groups `profile`'s endpoints by Endpoint::region (every endpoint must have one).
  PerformancePolicy(const Table& table, const Profile& profile, SubnetMap overrides);

  void select(const Context& ctx, const Profile& profile, Selection& out) const noexcept override;

 private:
  static constexpr uint8_t kNoGroup = UINT8_MAX;

  // The endpoints of one region, in priority order, and where the region is.
  struct Group {
    uint16_t region;
    uint8_t first;  // into members_
    uint8_t count;
    double x, y, z;  // unit vector of the region's coordinates: nearest = largest dot product
  };

  // Which group the client is closest to among those with a candidate, or kNoGroup.
  uint8_t closestGroup(const Context& ctx, const bool usable[], Selection& out) const noexcept;

  std::vector<Group> groups_;     // by region id
  std::vector<uint8_t> members_;  // endpoint indexes within the profile, grouped
  std::vector<uint8_t> groupOf_;  // geo::RegionId -> group, kNoGroup when not in the profile
  std::vector<uint8_t> order_;    // every endpoint index by priority (unlocated clients)
  SubnetMap overrides_;
};

}  // namespace tmdns::routing
