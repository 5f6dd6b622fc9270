// Unit tests for makePolicy: which methods compile, and the invariants the query path relies on.
#include "routing/policy_factory.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "geo/azure_regions.h"
#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

struct Case {
  std::string name;
  Profile profile;
  std::vector<Endpoint> endpoints;
  std::string error;  // "" when a policy is expected
  PolicyInputs inputs = {};
};

geo::AddressRange net(const std::string& text) {
  std::string error;
  return *geo::parseNetwork(text, error);
}

EndpointInputs subnets(std::vector<std::string> networks) {
  EndpointInputs out;
  for (const std::string& n : networks) {
    out.subnets.push_back(net(n));
  }
  return out;
}

EndpointInputs codes(std::vector<std::string> names) {
  EndpointInputs out;
  for (const std::string& n : names) {
    out.geoCodes.push_back(geo::geoCodeId(n));
  }
  return out;
}

EndpointInputs codeIds(std::vector<geo::GeoCodeId> ids) {
  EndpointInputs out;
  out.geoCodes = std::move(ids);
  return out;
}

EndpointInputs ranges(std::vector<geo::AddressRange> list) {
  EndpointInputs out;
  out.subnets = std::move(list);
  return out;
}

Endpoint inRegion(const std::string& region) {
  Endpoint e = testing::nameEndpoint();
  e.region = geo::findRegion(region);
  return e;
}

