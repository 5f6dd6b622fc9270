// Endpoints' `subnets` compiled into one lookup: Subnet routing (§2.7) and overrides (§2.8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "geo/range_table.h"
#include "routing/policy.h"
#include "routing/policy_factory.h"

namespace tmdns::routing {

class SubnetMap {
 public:
  struct Match {
    uint32_t index = kNone;  // the endpoint owning the client's address, within the profile
    uint8_t prefix = 0;      // the block around the address that matches alike (RFC 7871 scope)
  };

  enum class Rule {
    // Subnet routing (§1.5, §2.7): two endpoints' ranges never share an address (one endpoint's
    // own ranges may overlap).
    kDisjoint,
    // Overrides (§2.8): one endpoint's range may lie inside another's and the innermost wins,
    // like a routing table; ranges that cross, or one range on two endpoints, are refused.
    kNested,
  };

  // Ranges of `inputs.endpoints[0..endpointCount)`; nullopt with `error` when `rule` is broken.
  // The rule is checked over every endpoint, but the ranges of endpoints disabled in
  // `endpoints` (the profile's compiled endpoints) are left out of the lookup: a Disabled
  // endpoint is as if it and its ranges did not exist (§2.7), so they must not narrow the ECS
  // scope of anyone's answer either. Disabled only changes with a reload, which recompiles.
  static std::optional<SubnetMap> build(const PolicyInputs& inputs, const Endpoint* endpoints,
                                        uint32_t endpointCount, Rule rule, std::string& error);

  // A client without an address matches nothing, with prefix 0.
  Match find(const ClientInfo& client) const noexcept;

  bool empty() const noexcept { return table_.empty(); }

 private:
  geo::RangeTable table_;
};

}  // namespace tmdns::routing
