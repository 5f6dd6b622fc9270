// makePolicy: checks what the query path relies on, then builds the profile's policy object.
#include "routing/policy_factory.h"

#include <vector>

#include "geo/azure_regions.h"
#include "geo/geo_codes.h"
#include "routing/geographic.h"
#include "routing/multivalue.h"
#include "routing/performance.h"
#include "routing/priority.h"
#include "routing/subnet.h"
#include "routing/weighted.h"

namespace tmdns::routing {
namespace {

const EndpointInputs& inputsOf(const PolicyInputs& inputs, uint32_t index) {
  static const EndpointInputs kNothing;
  return index < inputs.endpoints.size() ? inputs.endpoints[index] : kNothing;
}

std::unique_ptr<const Policy> makeSubnet(const Table& table, const Profile& profile,
                                         const PolicyInputs& inputs, std::string& error) {
  std::optional<SubnetMap> map =
      SubnetMap::build(inputs, table.endpoints.data() + profile.firstEndpoint,
                       profile.endpointCount, SubnetMap::Rule::kDisjoint, error);
  if (!map) {
    return nullptr;
  }
  // §2.7 makes the endpoint without ranges the fallback; §7 leaves open whether there may be
  // two. With two, which one answers would be arbitrary, so the configuration is refused.
  uint32_t fallback = kNone;
  for (uint32_t i = 0; i < profile.endpointCount; ++i) {
    if (!inputsOf(inputs, i).subnets.empty()) {
      continue;
    }
    if (fallback != kNone) {
      error = "Subnet routing allows one endpoint without subnets (the fallback), endpoints " +
              std::to_string(fallback) + " and " + std::to_string(i) + " have none";
      return nullptr;
    }
    fallback = i;
  }
  return std::make_unique<SubnetPolicy>(std::move(*map), fallback, inputs.subnetNoMatch,
                                        inputs.subnetUnhealthy);
}

std::unique_ptr<const Policy> makeGeographic(const Table& table, const Profile& profile,
                                             const PolicyInputs& inputs, std::string& error) {
  std::optional<SubnetMap> overrides =
      SubnetMap::build(inputs, table.endpoints.data() + profile.firstEndpoint,
                       profile.endpointCount, SubnetMap::Rule::kNested, error);
  if (!overrides) {
    return nullptr;
  }
  const size_t codeCount = geo::geoCodes().size();
  std::vector<uint8_t> mapping(codeCount, GeographicPolicy::kUnmapped);
  for (uint32_t i = 0; i < profile.endpointCount; ++i) {
    for (const geo::GeoCodeId code : inputsOf(inputs, i).geoCodes) {
      if (code >= codeCount) {
        error = "endpoint " + std::to_string(i) + " maps an unknown geographic code id " +
                std::to_string(code);
        return nullptr;
      }
      // §1.5: a code may be mapped to only one endpoint of the profile.
      if (mapping[code] != GeographicPolicy::kUnmapped && mapping[code] != i) {
        error = "geographic code " + std::string(geo::geoCodes()[code].code) +
                " is mapped to endpoints " + std::to_string(mapping[code]) + " and " +
                std::to_string(i);
        return nullptr;
      }
      mapping[code] = static_cast<uint8_t>(i);
    }
  }
  return std::make_unique<GeographicPolicy>(std::move(mapping), std::move(*overrides));
}

std::unique_ptr<const Policy> makePerformance(const Table& table, const Profile& profile,
                                              const PolicyInputs& inputs, std::string& error) {
  // §2.4: every endpoint needs a region (endpointLocation) for latency routing to rank it.
  for (uint32_t i = 0; i < profile.endpointCount; ++i) {
    if (table.endpoints[profile.firstEndpoint + i].region >= geo::azureRegions().size()) {
      error = "Performance routing needs an Azure region on every endpoint, endpoint " +
              std::to_string(i) + " has none";
      return nullptr;
    }
  }
  std::optional<SubnetMap> overrides =
      SubnetMap::build(inputs, table.endpoints.data() + profile.firstEndpoint,
                       profile.endpointCount, SubnetMap::Rule::kNested, error);
  if (!overrides) {
    return nullptr;
  }
  return std::make_unique<PerformancePolicy>(table, profile, std::move(*overrides));
}

}  // namespace

std::unique_ptr<const Policy> makePolicy(const Table& table, ProfileId id,
                                         const PolicyInputs& inputs, std::string& error) {
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
    case Method::kPerformance:
      return makePerformance(table, profile, inputs, error);
    case Method::kGeographic:
      return makeGeographic(table, profile, inputs, error);
    case Method::kSubnet:
      return makeSubnet(table, profile, inputs, error);
  }
  error = "unknown routing method";
  return nullptr;
}

}  // namespace tmdns::routing
