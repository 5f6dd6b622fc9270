// Performance routing (§2.4): override, then nearest region by latency table or distance.
#include "routing/performance.h"

#include <algorithm>
#include <cmath>

#include "geo/azure_regions.h"
#include "geo/latency_table.h"
#include "geo/locator.h"
#include "routing/client.h"
#include "routing/eligibility.h"
#include "routing/router.h"

namespace tmdns::routing {
namespace {

static_assert(kMaxProfileEndpoints < UINT8_MAX, "groups and members are held in uint8_t");
static_assert(kNoRegion == geo::kNoRegionId, "Endpoint::region holds a geo::RegionId");

constexpr double kRadians = M_PI / 180.0;

struct UnitVector {
  double x, y, z;
};

UnitVector unitVector(double latitude, double longitude) noexcept {
  const double lat = latitude * kRadians;
  const double lon = longitude * kRadians;
  return {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

}  // namespace

PerformancePolicy::PerformancePolicy(const Table& table, const Profile& profile,
                                     SubnetMap overrides)
    : overrides_(std::move(overrides)) {
  const uint32_t count = servedEndpointCount(table, profile);
  for (uint32_t i = 0; i < count; ++i) {
    order_.push_back(static_cast<uint8_t>(i));
  }
  // §1.4: priorities are unique; stable_sort keeps configuration order for a duplicate.
  std::stable_sort(order_.begin(), order_.end(), [&](uint8_t a, uint8_t b) {
    return table.endpoints[profile.firstEndpoint + a].priority <
           table.endpoints[profile.firstEndpoint + b].priority;
  });
  std::vector<uint8_t> byRegion = order_;
  std::stable_sort(byRegion.begin(), byRegion.end(), [&](uint8_t a, uint8_t b) {
    return table.endpoints[profile.firstEndpoint + a].region <
           table.endpoints[profile.firstEndpoint + b].region;
  });
  const auto regions = geo::azureRegions();
  groupOf_.assign(regions.size(), kNoGroup);
  for (const uint8_t index : byRegion) {
    const uint16_t region = table.endpoints[profile.firstEndpoint + index].region;
    if (region >= regions.size()) {
      continue;  // makePolicy refuses such profiles; never index out of the region table
    }
    if (groups_.empty() || groups_.back().region != region) {
      const UnitVector v = unitVector(regions[region].latitude, regions[region].longitude);
      groupOf_[region] = static_cast<uint8_t>(groups_.size());
      groups_.push_back(Group{region, static_cast<uint8_t>(members_.size()), 0, v.x, v.y, v.z});
    }
    members_.push_back(index);
    ++groups_.back().count;
  }
}

uint8_t PerformancePolicy::closestGroup(const Context& ctx, const bool usable[],
                                        Selection& out) const noexcept {
  const ClientInfo& client = ctx.request.client;
  geo::Address address;
  if (!clientAddress(client, address)) {
    return kNoGroup;
  }
  // §2.4: the latency table ranks regions for the client's network, nearest first; the first
  // region with a candidate wins, the next closest when that one has none.
  if (ctx.table.latency != nullptr) {
    const geo::LatencyRow row = ctx.table.latency->find(address);
    widenScope(client, out, row.prefix);
    for (const geo::RegionLatency* e = row.begin; e != row.end; ++e) {
      const uint8_t group = e->region < groupOf_.size() ? groupOf_[e->region] : kNoGroup;
      if (group != kNoGroup && usable[group]) {
        return group;
      }
    }
  }
  // Without a latency row naming a usable region: great-circle distance from where the
  // geolocation database places the client.
  if (ctx.table.geo != nullptr) {
    const geo::Location location = ctx.table.geo->locate(address);
    widenScope(client, out, location.prefix);
    if (location.hasCoordinates) {
      const UnitVector c = unitVector(location.latitude, location.longitude);
      uint8_t best = kNoGroup;
      double bestDot = -2;  // below any cosine
      for (size_t g = 0; g < groups_.size(); ++g) {
        const double dot = c.x * groups_[g].x + c.y * groups_[g].y + c.z * groups_[g].z;
        if (usable[g] && dot > bestDot) {
          best = static_cast<uint8_t>(g);
          bestDot = dot;
        }
      }
      return best;
    }
  }
  return kNoGroup;
}

void PerformancePolicy::select(const Context& ctx, const Profile& profile,
                               Selection& out) const noexcept {
  const ClientInfo& client = ctx.request.client;
  Candidates candidates;
  findCandidates(ctx, profile, kAllKinds, candidates);
  const auto isCandidate = [&](uint32_t index) {
    return index < candidates.size && candidates.candidate[index];
  };

  // §2.8: a matching override is used only while its endpoint is healthy (a candidate, which
  // includes fail-open); otherwise latency routing applies as if there were no override.
  if (!overrides_.empty()) {
    const SubnetMap::Match match = overrides_.find(client);
    widenScope(client, out, match.prefix);
    if (match.index != kNone && isCandidate(match.index)) {
      addEndpoint(ctx, profile.firstEndpoint + match.index, out);
      return;
    }
  }

  bool usable[kMaxProfileEndpoints];
  for (size_t g = 0; g < groups_.size(); ++g) {
    usable[g] = false;
    for (uint8_t m = 0; m < groups_[g].count; ++m) {
      usable[g] = usable[g] || isCandidate(members_[groups_[g].first + m]);
    }
  }
  const uint8_t group = closestGroup(ctx, usable, out);

  if (group == kNoGroup) {
    // §2.4 does not say what a client that cannot be placed gets. Ours: the candidate with the
    // lowest priority number, like a Priority profile: deterministic and operator-controlled.
    for (const uint8_t index : order_) {
      if (isCandidate(index)) {
        addEndpoint(ctx, profile.firstEndpoint + index, out);
        return;
      }
    }
    return;
  }
  // §2.4: several candidates in the region share its traffic evenly, and the same source keeps
  // getting the same one: a hash of the client's scope block picks it, so every client the
  // answer's ECS scope covers is indeed given that answer.
  const Group& chosen = groups_[group];
  uint32_t count = 0;
  for (uint8_t m = 0; m < chosen.count; ++m) {
    count += isCandidate(members_[chosen.first + m]) ? 1 : 0;
  }
  uint32_t pick =
      count > 1
          ? static_cast<uint32_t>(clientHash(client, out.ecsScope, profile.firstEndpoint) % count)
          : 0;
  for (uint8_t m = 0; m < chosen.count; ++m) {
    const uint8_t index = members_[chosen.first + m];
    if (!isCandidate(index)) {
      continue;
    }
    if (pick == 0) {
      addEndpoint(ctx, profile.firstEndpoint + index, out);
      return;
    }
    --pick;
  }
}

}  // namespace tmdns::routing
