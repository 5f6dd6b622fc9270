// Test helpers for routing: hand-built tables with compiled policies, injected health, routing.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "geo/azure_regions.h"
#include "geo/latency_table.h"
#include "geo/locator.h"
#include "routing/health_table.h"
#include "routing/policy_factory.h"
#include "routing/router.h"
#include "util/rng.h"

namespace tmdns::routing::testing {

// Builds a Table the way the config compiler lays it out: each profile's endpoints contiguous,
// in configuration order. Children must be added before the parents that name them.
class TableBuilder {
 public:
  ProfileId addProfile(Profile profile, const std::vector<Endpoint>& endpoints,
                       PolicyInputs inputs = {}) {
    const auto id = static_cast<ProfileId>(table_.profiles.size());
    inputs_.push_back(std::move(inputs));
    profile.firstEndpoint = static_cast<EndpointId>(table_.endpoints.size());
    profile.endpointCount = static_cast<uint32_t>(endpoints.size());
    for (Endpoint e : endpoints) {
      e.profile = id;
      table_.endpoints.push_back(e);
    }
    table_.profiles.push_back(profile);
    return id;
  }

  // The geolocation database and latency table client-aware policies consult (§2.4, §2.5).
  void setGeo(std::shared_ptr<const geo::Locator> locator) { table_.geo = std::move(locator); }
  void setLatency(std::shared_ptr<const geo::LatencyTable> latency) {
    table_.latency = std::move(latency);
  }

  // Compiles every profile's policy; a test table must compile cleanly.
  Table build() {
    assignRollupSlots(table_);
    for (ProfileId id = 0; id < table_.profiles.size(); ++id) {
      std::string error;
      auto policy = makePolicy(table_, id, inputs_[id], error);
      EXPECT_NE(policy, nullptr) << "profile " << id << ": " << error;
      EXPECT_EQ(error, "");
      table_.profiles[id].policy = policy.get();
      table_.policies.push_back(std::move(policy));
    }
    return std::move(table_);
  }

