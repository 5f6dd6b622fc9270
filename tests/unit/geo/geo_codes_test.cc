// Unit tests for the geographic code table (§2.5): contents, hierarchy, lookups by ISO code.
#include "geo/geo_codes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace tmdns::geo {
namespace {

std::vector<std::string> chain(std::string_view code) {
  std::vector<std::string> out;
  for (GeoCodeId id = geoCodeId(code); id != kNoGeoCode; id = parentOf(id)) {
    out.emplace_back(geoCodes()[id].code);
  }
  return out;
}

TEST(GeoCodes, CountsPerLevel) {
  int world = 0, regions = 0, countries = 0, states = 0;
  std::set<std::string_view> unique;
  for (const GeoCode& code : geoCodes()) {
    unique.insert(code.code);
    switch (code.level) {
      case GeoLevel::kWorld:
        ++world;
        break;
      case GeoLevel::kRegion:
        ++regions;
        break;
      case GeoLevel::kCountry:
        ++countries;
        break;
      case GeoLevel::kState:
        ++states;
        break;
    }
  }
  EXPECT_EQ(world, 1);
  EXPECT_EQ(regions, 8);
  EXPECT_EQ(countries, 251);
  EXPECT_EQ(states, 51 + 13 + 8);  // US incl. DC, CA, AU
  EXPECT_EQ(unique.size(), geoCodes().size());
  EXPECT_EQ(geoCodes()[kWorldCode].code, "WORLD");
}

TEST(GeoCodes, TableMatchesTheHierarchy) {
  // 1 WORLD + 8 regions + 251 countries + 51 US + 13 CA + 8 AU states/provinces.
  EXPECT_EQ(geoCodes().size(), 332u);
  std::set<std::string_view> seen;
  for (const GeoCode& code : geoCodes()) {
    EXPECT_TRUE(seen.insert(code.code).second) << "duplicate " << code.code;
    if (code.level != GeoLevel::kWorld) {
      const GeoCode* parent = findGeoCode(code.parent);
      ASSERT_NE(parent, nullptr) << code.code;
      EXPECT_EQ(static_cast<int>(parent->level), static_cast<int>(code.level) - 1) << code.code;
    }
  }
  EXPECT_EQ(findGeoCode("WORLD")->parent, "");
  EXPECT_EQ(findGeoCode("NA")->parent, "GEO-AF");  // Namibia, not North America
  EXPECT_EQ(findGeoCode("TR")->parent, "GEO-ME");
  EXPECT_EQ(findGeoCode("CY")->parent, "GEO-EU");
  EXPECT_EQ(findGeoCode("XK")->parent, "GEO-EU");
  EXPECT_EQ(findGeoCode("US-CA")->parent, "US");
  EXPECT_EQ(findGeoCode("AU-NSW")->level, GeoLevel::kState);
  EXPECT_EQ(findGeoCode("CA-YT")->parent, "CA");
  EXPECT_EQ(findGeoCode("US")->parent, "GEO-NA");
  EXPECT_EQ(findGeoCode("GEO-AP")->parent, "WORLD");
  EXPECT_EQ(findGeoCode("de"), nullptr) << "lookups take Azure's upper-case spelling";
  EXPECT_EQ(findGeoCode("XX"), nullptr);
  EXPECT_EQ(findGeoCode("US-PR"), nullptr);
  EXPECT_EQ(findGeoCode(""), nullptr);
}

TEST(GeoCodes, HierarchyWalksUpToWorld) {
  using V = std::vector<std::string>;
  EXPECT_EQ(chain("US-CA"), (V{"US-CA", "US", "GEO-NA", "WORLD"}));
  EXPECT_EQ(chain("AU-NSW"), (V{"AU-NSW", "AU", "GEO-AP", "WORLD"}));
  EXPECT_EQ(chain("CA-QC"), (V{"CA-QC", "CA", "GEO-NA", "WORLD"}));
  EXPECT_EQ(chain("IE"), (V{"IE", "GEO-EU", "WORLD"}));
  EXPECT_EQ(chain("GEO-AS"), (V{"GEO-AS", "WORLD"}));
  EXPECT_EQ(chain("WORLD"), (V{"WORLD"}));
  // §2.5 gotchas.
  EXPECT_EQ(chain("NA"), (V{"NA", "GEO-AF", "WORLD"}));  // Namibia
  EXPECT_EQ(chain("TR"), (V{"TR", "GEO-ME", "WORLD"}));
  EXPECT_EQ(chain("CY"), (V{"CY", "GEO-EU", "WORLD"}));
  EXPECT_EQ(chain("RU"), (V{"RU", "GEO-EU", "WORLD"}));
  EXPECT_EQ(chain("XK"), (V{"XK", "GEO-EU", "WORLD"}));
  EXPECT_EQ(parentOf(kNoGeoCode), kNoGeoCode);
}

TEST(GeoCodes, Lookups) {
  ASSERT_NE(findGeoCode("GEO-EU"), nullptr);
  EXPECT_EQ(findGeoCode("GEO-EU")->level, GeoLevel::kRegion);
  EXPECT_EQ(findGeoCode("geo-eu"), nullptr);  // codes are upper-case as Azure writes them
  EXPECT_EQ(findGeoCode("GEO-XX"), nullptr);
  EXPECT_EQ(geoCodeId("US"), countryCodeId("us"));
  EXPECT_EQ(countryCodeId("ZZ"), kNoGeoCode);
  EXPECT_EQ(countryCodeId("EH"), kNoGeoCode);  // not in Azure's published hierarchy
  EXPECT_EQ(countryCodeId("WORLD"), kNoGeoCode);
  EXPECT_EQ(subdivisionCodeId(countryCodeId("US"), "ca"), geoCodeId("US-CA"));
  EXPECT_EQ(subdivisionCodeId(countryCodeId("AU"), "NSW"), geoCodeId("AU-NSW"));
  EXPECT_EQ(subdivisionCodeId(countryCodeId("CA"), "ON"), geoCodeId("CA-ON"));
  // States exist only for AU, CA and US; a German state locates at country level.
  EXPECT_EQ(subdivisionCodeId(countryCodeId("DE"), "BY"), kNoGeoCode);
  EXPECT_EQ(subdivisionCodeId(countryCodeId("US"), "ZZ"), kNoGeoCode);
  EXPECT_EQ(subdivisionCodeId(kNoGeoCode, "CA"), kNoGeoCode);
}

}  // namespace
}  // namespace tmdns::geo
