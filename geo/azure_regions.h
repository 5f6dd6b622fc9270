// The built-in table of Azure regions: endpointLocation names, ids and coordinates (§2.4).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tmdns::geo {

// Index of a region in azureRegions(); routing::Endpoint::region holds it.
using RegionId = uint16_t;
inline constexpr RegionId kNoRegionId = UINT16_MAX;

struct AzureRegion {
  std::string_view name;  // display name as Azure writes endpointLocation: "West Europe"
  double latitude;        // degrees north
  double longitude;       // degrees east
};

std::span<const AzureRegion> azureRegions() noexcept;

// The region named `name`, comparing without case and whitespace, so "West Europe",
// "westeurope" and "WEST EUROPE" are one region; kNoRegionId when unknown. Load time only.
RegionId findRegion(std::string_view name);

// The known display name closest to `name` (edit distance on the normalised spelling), for
// "did you mean" messages. Load time only.
std::string closestRegionName(std::string_view name);

// Great-circle distance in kilometres between two points given in degrees.
double greatCircleKm(double lat1, double lon1, double lat2, double lon2) noexcept;

}  // namespace tmdns::geo
