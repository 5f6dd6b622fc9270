// Traffic Manager's geographic hierarchy (traffic-manager.md §2.5) as a compiled table.
#pragma once

#include <span>
#include <string_view>

namespace tmdns::config {

enum class GeoLevel { kWorld, kRegion, kCountry, kState };

struct GeoCode {
  std::string_view code;    // as Azure writes it: "WORLD", "GEO-EU", "DE", "US-CA", "AU-NSW"
  std::string_view parent;  // the enclosing code; "" for WORLD
  GeoLevel level;
};

// Every code, WORLD first, then regional groupings, countries and states.
std::span<const GeoCode> geoCodes();

// The entry for `code` (exact, upper-case spelling), or nullptr when Azure does not know it.
const GeoCode* findGeoCode(std::string_view code);

}  // namespace tmdns::config
