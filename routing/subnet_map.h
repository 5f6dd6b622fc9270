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
  static std::optional<SubnetMap> build(const PolicyInputs& inputs, uint32_t endpointCount,
                                        Rule rule, std::string& error);

  // A client without an address matches nothing, with prefix 0.
  Match find(const ClientInfo& client) const noexcept;

  bool empty() const noexcept { return table_.empty(); }

 private:
  geo::RangeTable table_;
};

}  // namespace tmdns::routing
