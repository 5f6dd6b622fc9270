// Azure region names and coordinates, and name matching with a closest-name suggestion.
#include "geo/azure_regions.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

namespace tmdns::geo {
namespace {

// Public regions with the coordinates Azure publishes in its location metadata
// (`az account list-locations`); for regions listed there without coordinates, the city the
// region is named after. §2.4 only needs "which region is nearer", so metro precision suffices.
constexpr AzureRegion kRegions[] = {
    // Americas
    {"East US", 37.3719, -79.8164},
    {"East US 2", 36.6681, -78.3889},
    {"Central US", 41.5908, -93.6208},
    {"North Central US", 41.8819, -87.6278},
    {"South Central US", 29.4167, -98.5},
    {"West Central US", 40.890, -110.234},
    {"West US", 37.783, -122.417},
    {"West US 2", 47.233, -119.852},
    {"West US 3", 33.448376, -112.074036},
    {"Canada Central", 43.653, -79.383},
    {"Canada East", 46.817, -71.217},
    {"Brazil South", -23.55, -46.633},
    {"Brazil Southeast", -22.90278, -43.2075},
    {"Mexico Central", 20.588818, -100.389888},
    {"Chile Central", -33.4489, -70.6693},
    {"Central US EUAP", 41.5908, -93.6208},
    {"East US 2 EUAP", 36.6681, -78.3889},
    // Europe
    {"North Europe", 53.3478, -6.2597},
    {"West Europe", 52.3667, 4.9},
    {"UK South", 50.941, -0.799},
    {"UK West", 53.427, -3.084},
    {"France Central", 46.3772, 2.373},
    {"France South", 43.8345, 2.1972},
    {"Germany West Central", 50.110924, 8.682127},
    {"Germany North", 53.073635, 8.806422},
    {"Switzerland North", 47.451542, 8.564572},
    {"Switzerland West", 46.204391, 6.143158},
    {"Norway East", 59.913868, 10.752245},
    {"Norway West", 58.969975, 5.733107},
    {"Sweden Central", 60.67488, 17.14127},
    {"Poland Central", 52.23334, 21.01666},
    {"Italy North", 45.46888, 9.18109},
    {"Spain Central", 40.4259, -3.4507},
    {"Austria East", 48.2082, 16.3738},
    {"Belgium Central", 50.8503, 4.3517},
    {"Denmark East", 55.6761, 12.5683},
    // Middle East and Africa
    {"UAE North", 25.266666, 55.316666},
    {"UAE Central", 24.466667, 54.366669},
    {"Qatar Central", 25.551462, 51.439327},
    {"Israel Central", 31.2655698, 33.4506633},
    {"South Africa North", -25.73134, 28.21837},
    {"South Africa West", -34.075691, 18.843266},
    // Asia Pacific
    {"East Asia", 22.267, 114.188},
    {"Southeast Asia", 1.283, 103.833},
    {"Japan East", 35.68, 139.77},
    {"Japan West", 34.6939, 135.5022},
    {"Korea Central", 37.5665, 126.978},
    {"Korea South", 35.1796, 129.0756},
    {"Central India", 18.5822, 73.9197},
    {"South India", 12.9822, 80.1636},
    {"West India", 19.088, 72.868},
    {"Jio India West", 22.470701, 70.05773},
    {"Jio India Central", 21.146633, 79.08886},
    {"Australia East", -33.86, 151.2094},
    {"Australia Southeast", -37.8136, 144.9631},
    {"Australia Central", -35.3075, 149.1244},
    {"Australia Central 2", -35.3075, 149.1244},
    {"New Zealand North", -36.84853, 174.76349},
    {"Indonesia Central", -6.2088, 106.8456},
    {"Malaysia West", 3.139, 101.6869},
    {"Malaysia South", 1.4927, 103.7414},
    {"Taiwan North", 25.033, 121.5654},
    // Sovereign clouds (US Government, China)
    {"US Gov Virginia", 37.3719, -79.8164},
    {"US Gov Arizona", 33.4484, -112.074},
    {"US Gov Texas", 29.4241, -98.4936},
    {"US DoD East", 36.6676, -78.3875},
    {"US DoD Central", 41.6005, -93.6091},
    {"China East", 31.2304, 121.4737},
    {"China East 2", 31.2304, 121.4737},
    {"China East 3", 31.2304, 121.4737},
    {"China North", 39.9042, 116.4074},
    {"China North 2", 39.9042, 116.4074},
    {"China North 3", 38.0428, 114.5149},
};
static_assert(std::size(kRegions) < kNoRegionId, "ids must fit RegionId");

// Azure accepts both the display name and the programmatic one ("West Europe", "westeurope").
std::string normalise(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const AzureRegion> azureRegions() noexcept {
  return kRegions;
}

RegionId findRegion(std::string_view name) {
  const std::string key = normalise(name);
  for (size_t i = 0; i < std::size(kRegions); ++i) {
    if (normalise(kRegions[i].name) == key) {
      return static_cast<RegionId>(i);
    }
  }
  return kNoRegionId;
}

std::string closestRegionName(std::string_view name) {
  const std::string key = normalise(name);
  size_t best = 0;
  size_t bestDistance = SIZE_MAX;
  for (size_t i = 0; i < std::size(kRegions); ++i) {
    const size_t d = editDistance(key, normalise(kRegions[i].name));
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  }
  return std::string(kRegions[best].name);
}

double greatCircleKm(double lat1, double lon1, double lat2, double lon2) noexcept {
  // Haversine formula on a sphere of the Earth's mean radius.
  constexpr double kEarthRadiusKm = 6371.0;
  constexpr double kRadians = M_PI / 180.0;
  const double dLat = (lat2 - lat1) * kRadians;
  const double dLon = (lon2 - lon1) * kRadians;
  const double a = std::sin(dLat / 2) * std::sin(dLat / 2) +
                   std::cos(lat1 * kRadians) * std::cos(lat2 * kRadians) * std::sin(dLon / 2) *
                       std::sin(dLon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace tmdns::geo
