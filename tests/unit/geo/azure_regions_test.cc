// Unit tests for the Azure region table: name matching, suggestions, distances.
#include "geo/azure_regions.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tmdns::geo {
namespace {

TEST(AzureRegions, NamesMatchWithoutCaseAndSpaces) {
  const RegionId westEurope = findRegion("West Europe");
  ASSERT_NE(westEurope, kNoRegionId);
  EXPECT_EQ(azureRegions()[westEurope].name, "West Europe");
  EXPECT_EQ(findRegion("westeurope"), westEurope);
  EXPECT_EQ(findRegion("WEST EUROPE"), westEurope);
  EXPECT_EQ(findRegion(" west  europe "), westEurope);
  EXPECT_NE(findRegion("East US"), findRegion("East US 2"));
  EXPECT_EQ(findRegion("eastus2"), findRegion("East US 2"));
  EXPECT_EQ(findRegion("global"), kNoRegionId);
  EXPECT_EQ(findRegion("West Eurpoe"), kNoRegionId);
}

TEST(AzureRegions, NamesAreUniqueAndCoordinatesPlausible) {
  std::set<RegionId> ids;
  for (const AzureRegion& region : azureRegions()) {
    SCOPED_TRACE(std::string(region.name));
    ids.insert(findRegion(region.name));
    EXPECT_GE(region.latitude, -90);
    EXPECT_LE(region.latitude, 90);
    EXPECT_GE(region.longitude, -180);
    EXPECT_LE(region.longitude, 180);
  }
  EXPECT_EQ(ids.size(), azureRegions().size());
}

TEST(AzureRegions, ClosestNameSuggestion) {
  EXPECT_EQ(closestRegionName("West Eurpoe"), "West Europe");
  EXPECT_EQ(closestRegionName("northeurope2"), "North Europe");
  EXPECT_EQ(closestRegionName("east us 22"), "East US 2");
  EXPECT_EQ(closestRegionName("UK Souht"), "UK South");
}

TEST(AzureRegions, GreatCircleDistance) {
  const AzureRegion& ne = azureRegions()[findRegion("North Europe")];  // Dublin
  const AzureRegion& we = azureRegions()[findRegion("West Europe")];   // Amsterdam
  const double km = greatCircleKm(ne.latitude, ne.longitude, we.latitude, we.longitude);
  EXPECT_NEAR(km, 755, 15);
  EXPECT_NEAR(greatCircleKm(0, 0, 0, 180), 20015, 5);
  EXPECT_DOUBLE_EQ(greatCircleKm(10, 20, 10, 20), 0);
}

}  // namespace
}  // namespace tmdns::geo