 private:
  Table table_;
  std::vector<PolicyInputs> inputs_;
};

inline Profile priorityProfile() {
  return Profile{.method = Method::kPriority};
}
inline Profile weightedProfile() {
  return Profile{.method = Method::kWeighted};
}
inline Profile multiValueProfile(uint16_t maxReturn) {
  return Profile{.method = Method::kMultiValue, .maxReturn = maxReturn};
}

inline Endpoint nameEndpoint(uint16_t priority = 1, uint16_t weight = 1) {
  return Endpoint{.kind = TargetKind::kName, .weight = weight, .priority = priority};
}
inline Endpoint v4Endpoint() {
  return Endpoint{.kind = TargetKind::kIPv4};
}
inline Endpoint v6Endpoint() {
  return Endpoint{.kind = TargetKind::kIPv6};
}
inline Endpoint nestedEndpoint(ProfileId child, uint16_t priority = 1, uint16_t minChild = 1) {
  return Endpoint{
      .kind = TargetKind::kNested, .priority = priority, .child = child, .minChild = minChild};
}

// Probe results for every endpoint of a table; Online unless set.
struct Health {
  explicit Health(const Table& table) {
    table_.status.assign(table.endpoints.size(), MonitorStatus::kOnline);
  }
  void set(EndpointId id, MonitorStatus status) { table_.status[id] = status; }
  HealthView view() const { return table_.view(); }
  HealthTable table_;
};

inline Selection routeOnce(const Table& table, const Health& health, ProfileId profile,
                           util::Rng& rng, Family family = Family::kAny) {
  Request request;
  request.family = family;
  const Context ctx{table, health.view(), request, rng};
  Selection out;
  route(ctx, profile, out);
  return out;
}

// A query's client: the transport source `address` (full-length prefix), as dns/ builds it.
inline ClientInfo sourceClient(const std::string& address) {
  const std::optional<geo::Address> parsed = geo::parseAddress(address);
  EXPECT_TRUE(parsed.has_value()) << address;
  ClientInfo client;
  client.family = parsed->v6 ? 6 : 4;
  client.sourcePrefix = static_cast<uint8_t>(geo::bitsOf(parsed->v6));
  geo::Uint128 value = parsed->value;
  for (int i = parsed->v6 ? 15 : 3; i >= 0; --i) {
    client.addr[i] = static_cast<uint8_t>(value & 0xFF);
    value >>= 8;
  }
  return client;
}

// An EDNS Client Subnet `network`/`prefix` (RFC 7871 §6: address bits past the prefix are 0).
inline ClientInfo ecsClient(const std::string& network, uint8_t prefix) {
  ClientInfo client = sourceClient(network);
  client.sourcePrefix = prefix;
  client.fromEcs = true;
  return client;
}

// A geolocation database from CSV text (geo/locator.h format).
inline std::shared_ptr<const geo::Locator> csvLocator(const std::string& text) {
  std::istringstream in(text);
  std::string error;
  auto locator = geo::parseCsvLocator(in, "geo.csv", error);
  EXPECT_NE(locator, nullptr) << error;
  return locator;
}

// A latency table from CSV text (geo/latency_table.h format).
inline std::shared_ptr<const geo::LatencyTable> latencyTable(const std::string& text) {
  std::istringstream in(text);
  std::string error;
  auto table = geo::parseLatencyCsv(in, "latency.csv", error);
  EXPECT_NE(table, nullptr) << error;
  return table;
}

// Endpoint inputs: subnets as written in configuration ("198.51.100.0/24", "2001:db8::/48"),
// ranges as "first-last", and geographic codes ("IE", "GEO-EU", "US-CA").
inline EndpointInputs withSubnets(const std::vector<std::string>& subnets) {
  EndpointInputs out;
  for (const std::string& text : subnets) {
    const size_t dash = text.find('-');
    if (dash != std::string::npos) {
      const auto first = geo::parseAddress(text.substr(0, dash));
      const auto last = geo::parseAddress(text.substr(dash + 1));
      out.subnets.push_back(geo::AddressRange{first->v6, first->value, last->value});
      continue;
    }
    std::string error;
    const auto range = geo::parseNetwork(text, error);
    EXPECT_TRUE(range.has_value()) << error;
    out.subnets.push_back(*range);
  }
  return out;
}

inline EndpointInputs withCodes(const std::vector<std::string>& codes,
                                const std::vector<std::string>& subnets = {}) {
  EndpointInputs out = withSubnets(subnets);
  for (const std::string& code : codes) {
    const geo::GeoCodeId id = geo::geoCodeId(code);
    EXPECT_NE(id, geo::kNoGeoCode) << code;
    out.geoCodes.push_back(id);
  }
  return out;
}

inline Endpoint regionEndpoint(const std::string& region, uint16_t priority = 1) {
  Endpoint e = nameEndpoint(priority);
  e.region = geo::findRegion(region);
  EXPECT_NE(e.region, kNoRegion) << region;
  return e;
}

inline Selection routeFrom(const Table& table, const Health& health, ProfileId profile,
                           const ClientInfo& client, Family family = Family::kAny) {
  Request request;
  request.client = client;
  request.family = family;
  util::Rng rng(7);
  const Context ctx{table, health.view(), request, rng};
  Selection out;
  route(ctx, profile, out);
  return out;
}

inline MonitorStatus statusOf(const Table& table, const Health& health, EndpointId id,
                              Family family = Family::kAny) {
  Request request;
  request.family = family;
  util::Rng rng(1);
  const Context ctx{table, health.view(), request, rng};
  return effectiveStatus(ctx, id);
}

inline std::vector<EndpointId> endpointsOf(const Selection& s) {
  return std::vector<EndpointId>(s.endpoints, s.endpoints + s.count);
}

}  // namespace tmdns::routing::testing
