// makePolicy: checks what the query path relies on, then builds the profile's policy object.
#include "routing/policy_factory.h"

#include "routing/multivalue.h"
#include "routing/priority.h"
#include "routing/weighted.h"

namespace tmdns::routing {

std::unique_ptr<const Policy> makePolicy(const Table& table, ProfileId id,
                                         const PolicyInputs& /*inputs*/, std::string& error) {
  if (id >= table.profiles.size()) {
    error = "profile id " + std::to_string(id) + " is not in the table";
    return nullptr;
  }
  const Profile& profile = table.profiles[id];
  if (profile.firstEndpoint > table.endpoints.size() ||
      profile.endpointCount > table.endpoints.size() - profile.firstEndpoint) {
    error = "endpoints of the profile are not in the table";
    return nullptr;
  }
  // §6: the query path keeps per-profile scratch arrays of this size on the stack.
  if (profile.endpointCount > kMaxProfileEndpoints) {
    error = "a profile has at most " + std::to_string(kMaxProfileEndpoints) + " endpoints, got " +
            std::to_string(profile.endpointCount);
    return nullptr;
  }
  switch (profile.method) {
    case Method::kPriority:
      return std::make_unique<PriorityPolicy>(table, profile);
    case Method::kWeighted:
      // §1.4: weights are 1..1000; a zero weight would make the endpoint unreachable silently.
      for (uint32_t i = 0; i < profile.endpointCount; ++i) {
        if (table.endpoints[profile.firstEndpoint + i].weight == 0) {
          error = "Weighted routing needs every endpoint weight in 1..1000, endpoint " +
                  std::to_string(i) + " has 0";
          return nullptr;
        }
      }
      return std::make_unique<WeightedPolicy>();
    case Method::kMultiValue:
      // §2.6, §6: maxReturn is required; the control plane allows 1..8, the FAQ 10.
      if (profile.maxReturn < 1 || profile.maxReturn > kMaxSelected) {
        error = "MultiValue routing needs maxReturn in 1.." + std::to_string(kMaxSelected) +
                ", got " + std::to_string(profile.maxReturn);
        return nullptr;
      }
      return std::make_unique<MultiValuePolicy>();
    // Client-aware methods arrive with a later issue; until then the config is refused.
    case Method::kPerformance:
      error = "Performance routing is not implemented yet";
      return nullptr;
    case Method::kGeographic:
      error = "Geographic routing is not implemented yet";
      return nullptr;
    case Method::kSubnet:
      error = "Subnet routing is not implemented yet";
      return nullptr;
  }
  error = "unknown routing method";
  return nullptr;
}

}  // namespace tmdns::routing
