// Traffic Manager's geographic hierarchy (traffic-manager.md §2.5): the one code table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace tmdns::geo {

// Index of a code in geoCodes(); stable for one build of tmdns.
using GeoCodeId = uint16_t;
inline constexpr GeoCodeId kNoGeoCode = UINT16_MAX;
inline constexpr GeoCodeId kWorldCode = 0;

enum class GeoLevel : uint8_t { kWorld, kRegion, kCountry, kState };

struct GeoCode {
  std::string_view code;    // as Azure writes it: "WORLD", "GEO-EU", "DE", "US-CA", "AU-NSW"
  std::string_view parent;  // the enclosing code; "" for WORLD
  GeoLevel level;
};

// Every code, WORLD first (id 0), then the regional groupings, countries and states; a code's
// id is its index here.
std::span<const GeoCode> geoCodes() noexcept;

// The entry for `code` (exact, upper-case spelling), or nullptr when Azure does not know it.
const GeoCode* findGeoCode(std::string_view code) noexcept;

// The id of `code` (exact, upper-case spelling), or kNoGeoCode.
GeoCodeId geoCodeId(std::string_view code) noexcept;

// The enclosing code: state → country → grouping → WORLD → kNoGeoCode. Query-path safe.
GeoCodeId parentOf(GeoCodeId id) noexcept;

// The country with this ISO 3166-1 alpha-2 code (any case), or kNoGeoCode when Azure's hierarchy
// does not list it.
GeoCodeId countryCodeId(std::string_view iso2) noexcept;

// The state/province `subdivision` (ISO 3166-2 without the country prefix, any case: "CA" for
// California) of `country`, or kNoGeoCode when the hierarchy has no such state (§2.5 lists
// states only for AU, CA and US).
GeoCodeId subdivisionCodeId(GeoCodeId country, std::string_view subdivision) noexcept;

}  // namespace tmdns::geo
