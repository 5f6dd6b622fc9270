// Test helpers for routing: hand-built tables with compiled policies, injected health, routing.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing/health_table.h"
#include "routing/policy_factory.h"
#include "routing/router.h"
#include "util/rng.h"

namespace tmdns::routing::testing {

// Builds a Table the way the config compiler lays it out: each profile's endpoints contiguous,
// in configuration order. Children must be added before the parents that name them.
class TableBuilder {
 public:
  ProfileId addProfile(Profile profile, const std::vector<Endpoint>& endpoints) {
    const auto id = static_cast<ProfileId>(table_.profiles.size());
    profile.firstEndpoint = static_cast<EndpointId>(table_.endpoints.size());
    profile.endpointCount = static_cast<uint32_t>(endpoints.size());
    for (Endpoint e : endpoints) {
      e.profile = id;
      table_.endpoints.push_back(e);
    }
    table_.profiles.push_back(profile);
    return id;
  }

  // Compiles every profile's policy; a test table must compile cleanly.
  Table build() {
    for (ProfileId id = 0; id < table_.profiles.size(); ++id) {
      std::string error;
      auto policy = makePolicy(table_, id, PolicyInputs{}, error);
      EXPECT_NE(policy, nullptr) << "profile " << id << ": " << error;
      EXPECT_EQ(error, "");
      table_.profiles[id].policy = policy.get();
      table_.policies.push_back(std::move(policy));
    }
    return std::move(table_);
  }

 private:
  Table table_;
};

inline Profile priorityProfile() {
  return Profile{.method = Method::kPriority};
}
inline Profile weightedProfile() {
  return Profile{.method = Method::kWeighted};
}
inline Profile multiValueProfile(uint16_t maxReturn) {
  return Profile{.method = Method::kMultiValue, .maxReturn = maxReturn};
}

inline Endpoint nameEndpoint(uint16_t priority = 1, uint16_t weight = 1) {
  return Endpoint{.kind = TargetKind::kName, .weight = weight, .priority = priority};
}
inline Endpoint v4Endpoint() {
  return Endpoint{.kind = TargetKind::kIPv4};
}
inline Endpoint v6Endpoint() {
  return Endpoint{.kind = TargetKind::kIPv6};
}
inline Endpoint nestedEndpoint(ProfileId child, uint16_t priority = 1, uint16_t minChild = 1) {
  return Endpoint{
      .kind = TargetKind::kNested, .priority = priority, .child = child, .minChild = minChild};
}

// Probe results for every endpoint of a table; Online unless set.
struct Health {
  explicit Health(const Table& table) {
    table_.status.assign(table.endpoints.size(), MonitorStatus::kOnline);
  }
  void set(EndpointId id, MonitorStatus status) { table_.status[id] = status; }
  HealthView view() const { return table_.view(); }
  HealthTable table_;
};

inline Selection routeOnce(const Table& table, const Health& health, ProfileId profile,
                           util::Rng& rng, Family family = Family::kAny) {
  Request request;
  request.family = family;
  const Context ctx{table, health.view(), request, rng};
  Selection out;
  route(ctx, profile, out);
  return out;
}

inline MonitorStatus statusOf(const Table& table, const Health& health, EndpointId id,
                              Family family = Family::kAny) {
  Request request;
  request.family = family;
  util::Rng rng(1);
  const Context ctx{table, health.view(), request, rng};
  return effectiveStatus(ctx, id);
}

inline std::vector<EndpointId> endpointsOf(const Selection& s) {
  return std::vector<EndpointId>(s.endpoints, s.endpoints + s.count);
}

}  // namespace tmdns::routing::testing
