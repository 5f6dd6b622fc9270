// SubnetMap: compiles endpoint ranges with the overlap rule, looks up a client.
#include "routing/subnet_map.h"

#include <algorithm>

#include "routing/client.h"

namespace tmdns::routing {

namespace {

std::optional<geo::RangeTable> compileRanges(const PolicyInputs& inputs, const Endpoint* endpoints,
                                             uint32_t endpointCount, bool enabledOnly,
                                             SubnetMap::Rule rule, std::string& error) {
  geo::RangeTableBuilder builder;
  for (uint32_t i = 0; i < endpointCount && i < inputs.endpoints.size(); ++i) {
    if (enabledOnly && endpoints != nullptr && !endpoints[i].enabled) {
      continue;
    }
    for (const geo::AddressRange& range : inputs.endpoints[i].subnets) {
      if (range.first > range.last || range.last > geo::maxAddress(range.v6)) {
        error =
            "endpoint " + std::to_string(i) + " has a subnet whose first address is after its last";
        return std::nullopt;
      }
      builder.add(range, i, i);
    }
  }
  geo::RangeTableBuilder::Conflict conflict;
  std::optional<geo::RangeTable> table = builder.build(
      rule == SubnetMap::Rule::kDisjoint ? geo::RangeTableBuilder::Overlap::kDisjoint
                                         : geo::RangeTableBuilder::Overlap::kMostSpecific,
      conflict);
  if (!table) {
    if (conflict.tagA == conflict.tagB) {
      error = "endpoint " + std::to_string(conflict.tagA) + " has subnets that partially overlap";
    } else {
      error = "subnets of endpoints " + std::to_string(std::min(conflict.tagA, conflict.tagB)) +
              " and " + std::to_string(std::max(conflict.tagA, conflict.tagB)) + " overlap";
    }
    return std::nullopt;
  }
  return table;
}

}  // namespace

std::optional<SubnetMap> SubnetMap::build(const PolicyInputs& inputs, const Endpoint* endpoints,
                                          uint32_t endpointCount, Rule rule, std::string& error) {
  std::optional<geo::RangeTable> all =
      compileRanges(inputs, endpoints, endpointCount, false, rule, error);
  if (!all) {
    return std::nullopt;
  }
  SubnetMap map;
  map.table_ = std::move(*all);
  for (uint32_t i = 0; endpoints != nullptr && i < endpointCount; ++i) {
    if (!endpoints[i].enabled) {
      map.table_ = std::move(*compileRanges(inputs, endpoints, endpointCount, true, rule, error));
      break;
    }
  }
  return map;
}

SubnetMap::Match SubnetMap::find(const ClientInfo& client) const noexcept {
  geo::Address address;
  if (!clientAddress(client, address)) {
    return Match{};
  }
  const geo::RangeMatch match = table_.find(address);
  return Match{match.value == geo::kNoValue ? kNone : match.value, match.prefix};
}

}  // namespace tmdns::routing