TEST(MakePolicy, Table) {
  const std::vector<Endpoint> two = {testing::nameEndpoint(1), testing::nameEndpoint(2)};
  const std::vector<Endpoint> ips = {testing::v4Endpoint(), testing::v6Endpoint()};
  Endpoint zeroWeight = testing::nameEndpoint(2);
  zeroWeight.weight = 0;
  const std::vector<Case> cases = {
      {"Priority", testing::priorityProfile(), two, ""},
      {"Priority without endpoints", testing::priorityProfile(), {}, ""},
      {"Weighted", testing::weightedProfile(), two, ""},
      {"MultiValue", testing::multiValueProfile(8), ips, ""},
      {"MultiValue at the Selection limit", testing::multiValueProfile(kMaxSelected), ips, ""},
      {"Performance",
       Profile{.method = Method::kPerformance},
       {inRegion("West Europe"), inRegion("East US")},
       ""},
      {"Performance without a region",
       Profile{.method = Method::kPerformance},
       {inRegion("West Europe"), testing::nameEndpoint()},
       "Performance routing needs an Azure region on every endpoint, endpoint 1 has none"},
      {"Performance overrides may nest",
       Profile{.method = Method::kPerformance},
       {inRegion("West Europe"), inRegion("East US")},
       "",
       {.endpoints = {subnets({"198.51.100.0/24"}), subnets({"198.51.100.128/25"})}}},
      {"Performance override on two endpoints",
       Profile{.method = Method::kPerformance},
       {inRegion("West Europe"), inRegion("East US")},
       "subnets of endpoints 0 and 1 overlap",
       {.endpoints = {subnets({"198.51.100.0/24"}), subnets({"198.51.100.0/24"})}}},
      {"Geographic overrides that cross",
       Profile{.method = Method::kGeographic},
       two,
       "subnets of endpoints 0 and 1 overlap",
       {.endpoints = {ranges({geo::AddressRange{false, 10, 20}}),
                      ranges({geo::AddressRange{false, 15, 30}})}}},
      {"Geographic overrides of one endpoint that cross",
       Profile{.method = Method::kGeographic},
       two,
       "endpoint 1 has subnets that partially overlap",
       {.endpoints =
            {{}, ranges({geo::AddressRange{false, 10, 20}, geo::AddressRange{false, 15, 30}})}}},
      {"Geographic",
       Profile{.method = Method::kGeographic},
       two,
       "",
       {.endpoints = {codes({"IE", "FR"}), codes({"WORLD"})}}},
      {"Geographic without inputs", Profile{.method = Method::kGeographic}, two, ""},
      {"Geographic code mapped twice",
       Profile{.method = Method::kGeographic},
       two,
       "geographic code FR is mapped to endpoints 0 and 1",
       {.endpoints = {codes({"IE", "FR"}), codes({"FR"})}}},
      {"Geographic code repeated on one endpoint",
       Profile{.method = Method::kGeographic},
       two,
       "",
       {.endpoints = {codes({"FR", "FR"}), codes({"WORLD"})}}},
      {"Geographic code id out of range",
       Profile{.method = Method::kGeographic},
       two,
       "endpoint 0 maps an unknown geographic code id 65535",
       {.endpoints = {codeIds({geo::kNoGeoCode})}}},
      {"Subnet",
       Profile{.method = Method::kSubnet},
       two,
       "",
       {.endpoints = {subnets({"198.51.100.0/24", "2001:db8::/32"}), {}}}},
      {"Subnet without any fallback",
       Profile{.method = Method::kSubnet},
       two,
       "",
       {.endpoints = {subnets({"198.51.100.0/24"}), subnets({"203.0.113.0/24"})}}},
      {"Subnet with two fallbacks",
       Profile{.method = Method::kSubnet},
       {testing::nameEndpoint(1), testing::nameEndpoint(2), testing::nameEndpoint(3)},
       "Subnet routing allows one endpoint without subnets (the fallback), endpoints 0 and 2 have "
       "none",
       {.endpoints = {{}, subnets({"198.51.100.0/24"}), {}}}},
      {"Subnet ranges of two endpoints overlap",
       Profile{.method = Method::kSubnet},
       two,
       "subnets of endpoints 0 and 1 overlap",
       {.endpoints = {subnets({"198.51.100.0/24"}), subnets({"198.51.100.7"})}}},
      {"Subnet ranges of one endpoint may overlap",
       Profile{.method = Method::kSubnet},
       two,
       "",
       {.endpoints = {subnets({"198.51.100.0/24", "198.51.100.7"}), {}}}},
      {"Subnet with an inverted range",
       Profile{.method = Method::kSubnet},
       two,
       "endpoint 0 has a subnet whose first address is after its last",
       {.endpoints = {ranges({geo::AddressRange{false, 9, 5}}), {}}}},
      {"MultiValue without maxReturn", testing::multiValueProfile(0), ips,
       "MultiValue routing needs maxReturn in 1..16, got 0"},
      {"MultiValue maxReturn too large", testing::multiValueProfile(kMaxSelected + 1), ips,
       "MultiValue routing needs maxReturn in 1..16, got 17"},
      {"Weighted with a zero weight",
       testing::weightedProfile(),
       {testing::nameEndpoint(1), zeroWeight},
       "Weighted routing needs every endpoint weight in 1..1000, endpoint 1 has 0"},
      {"Priority ignores weights", testing::priorityProfile(), {zeroWeight}, ""},
      {"too many endpoints", testing::priorityProfile(),
       std::vector<Endpoint>(kMaxProfileEndpoints + 1, testing::nameEndpoint()),
       "a profile has at most 200 endpoints, got 201"},
      {"as many endpoints as allowed", testing::priorityProfile(),
       std::vector<Endpoint>(kMaxProfileEndpoints, testing::nameEndpoint()), ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Table table;
    table.profiles.push_back(c.profile);
    table.profiles[0].firstEndpoint = 0;
    table.profiles[0].endpointCount = static_cast<uint32_t>(c.endpoints.size());
    table.endpoints = c.endpoints;
    std::string error;
    const auto policy = makePolicy(table, 0, c.inputs, error);
    EXPECT_EQ(error, c.error);
    EXPECT_EQ(policy == nullptr, !c.error.empty());
  }
}

TEST(MakePolicy, RejectsWhatIsNotInTheTable) {
  Table table;
  table.endpoints.push_back(testing::nameEndpoint());
  table.profiles.push_back(Profile{.firstEndpoint = 0, .endpointCount = 2});
  std::string error;
  EXPECT_EQ(makePolicy(table, 0, PolicyInputs{}, error), nullptr);
  EXPECT_EQ(error, "endpoints of the profile are not in the table");
  error.clear();
  EXPECT_EQ(makePolicy(table, 1, PolicyInputs{}, error), nullptr);
  EXPECT_EQ(error, "profile id 1 is not in the table");
}

// The priority order is fixed at construction and needs nothing from the table afterwards: a
// moved table keeps routing the same.
TEST(MakePolicy, PolicySurvivesTableMove) {
  testing::TableBuilder builder;
  const ProfileId id = builder.addProfile(testing::priorityProfile(),
                                          {testing::nameEndpoint(2), testing::nameEndpoint(1)});
  Table built = builder.build();
  const Table table = std::move(built);
  const testing::Health health(table);
  util::Rng rng(1);
  EXPECT_EQ(testing::endpointsOf(testing::routeOnce(table, health, id, rng)),
            std::vector<EndpointId>{1});
}

}  // namespace
}  // namespace tmdns::routing
