// The geographic code table: WORLD, regional groupings, countries and AU/CA/US states.
#include "geo/geo_codes.h"

#include <array>
#include <cctype>
#include <string>

namespace tmdns::geo {
namespace {

using L = GeoLevel;

// Copied from traffic-manager.md §2.5 (Azure's trafficManagerGeographicHierarchies/default).
// "NA" is Namibia, not GEO-NA; XE, XJ, XK and XS are Azure's non-ISO codes.
constexpr GeoCode kCodes[] = {
    {"WORLD", "", L::kWorld},
    {"GEO-EU", "WORLD", L::kRegion},  // Europe
    {"GEO-ME", "WORLD", L::kRegion},  // Middle East
    {"GEO-NA", "WORLD", L::kRegion},  // North/Central America, Caribbean
    {"GEO-AS", "WORLD", L::kRegion},  // Asia
    {"GEO-AF", "WORLD", L::kRegion},  // Africa
    {"GEO-AN", "WORLD", L::kRegion},  // Antarctica
    {"GEO-SA", "WORLD", L::kRegion},  // South America
    {"GEO-AP", "WORLD", L::kRegion},  // Australia / Pacific
    // GEO-EU
    {"AD", "GEO-EU", L::kCountry},
    {"AL", "GEO-EU", L::kCountry},
    {"AT", "GEO-EU", L::kCountry},
    {"AX", "GEO-EU", L::kCountry},
    {"BA", "GEO-EU", L::kCountry},
    {"BE", "GEO-EU", L::kCountry},
    {"BG", "GEO-EU", L::kCountry},
    {"BY", "GEO-EU", L::kCountry},
    {"CH", "GEO-EU", L::kCountry},
    {"CY", "GEO-EU", L::kCountry},
    {"CZ", "GEO-EU", L::kCountry},
    {"DE", "GEO-EU", L::kCountry},
    {"DK", "GEO-EU", L::kCountry},
    {"EE", "GEO-EU", L::kCountry},
    {"ES", "GEO-EU", L::kCountry},
    {"FI", "GEO-EU", L::kCountry},
    {"FO", "GEO-EU", L::kCountry},
    {"FR", "GEO-EU", L::kCountry},
    {"GB", "GEO-EU", L::kCountry},
    {"GG", "GEO-EU", L::kCountry},
    {"GI", "GEO-EU", L::kCountry},
    {"GR", "GEO-EU", L::kCountry},
    {"HR", "GEO-EU", L::kCountry},
    {"HU", "GEO-EU", L::kCountry},
    {"IE", "GEO-EU", L::kCountry},
    {"IM", "GEO-EU", L::kCountry},
    {"IS", "GEO-EU", L::kCountry},
    {"IT", "GEO-EU", L::kCountry},
    {"JE", "GEO-EU", L::kCountry},
    {"LI", "GEO-EU", L::kCountry},
    {"LT", "GEO-EU", L::kCountry},
    {"LU", "GEO-EU", L::kCountry},
    {"LV", "GEO-EU", L::kCountry},
    {"MC", "GEO-EU", L::kCountry},
    {"MD", "GEO-EU", L::kCountry},
    {"ME", "GEO-EU", L::kCountry},
    {"MK", "GEO-EU", L::kCountry},
    {"MT", "GEO-EU", L::kCountry},
    {"NL", "GEO-EU", L::kCountry},
    {"NO", "GEO-EU", L::kCountry},
    {"PL", "GEO-EU", L::kCountry},
    {"PT", "GEO-EU", L::kCountry},
    {"RO", "GEO-EU", L::kCountry},
    {"RS", "GEO-EU", L::kCountry},
    {"RU", "GEO-EU", L::kCountry},
    {"SE", "GEO-EU", L::kCountry},
    {"SI", "GEO-EU", L::kCountry},
    {"SJ", "GEO-EU", L::kCountry},
    {"SK", "GEO-EU", L::kCountry},
    {"SM", "GEO-EU", L::kCountry},
    {"UA", "GEO-EU", L::kCountry},
    {"VA", "GEO-EU", L::kCountry},
    {"XJ", "GEO-EU", L::kCountry},
    {"XK", "GEO-EU", L::kCountry},
    // GEO-ME
    {"AE", "GEO-ME", L::kCountry},
    {"BH", "GEO-ME", L::kCountry},
    {"IL", "GEO-ME", L::kCountry},
    {"IQ", "GEO-ME", L::kCountry},
    {"IR", "GEO-ME", L::kCountry},
    {"JO", "GEO-ME", L::kCountry},
    {"KW", "GEO-ME", L::kCountry},
    {"LB", "GEO-ME", L::kCountry},
    {"OM", "GEO-ME", L::kCountry},
    {"PS", "GEO-ME", L::kCountry},
    {"QA", "GEO-ME", L::kCountry},
    {"SY", "GEO-ME", L::kCountry},
    {"SA", "GEO-ME", L::kCountry},
    {"TR", "GEO-ME", L::kCountry},
    {"YE", "GEO-ME", L::kCountry},
    // GEO-NA
    {"AG", "GEO-NA", L::kCountry},
    {"AI", "GEO-NA", L::kCountry},
    {"AW", "GEO-NA", L::kCountry},
    {"BB", "GEO-NA", L::kCountry},
    {"BL", "GEO-NA", L::kCountry},
    {"BM", "GEO-NA", L::kCountry},
    {"BQ", "GEO-NA", L::kCountry},
    {"BS", "GEO-NA", L::kCountry},
    {"BZ", "GEO-NA", L::kCountry},
    {"CA", "GEO-NA", L::kCountry},
    {"CR", "GEO-NA", L::kCountry},
    {"CU", "GEO-NA", L::kCountry},
    {"CW", "GEO-NA", L::kCountry},
    {"DM", "GEO-NA", L::kCountry},
    {"DO", "GEO-NA", L::kCountry},
    {"GD", "GEO-NA", L::kCountry},
    {"GL", "GEO-NA", L::kCountry},
    {"GP", "GEO-NA", L::kCountry},
    {"GT", "GEO-NA", L::kCountry},
    {"HN", "GEO-NA", L::kCountry},
    {"HT", "GEO-NA", L::kCountry},
    {"JM", "GEO-NA", L::kCountry},
    {"KN", "GEO-NA", L::kCountry},
    {"KY", "GEO-NA", L::kCountry},
    {"LC", "GEO-NA", L::kCountry},
    {"MF", "GEO-NA", L::kCountry},
    {"MQ", "GEO-NA", L::kCountry},
    {"MS", "GEO-NA", L::kCountry},
    {"MX", "GEO-NA", L::kCountry},
    {"NI", "GEO-NA", L::kCountry},
    {"PA", "GEO-NA", L::kCountry},
    {"PM", "GEO-NA", L::kCountry},
    {"PR", "GEO-NA", L::kCountry},
    {"SV", "GEO-NA", L::kCountry},
    {"SX", "GEO-NA", L::kCountry},
    {"TC", "GEO-NA", L::kCountry},
    {"TT", "GEO-NA", L::kCountry},
    {"UM", "GEO-NA", L::kCountry},
    {"US", "GEO-NA", L::kCountry},
    {"VC", "GEO-NA", L::kCountry},
    {"VG", "GEO-NA", L::kCountry},
    {"VI", "GEO-NA", L::kCountry},
    {"XE", "GEO-NA", L::kCountry},
    {"XS", "GEO-NA", L::kCountry},
    // GEO-AS
    {"AF", "GEO-AS", L::kCountry},
    {"AM", "GEO-AS", L::kCountry},
    {"AZ", "GEO-AS", L::kCountry},
    {"BD", "GEO-AS", L::kCountry},
    {"BN", "GEO-AS", L::kCountry},
    {"BT", "GEO-AS", L::kCountry},
    {"CC", "GEO-AS", L::kCountry},
    {"CN", "GEO-AS", L::kCountry},
    {"CX", "GEO-AS", L::kCountry},
    {"GE", "GEO-AS", L::kCountry},
    {"HK", "GEO-AS", L::kCountry},
    {"ID", "GEO-AS", L::kCountry},
    {"IN", "GEO-AS", L::kCountry},
    {"IO", "GEO-AS", L::kCountry},
    {"JP", "GEO-AS", L::kCountry},
    {"KG", "GEO-AS", L::kCountry},
    {"KH", "GEO-AS", L::kCountry},
    {"KP", "GEO-AS", L::kCountry},
    {"KR", "GEO-AS", L::kCountry},
    {"KZ", "GEO-AS", L::kCountry},
    {"LA", "GEO-AS", L::kCountry},
    {"LK", "GEO-AS", L::kCountry},
    {"MM", "GEO-AS", L::kCountry},
    {"MN", "GEO-AS", L::kCountry},
    {"MO", "GEO-AS", L::kCountry},
    {"MV", "GEO-AS", L::kCountry},
    {"MY", "GEO-AS", L::kCountry},
    {"NP", "GEO-AS", L::kCountry},
    {"PH", "GEO-AS", L::kCountry},
    {"PK", "GEO-AS", L::kCountry},
    {"SG", "GEO-AS", L::kCountry},
    {"TH", "GEO-AS", L::kCountry},
    {"TJ", "GEO-AS", L::kCountry},
    {"TL", "GEO-AS", L::kCountry},
    {"TM", "GEO-AS", L::kCountry},
    {"TW", "GEO-AS", L::kCountry},
    {"UZ", "GEO-AS", L::kCountry},
    {"VN", "GEO-AS", L::kCountry},
    // GEO-AF
    {"AO", "GEO-AF", L::kCountry},
    {"BF", "GEO-AF", L::kCountry},
    {"BI", "GEO-AF", L::kCountry},
    {"BJ", "GEO-AF", L::kCountry},
    {"BV", "GEO-AF", L::kCountry},
    {"BW", "GEO-AF", L::kCountry},
    {"CD", "GEO-AF", L::kCountry},
    {"CF", "GEO-AF", L::kCountry},
    {"CI", "GEO-AF", L::kCountry},
    {"CM", "GEO-AF", L::kCountry},
    {"CV", "GEO-AF", L::kCountry},
    {"DJ", "GEO-AF", L::kCountry},
    {"DZ", "GEO-AF", L::kCountry},
    {"EG", "GEO-AF", L::kCountry},
    {"ER", "GEO-AF", L::kCountry},
    {"ET", "GEO-AF", L::kCountry},
    {"GA", "GEO-AF", L::kCountry},
    {"GH", "GEO-AF", L::kCountry},
    {"GM", "GEO-AF", L::kCountry},
    {"GN", "GEO-AF", L::kCountry},
    {"GQ", "GEO-AF", L::kCountry},
    {"GW", "GEO-AF", L::kCountry},
    {"KE", "GEO-AF", L::kCountry},
    {"KM", "GEO-AF", L::kCountry},
    {"LR", "GEO-AF", L::kCountry},
    {"LS", "GEO-AF", L::kCountry},
    {"LY", "GEO-AF", L::kCountry},
    {"MA", "GEO-AF", L::kCountry},
    {"MG", "GEO-AF", L::kCountry},
    {"ML", "GEO-AF", L::kCountry},
    {"MR", "GEO-AF", L::kCountry},
    {"MU", "GEO-AF", L::kCountry},
    {"MW", "GEO-AF", L::kCountry},
    {"MZ", "GEO-AF", L::kCountry},
    {"NA", "GEO-AF", L::kCountry},
    {"NE", "GEO-AF", L::kCountry},
    {"NG", "GEO-AF", L::kCountry},
    {"RE", "GEO-AF", L::kCountry},
    {"RW", "GEO-AF", L::kCountry},
    {"SC", "GEO-AF", L::kCountry},
    {"SD", "GEO-AF", L::kCountry},
    {"SH", "GEO-AF", L::kCountry},
    {"SL", "GEO-AF", L::kCountry},
    {"SN", "GEO-AF", L::kCountry},
    {"SO", "GEO-AF", L::kCountry},
    {"SS", "GEO-AF", L::kCountry},
    {"ST", "GEO-AF", L::kCountry},
    {"SZ", "GEO-AF", L::kCountry},
    {"TD", "GEO-AF", L::kCountry},
    {"TF", "GEO-AF", L::kCountry},
    {"TG", "GEO-AF", L::kCountry},
    {"TN", "GEO-AF", L::kCountry},
    {"TZ", "GEO-AF", L::kCountry},
    {"UG", "GEO-AF", L::kCountry},
    {"YT", "GEO-AF", L::kCountry},
    {"ZA", "GEO-AF", L::kCountry},
    {"ZM", "GEO-AF", L::kCountry},
    {"ZW", "GEO-AF", L::kCountry},
    // GEO-AN
    {"AQ", "GEO-AN", L::kCountry},
    // GEO-SA
    {"AR", "GEO-SA", L::kCountry},
    {"BO", "GEO-SA", L::kCountry},
    {"BR", "GEO-SA", L::kCountry},
    {"CL", "GEO-SA", L::kCountry},
    {"CO", "GEO-SA", L::kCountry},
    {"EC", "GEO-SA", L::kCountry},
    {"FK", "GEO-SA", L::kCountry},
    {"GF", "GEO-SA", L::kCountry},
    {"GS", "GEO-SA", L::kCountry},
    {"GY", "GEO-SA", L::kCountry},
    {"PE", "GEO-SA", L::kCountry},
    {"PY", "GEO-SA", L::kCountry},
    {"SR", "GEO-SA", L::kCountry},
    {"UY", "GEO-SA", L::kCountry},
    {"VE", "GEO-SA", L::kCountry},
    // GEO-AP
    {"AS", "GEO-AP", L::kCountry},
    {"AU", "GEO-AP", L::kCountry},
    {"CK", "GEO-AP", L::kCountry},
    {"FJ", "GEO-AP", L::kCountry},
    {"FM", "GEO-AP", L::kCountry},
    {"GU", "GEO-AP", L::kCountry},
    {"HM", "GEO-AP", L::kCountry},
    {"KI", "GEO-AP", L::kCountry},
    {"MH", "GEO-AP", L::kCountry},
    {"MP", "GEO-AP", L::kCountry},
    {"NC", "GEO-AP", L::kCountry},
    {"NF", "GEO-AP", L::kCountry},
    {"NR", "GEO-AP", L::kCountry},
    {"NU", "GEO-AP", L::kCountry},
    {"NZ", "GEO-AP", L::kCountry},
    {"PF", "GEO-AP", L::kCountry},
    {"PG", "GEO-AP", L::kCountry},
    {"PN", "GEO-AP", L::kCountry},
    {"PW", "GEO-AP", L::kCountry},
    {"SB", "GEO-AP", L::kCountry},
    {"TK", "GEO-AP", L::kCountry},
    {"TO", "GEO-AP", L::kCountry},
    {"TV", "GEO-AP", L::kCountry},
    {"VU", "GEO-AP", L::kCountry},
    {"WF", "GEO-AP", L::kCountry},
    {"WS", "GEO-AP", L::kCountry},
    // US
    {"US-AK", "US", L::kState},
    {"US-AL", "US", L::kState},
    {"US-AR", "US", L::kState},
    {"US-AZ", "US", L::kState},
    {"US-CA", "US", L::kState},
    {"US-CO", "US", L::kState},
    {"US-CT", "US", L::kState},
    {"US-DC", "US", L::kState},
    {"US-DE", "US", L::kState},
    {"US-FL", "US", L::kState},
    {"US-GA", "US", L::kState},
    {"US-HI", "US", L::kState},
    {"US-IA", "US", L::kState},
    {"US-ID", "US", L::kState},
    {"US-IL", "US", L::kState},
    {"US-IN", "US", L::kState},
    {"US-KS", "US", L::kState},
    {"US-KY", "US", L::kState},
    {"US-LA", "US", L::kState},
    {"US-MA", "US", L::kState},
    {"US-MD", "US", L::kState},
    {"US-ME", "US", L::kState},
    {"US-MI", "US", L::kState},
    {"US-MN", "US", L::kState},
    {"US-MO", "US", L::kState},
    {"US-MS", "US", L::kState},
    {"US-MT", "US", L::kState},
    {"US-NC", "US", L::kState},
    {"US-ND", "US", L::kState},
    {"US-NE", "US", L::kState},
    {"US-NH", "US", L::kState},
    {"US-NJ", "US", L::kState},
    {"US-NM", "US", L::kState},
    {"US-NV", "US", L::kState},
    {"US-NY", "US", L::kState},
    {"US-OH", "US", L::kState},
    {"US-OK", "US", L::kState},
    {"US-OR", "US", L::kState},
    {"US-PA", "US", L::kState},
    {"US-RI", "US", L::kState},
    {"US-SC", "US", L::kState},
    {"US-SD", "US", L::kState},
    {"US-TN", "US", L::kState},
    {"US-TX", "US", L::kState},
    {"US-UT", "US", L::kState},
    {"US-VA", "US", L::kState},
    {"US-VT", "US", L::kState},
    {"US-WA", "US", L::kState},
    {"US-WI", "US", L::kState},
    {"US-WV", "US", L::kState},
    {"US-WY", "US", L::kState},
    // CA
    {"CA-AB", "CA", L::kState},
    {"CA-BC", "CA", L::kState},
    {"CA-MB", "CA", L::kState},
    {"CA-NB", "CA", L::kState},
    {"CA-NL", "CA", L::kState},
    {"CA-NS", "CA", L::kState},
    {"CA-NT", "CA", L::kState},
    {"CA-NU", "CA", L::kState},
    {"CA-ON", "CA", L::kState},
    {"CA-PE", "CA", L::kState},
    {"CA-QC", "CA", L::kState},
    {"CA-SK", "CA", L::kState},
    {"CA-YT", "CA", L::kState},
    // AU
    {"AU-ACT", "AU", L::kState},
    {"AU-NSW", "AU", L::kState},
    {"AU-NT", "AU", L::kState},
    {"AU-QLD", "AU", L::kState},
    {"AU-SA", "AU", L::kState},
    {"AU-TAS", "AU", L::kState},
    {"AU-VIC", "AU", L::kState},
    {"AU-WA", "AU", L::kState},
};

constexpr size_t kCount = std::size(kCodes);
static_assert(kCount < kNoGeoCode, "ids must fit GeoCodeId");

constexpr GeoCodeId indexOf(std::string_view code) {
  for (size_t i = 0; i < kCount; ++i) {
    if (kCodes[i].code == code) {
      return static_cast<GeoCodeId>(i);
    }
  }
  return kNoGeoCode;
}

// Resolved at compile time so that the query path walks the hierarchy by array lookups only.
constexpr std::array<GeoCodeId, kCount> computeParents() {
  std::array<GeoCodeId, kCount> out{};
  for (size_t i = 0; i < kCount; ++i) {
    out[i] = kCodes[i].parent.empty() ? kNoGeoCode : indexOf(kCodes[i].parent);
  }
  return out;
}
constexpr std::array<GeoCodeId, kCount> kParents = computeParents();

constexpr bool parentsResolve() {
  for (size_t i = 0; i < kCount; ++i) {
    if (!kCodes[i].parent.empty() && kParents[i] == kNoGeoCode) {
      return false;
    }
  }
  return true;
}
static_assert(kCodes[kWorldCode].level == GeoLevel::kWorld, "WORLD has id 0");
static_assert(parentsResolve(), "every parent code is in the table");

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::span<const GeoCode> geoCodes() noexcept {
  return kCodes;
}

const GeoCode* findGeoCode(std::string_view code) noexcept {
  const GeoCodeId id = geoCodeId(code);
  return id == kNoGeoCode ? nullptr : &kCodes[id];
}

GeoCodeId geoCodeId(std::string_view code) noexcept {
  return indexOf(code);
}

GeoCodeId parentOf(GeoCodeId id) noexcept {
  return id < kCount ? kParents[id] : kNoGeoCode;
}

GeoCodeId countryCodeId(std::string_view iso2) noexcept {
  if (iso2.size() != 2) {
    return kNoGeoCode;
  }
  const char code[2] = {static_cast<char>(std::toupper(static_cast<unsigned char>(iso2[0]))),
                        static_cast<char>(std::toupper(static_cast<unsigned char>(iso2[1])))};
  const GeoCodeId id = indexOf(std::string_view(code, 2));
  return id != kNoGeoCode && kCodes[id].level == GeoLevel::kCountry ? id : kNoGeoCode;
}

GeoCodeId subdivisionCodeId(GeoCodeId country, std::string_view subdivision) noexcept {
  if (country >= kCount || kCodes[country].level != GeoLevel::kCountry || subdivision.empty() ||
      subdivision.size() > 3) {
    return kNoGeoCode;
  }
  const std::string code = std::string(kCodes[country].code) + "-" + upper(subdivision);
  const GeoCodeId id = indexOf(code);
  return id != kNoGeoCode && kParents[id] == country ? id : kNoGeoCode;
}

}  // namespace tmdns::geo
