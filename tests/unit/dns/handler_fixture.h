// A served snapshot for the QueryHandler tests: two zones, static records, Traffic Manager
// profiles.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/query_handler.h"
#include "dns/snapshot_builder.h"
#include "dns/wire_types.h"
#include "routing/health_table.h"
#include "tests/unit/dns/dns_test_support.h"

namespace tmdns::dns::test {

// Profile ids, in the order the fixture builds them.
enum FixtureProfile : routing::ProfileId {
  kApp = 0,       // Priority: CNAME web.example.net. (p1), CNAME backup.example.net. (p2)
  kV4 = 1,        // Priority: 203.0.113.10
  kV6 = 2,        // Priority: 2001:db8::10
  kOff = 3,       // disabled profile
  kInternal = 4,  // Priority: CNAME www.example.test. (a name of our own zone), TTL 45
  kMulti = 5,     // MultiValue maxReturn 3: 198.51.100.1-4 and 2001:db8::a, 2001:db8::b
};

struct FixtureEndpoint {
  routing::ProfileId profile;
  routing::TargetKind kind;
  uint16_t priority;
  std::string target;  // name or address literal
};

inline const std::vector<FixtureEndpoint>& fixtureEndpoints() {
  using routing::TargetKind;
  static const std::vector<FixtureEndpoint> endpoints = {
      {kApp, TargetKind::kName, 1, "web.example.net."},        // 0
      {kApp, TargetKind::kName, 2, "backup.example.net."},     // 1
      {kV4, TargetKind::kIPv4, 1, "203.0.113.10"},             // 2
      {kV6, TargetKind::kIPv6, 1, "2001:db8::10"},             // 3
      {kOff, TargetKind::kName, 1, "x.example.net."},          // 4
      {kInternal, TargetKind::kName, 1, "www.example.test."},  // 5
      {kMulti, TargetKind::kIPv4, 1, "198.51.100.1"},          // 6
      {kMulti, TargetKind::kIPv4, 2, "198.51.100.2"},          // 7
      {kMulti, TargetKind::kIPv4, 3, "198.51.100.3"},          // 8
      {kMulti, TargetKind::kIPv4, 4, "198.51.100.4"},          // 9
      {kMulti, TargetKind::kIPv6, 5, "2001:db8::a"},           // 10
      {kMulti, TargetKind::kIPv6, 6, "2001:db8::b"},           // 11
  };
  return endpoints;
}

// 60 TXT records of 50 characters: ~3.5 kB, larger than any UDP limit we allow.
inline std::string bigTxt(int i) {
  std::string s = "record-" + std::to_string(100 + i) + "-";
  s.resize(50, 'x');
  return s;
}

inline std::unique_ptr<Snapshot> buildFixtureSnapshot(uint16_t maxUdpPayload = 1232) {
  SnapshotBuilder b;
  const uint32_t z =
      addTestZone(b, "example.test.", 3600, 300, {"ns1.example.test.", "ns2.example.test."});
  const uint32_t other = addTestZone(b, "other.test.", 60, 300, {"ns1.example.test."});
  for (const char* rr : {
           "ns1.example.test. 3600 IN A 192.0.2.53",
           "ns2.example.test. 3600 IN AAAA 2001:db8::53",
           "www.example.test. 300 IN A 192.0.2.1",
           "www.example.test. 300 IN A 192.0.2.2",
           "www.example.test. 300 IN AAAA 2001:db8::1",
           "mail.example.test. 300 IN MX 10 mx.example.test.",
           "txt.example.test. 300 IN TXT \"hello world\"",
           "a.b.c.example.test. 300 IN A 192.0.2.3",
           "alias.example.test. 120 IN CNAME www.example.test.",
           "chain1.example.test. 120 IN CNAME chain2.example.test.",
           "chain2.example.test. 120 IN CNAME www.example.test.",
           "loop1.example.test. 120 IN CNAME loop2.example.test.",
           "loop2.example.test. 120 IN CNAME loop1.example.test.",
           "dangling.example.test. 120 IN CNAME missing.example.test.",
           "out.example.test. 120 IN CNAME www.elsewhere.invalid.",
           "to-app.example.test. 120 IN CNAME app.example.test.",
           "to-v4.example.test. 120 IN CNAME v4.example.test.",
           "to-off.example.test. 120 IN CNAME off.example.test.",
           "to-other.example.test. 120 IN CNAME nothing.other.test.",
       }) {
    addTestRecord(b, z, rr);
  }
  // c0 -> c1 -> ... -> c10 -> www: longer than kMaxCnameChain.
  for (int i = 0; i < 10; ++i) {
    addTestRecord(b, z,
                  "c" + std::to_string(i) + ".example.test. 120 IN CNAME c" +
                      std::to_string(i + 1) + ".example.test.");
  }
  addTestRecord(b, z, "c10.example.test. 120 IN CNAME www.example.test.");
  for (int i = 0; i < 60; ++i) {
    addTestRecord(b, z, "big.example.test. 300 IN TXT \"" + bigTxt(i) + "\"");
  }
  // ~10 * 63 octets: more than 512, less than 1232.
  for (int i = 0; i < 10; ++i) {
    addTestRecord(b, z, "mid.example.test. 300 IN TXT \"" + bigTxt(i) + "\"");
  }
  addTestRecord(b, other, "www.other.test. 300 IN A 192.0.2.80");

  const std::vector<std::string> names = {"app", "v4", "v6", "off", "internal", "mv"};
  routing::Table table;
  for (routing::ProfileId p = 0; p < names.size(); ++p) {
    routing::Profile profile;
    profile.method = p == kMulti ? routing::Method::kMultiValue : routing::Method::kPriority;
    profile.enabled = p != kOff;
    profile.ttl = p == kInternal ? 45 : 30;
    profile.maxReturn = p == kMulti ? 3 : 0;
    table.profiles.push_back(profile);
    std::string error;
    EXPECT_TRUE(b.addProfileName(z, wireName(names[p] + ".example.test."), p, error)) << error;
  }
  const auto& endpoints = fixtureEndpoints();
  for (routing::EndpointId id = 0; id < endpoints.size(); ++id) {
    const FixtureEndpoint& e = endpoints[id];
    routing::Profile& profile = table.profiles[e.profile];
    if (profile.endpointCount == 0) {
      profile.firstEndpoint = id;
    }
    ++profile.endpointCount;
    routing::Endpoint endpoint;
    endpoint.profile = e.profile;
    endpoint.kind = e.kind;
    endpoint.priority = e.priority;
    table.endpoints.push_back(endpoint);
  }
  attachPolicies(table);
  b.setRouting(std::move(table));
  for (routing::EndpointId id = 0; id < endpoints.size(); ++id) {
    const FixtureEndpoint& e = endpoints[id];
    switch (e.kind) {
      case routing::TargetKind::kName:
        b.setEndpointAnswer(id, kTypeCname, wireName(e.target));
        break;
      case routing::TargetKind::kIPv4:
        b.setEndpointAnswer(id, kTypeA, wireRecord("x. 1 IN A " + e.target).rdata);
        break;
      case routing::TargetKind::kIPv6:
        b.setEndpointAnswer(id, kTypeAaaa, wireRecord("x. 1 IN AAAA " + e.target).rdata);
        break;
      case routing::TargetKind::kNested:
        break;
    }
  }
  b.setMaxUdpPayload(maxUdpPayload);
  return b.finish();
}

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snapshot_ = buildFixtureSnapshot();
    health_.status.assign(fixtureEndpoints().size(), routing::MonitorStatus::kOnline);
    out_.assign(65535, 0);
  }

  // The raw response (empty when the handler stays silent).
  Bytes ask(const Bytes& query, Transport transport = Transport::kUdp, size_t outSize = 65535) {
    const size_t n = handler_.handle(*snapshot_, health_.view(), query, source_, transport,
                                     std::span<uint8_t>(out_.data(), outSize));
    return Bytes(out_.begin(), out_.begin() + static_cast<long>(n));
  }

  Packet askDecoded(const std::string& name, uint16_t type, const QueryOptions& o = {},
                    Transport transport = Transport::kUdp) {
    const Bytes response = ask(makeQuery(name, type, o), transport);
    EXPECT_FALSE(response.empty());
    return decode(response);
  }

  std::unique_ptr<Snapshot> snapshot_;
  routing::HealthTable health_;
  QueryHandler handler_{42};
  routing::ClientInfo source_ = ipv4Source(192, 0, 2, 99);
  Bytes out_;
};

inline const std::string kSoa =
    "example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300";
inline const std::string kOtherSoa =
    "other.test. 60 IN SOA ns1.other.test. hostmaster.other.test. 1 3600 600 86400 300";

}  // namespace tmdns::dns::test
