// Builds the Policy object for one compiled profile from its method and method-specific inputs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "geo/address.h"
#include "geo/geo_codes.h"
#include "routing/policy.h"

namespace tmdns::routing {

// What one endpoint brings beyond routing::Endpoint, already resolved to numbers.
struct EndpointInputs {
  // §1.4 `subnets` (CIDR, first-last, single address): the Subnet method's ranges (§2.7) and the
  // overrides of Geographic and Performance profiles (§2.8); ignored by other methods.
  std::vector<geo::AddressRange> subnets;
  // §2.5 geoMapping, as ids of geo::geoCodes(); used by Geographic only.
  std::vector<geo::GeoCodeId> geoCodes;
};

// Method-specific data that is not in Endpoint. Performance needs nothing here: its regions
// are Endpoint::region, the latency and geolocation data hang off the Table.
struct PolicyInputs {
  // One entry per endpoint of the profile, in order; missing entries mean "none".
  std::vector<EndpointInputs> endpoints;
  // §2.7 CONFLICT, decided per zone: the answer when a Subnet profile matches no range and has
  // no fallback endpoint, and when the matched endpoint is not healthy.
  Selection::Outcome subnetNoMatch = Selection::Outcome::kNoData;
  Selection::Outcome subnetUnhealthy = Selection::Outcome::kNxDomain;
};

// Returns the policy for table.profiles[id] (its endpoints already in table.endpoints), or
// nullptr with `error` set when the inputs cannot be compiled.
std::unique_ptr<const Policy> makePolicy(const Table& table, ProfileId id,
                                         const PolicyInputs& inputs, std::string& error);

}  // namespace tmdns::routing
