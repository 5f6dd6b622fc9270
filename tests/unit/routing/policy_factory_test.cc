// Unit tests for makePolicy: which methods compile, and the invariants the query path relies on.
#include "routing/policy_factory.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

struct Case {
  std::string name;
  Profile profile;
  std::vector<Endpoint> endpoints;
  std::string error;  // "" when a policy is expected
};

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
      {"Performance", Profile{.method = Method::kPerformance}, two,
       "Performance routing is not implemented yet"},
      {"Geographic", Profile{.method = Method::kGeographic}, two,
       "Geographic routing is not implemented yet"},
      {"Subnet", Profile{.method = Method::kSubnet}, two, "Subnet routing is not implemented yet"},
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
    const auto policy = makePolicy(table, 0, PolicyInputs{}, error);
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
