// Unit tests for the RFC 7871 §7.2.1 scope every answer reports: 0 where the client does not
// matter, the deciding prefix where it does, propagated through nested profiles (§2.9).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing/router.h"
#include "routing_fixture.h"

namespace tmdns::routing {
namespace {

using testing::ecsClient;
using testing::Health;
using testing::sourceClient;
using testing::TableBuilder;
using testing::withCodes;
using testing::withSubnets;
using Outcome = Selection::Outcome;

constexpr char kGeo[] = "198.51.100.0/24,IE\n2001:db8:1::/48,IE\n";

const std::vector<ClientInfo>& clients() {
  static const std::vector<ClientInfo> all = {
      sourceClient("198.51.100.7"),  ecsClient("198.51.100.0", 24), ecsClient("198.51.0.0", 16),
      sourceClient("2001:db8:1::1"), ecsClient("2001:db8:1::", 56), ClientInfo{}};
  return all;
}

TEST(EcsScope, ZeroWhereTheAnswerDoesNotDependOnTheClient) {
  TableBuilder builder;
  const ProfileId priority = builder.addProfile(
      testing::priorityProfile(), {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId weighted = builder.addProfile(
      testing::weightedProfile(), {testing::nameEndpoint(1), testing::nameEndpoint(2)});
  const ProfileId multi = builder.addProfile(testing::multiValueProfile(2),
                                             {testing::v4Endpoint(), testing::v6Endpoint()});
  // Subnets and codes on these methods are kept but ignored (§1.4, §6 surprise 7).
  PolicyInputs ignored;
  ignored.endpoints = {withCodes({"IE"}, {"198.51.100.0/24"}), {}};
  const ProfileId priorityWithSubnets = builder.addProfile(
      testing::priorityProfile(), {testing::nameEndpoint(1), testing::nameEndpoint(2)}, ignored);
  builder.setGeo(testing::csvLocator(kGeo));
  const Table table = builder.build();
  const Health health(table);
  for (const ProfileId id : {priority, weighted, multi, priorityWithSubnets}) {
    for (const ClientInfo& client : clients()) {
      const Selection s = testing::routeFrom(table, health, id, client);
      EXPECT_EQ(s.outcome, Outcome::kAnswer) << id;
      EXPECT_EQ(s.ecsScope, 0) << id;
    }
  }
}

// A client-independent parent over a client-aware child: the child's scope reaches the answer.
TEST(EcsScope, PropagatesFromANestedChild) {
  TableBuilder builder;
  builder.setGeo(testing::csvLocator(kGeo));
  PolicyInputs geoInputs;
  geoInputs.endpoints = {withCodes({"IE"}), withCodes({"WORLD"})};
  const ProfileId geoChild =
      builder.addProfile(Profile{.method = Method::kGeographic},
                         {testing::nameEndpoint(1), testing::nameEndpoint(2)}, geoInputs);
  const ProfileId parent = builder.addProfile(
      testing::priorityProfile(), {testing::nestedEndpoint(geoChild, 1), testing::nameEndpoint(2)});
  // Two levels down, through a Weighted middle profile.
  const ProfileId middle =
      builder.addProfile(testing::weightedProfile(), {testing::nestedEndpoint(geoChild, 1)});
  const ProfileId top =
      builder.addProfile(testing::priorityProfile(), {testing::nestedEndpoint(middle, 1)});
  const Table table = builder.build();
  const Health health(table);
  for (const ProfileId id : {parent, top}) {
    SCOPED_TRACE(id);
    Selection s = testing::routeFrom(table, health, id, ecsClient("198.51.100.0", 24));
    EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{0});
    EXPECT_EQ(s.ecsScope, 24);
    s = testing::routeFrom(table, health, id, sourceClient("2001:db8:1::1"));
    EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{0});
    EXPECT_EQ(s.ecsScope, 48);
    s = testing::routeFrom(table, health, id, ecsClient("198.51.0.0", 16));
    EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{1});
    EXPECT_EQ(s.ecsScope, 16);
  }
}

// Both levels depend on the client: the longer (narrower) prefix is the one that holds for both.
TEST(EcsScope, TheLongerOfParentAndChildWins) {
  TableBuilder builder;
  builder.setGeo(testing::csvLocator(kGeo));
  PolicyInputs subnetInputs;
  subnetInputs.endpoints = {withSubnets({"198.51.100.0/26"}), {}};
  const ProfileId subnetChild =
      builder.addProfile(Profile{.method = Method::kSubnet},
                         {testing::nameEndpoint(1), testing::nameEndpoint(2)}, subnetInputs);
  PolicyInputs geoInputs;
  geoInputs.endpoints = {withCodes({"IE"}), withCodes({"WORLD"})};
  const ProfileId parent = builder.addProfile(
      Profile{.method = Method::kGeographic},
      {testing::nestedEndpoint(subnetChild, 1), testing::nameEndpoint(2)}, geoInputs);
  const Table table = builder.build();
  const Health health(table);
  Selection s = testing::routeFrom(table, health, parent, sourceClient("198.51.100.7"));
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{0});
  EXPECT_EQ(s.ecsScope, 26);
  s = testing::routeFrom(table, health, parent, sourceClient("198.51.100.77"));
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{1});
  EXPECT_EQ(s.ecsScope, 26);
  // The child's scope is clamped to the source prefix too.
  s = testing::routeFrom(table, health, parent, ecsClient("198.51.100.0", 24));
  EXPECT_EQ(testing::endpointsOf(s), std::vector<EndpointId>{0});
  EXPECT_EQ(s.ecsScope, 24);
}

// A negative answer from a client-aware child still tells the resolver how far it holds.
TEST(EcsScope, NegativeChildAnswersKeepTheirScope) {
  TableBuilder builder;
  builder.setGeo(testing::csvLocator(kGeo));
  PolicyInputs geoInputs;
  geoInputs.endpoints = {withCodes({"IE"})};
  const ProfileId geoChild = builder.addProfile(Profile{.method = Method::kGeographic},
                                                {testing::nameEndpoint(1)}, geoInputs);
  const ProfileId parent =
      builder.addProfile(testing::priorityProfile(), {testing::nestedEndpoint(geoChild, 1)});
  const Table table = builder.build();
  const Health health(table);
  const Selection s = testing::routeFrom(table, health, parent, ecsClient("203.0.113.0", 24));
  EXPECT_EQ(s.outcome, Outcome::kNoData);
  // 203.0.113.0 lies in the unmapped block 200.0.0.0/5 (198.51.100.0/24 is just below it).
  EXPECT_EQ(s.ecsScope, 5);
}

}  // namespace
}  // namespace tmdns::routing
