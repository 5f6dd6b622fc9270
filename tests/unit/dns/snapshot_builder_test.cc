// Unit tests for dns::SnapshotBuilder: layout, empty non-terminals, negative TTL, rejections.
#include "dns/snapshot_builder.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "dns/wire_types.h"
#include "tests/unit/dns/dns_test_support.h"

namespace tmdns::dns {
namespace {

using test::addTestRecord;
using test::addTestZone;
using test::Bytes;
using test::wireName;
using test::wireRecord;

uint32_t find(const Snapshot& snap, const std::string& name) {
  Bytes wire = wireName(name);
  for (auto& c : wire) {
    c = static_cast<uint8_t>(std::tolower(c));
  }
  return snap.index.find(wire);
}

Bytes nodeName(const Snapshot& snap, uint32_t node) {
  const Node& n = snap.nodes[node];
  return Bytes(snap.bytes.begin() + n.nameOffset, snap.bytes.begin() + n.nameOffset + n.nameLength);
}

std::vector<uint16_t> types(const Snapshot& snap, uint32_t node) {
  std::vector<uint16_t> out;
  const Node& n = snap.nodes[node];
  for (uint32_t i = 0; i < n.rrsetCount; ++i) {
    out.push_back(snap.rrsets[n.firstRRset + i].type);
  }
  return out;
}

TEST(SnapshotBuilder, ZoneApexHasSoaAndNsAndNegativeTtlIsTheSmaller) {
  SnapshotBuilder builder;
  const uint32_t a = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
  const uint32_t b = addTestZone(builder, "other.test.", 60, 300, {"ns1.other.test."});
  auto snap = builder.finish();
  ASSERT_EQ(snap->zones.size(), 2u);
  EXPECT_EQ(snap->zones[a].negativeTtl, 300u);  // RFC 2308 §5: min(3600, 300)
  EXPECT_EQ(snap->zones[b].negativeTtl, 60u);   // min(60, 300)
  const uint32_t apex = find(*snap, "example.test.");
  ASSERT_NE(apex, kNoIndex);
  EXPECT_EQ(snap->zones[a].apexNode, apex);
  EXPECT_EQ(types(*snap, apex), (std::vector<uint16_t>{kTypeNs, kTypeSoa}));
  EXPECT_EQ(snap->rrsets[snap->zones[a].soaRRset].type, kTypeSoa);
  EXPECT_EQ(snap->rrsets[snap->zones[a].soaRRset].ttl, 3600u);
  EXPECT_EQ(snap->rrsets[snap->zones[a].nsRRset].type, kTypeNs);
  EXPECT_EQ(snap->rrsets[snap->zones[a].nsRRset].ttl, 86400u);
}

TEST(SnapshotBuilder, CreatesEmptyNonTerminalsUpToTheApexOnly) {
  SnapshotBuilder builder;
  const uint32_t z = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
  addTestRecord(builder, z, "a.b.c.example.test. 300 IN A 192.0.2.1");
  auto snap = builder.finish();
  for (const char* ent : {"b.c.example.test.", "c.example.test."}) {
    const uint32_t node = find(*snap, ent);
    ASSERT_NE(node, kNoIndex) << ent;
    EXPECT_EQ(snap->nodes[node].rrsetCount, 0u) << ent;
    EXPECT_EQ(snap->nodes[node].zone, z);
    EXPECT_EQ(snap->nodes[node].profile, routing::kNone);
  }
  EXPECT_EQ(find(*snap, "test."), kNoIndex);
  EXPECT_EQ(snap->nodes.size(), 4u);  // apex, c, b.c, a.b.c
}

TEST(SnapshotBuilder, GroupsRecordsIntoRRsetsSortedByTypeWithLowerCasedIndex) {
  SnapshotBuilder builder;
  const uint32_t z = addTestZone(builder, "Example.TEST.", 3600, 300, {"ns1.example.test."});
  addTestRecord(builder, z, "WWW.Example.Test. 300 IN TXT \"hello\"");
  addTestRecord(builder, z, "www.example.test. 300 IN AAAA 2001:db8::1");
  addTestRecord(builder, z, "www.example.test. 300 IN A 192.0.2.1");
  addTestRecord(builder, z, "www.example.test. 900 IN A 192.0.2.2");  // TTL of the first kept
  addTestRecord(builder, z, "www.example.test. 300 IN A 192.0.2.1");  // duplicate dropped
  auto snap = builder.finish();
  const uint32_t www = find(*snap, "www.example.test.");
  ASSERT_NE(www, kNoIndex);
  EXPECT_EQ(nodeName(*snap, www), wireName("www.example.test."));
  EXPECT_EQ(types(*snap, www), (std::vector<uint16_t>{kTypeA, kTypeTxt, kTypeAaaa}));
  const RRset& a = snap->rrsets[snap->nodes[www].firstRRset];
  EXPECT_EQ(a.ttl, 300u);
  ASSERT_EQ(a.rdataCount, 2u);
  const Rdata& second = snap->rdatas[a.firstRdata + 1];
  EXPECT_EQ(Bytes(snap->bytes.begin() + second.offset,
                  snap->bytes.begin() + second.offset + second.length),
            (Bytes{192, 0, 2, 2}));
  EXPECT_EQ(nodeName(*snap, find(*snap, "example.test.")), wireName("example.test."));
}

TEST(SnapshotBuilder, KeepsRdataNamesInConfiguredCase) {
  SnapshotBuilder builder;
  const uint32_t z = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
  addTestRecord(builder, z, "alias.example.test. 300 IN CNAME Target.Example.NET.");
  auto snap = builder.finish();
  const Node& node = snap->nodes[find(*snap, "alias.example.test.")];
  EXPECT_TRUE(node.hasCname);
  const Rdata& r = snap->rdatas[snap->rrsets[node.firstRRset].firstRdata];
  EXPECT_EQ(Bytes(snap->bytes.begin() + r.offset, snap->bytes.begin() + r.offset + r.length),
            wireName("Target.Example.NET."));
}

TEST(SnapshotBuilder, MapsProfilesToZonesAndStoresEndpointAnswers) {
  SnapshotBuilder builder;
  addTestZone(builder, "a.test.", 3600, 300, {"ns1.a.test."});
  const uint32_t z = addTestZone(builder, "b.test.", 3600, 300, {"ns1.b.test."});
  std::string error;
  ASSERT_TRUE(builder.addProfileName(z, wireName("app.b.test."), 1, error)) << error;
  routing::Table table;
  table.profiles.resize(3);
  table.endpoints.resize(2);
  builder.setRouting(std::move(table));
  const Bytes target = wireName("web.example.net.");
  builder.setEndpointAnswer(1, kTypeCname, target);
  builder.setMaxUdpPayload(1400);
  builder.setIdentity(7, "abc");
  auto snap = builder.finish();
  EXPECT_EQ(snap->profileZone, (std::vector<uint32_t>{kNoIndex, z, kNoIndex}));
  const uint32_t app = find(*snap, "app.b.test.");
  ASSERT_NE(app, kNoIndex);
  EXPECT_EQ(snap->nodes[app].profile, 1u);
  ASSERT_EQ(snap->endpointAnswers.size(), 2u);
  EXPECT_EQ(snap->endpointAnswers[0].type, 0u);
  const EndpointAnswer& answer = snap->endpointAnswers[1];
  EXPECT_EQ(answer.type, kTypeCname);
  EXPECT_EQ(Bytes(snap->bytes.begin() + answer.offset,
                  snap->bytes.begin() + answer.offset + answer.length),
            target);
  EXPECT_EQ(snap->maxUdpPayload, 1400);
  EXPECT_EQ(snap->generation, 7u);
  EXPECT_EQ(snap->configHash, "abc");
  EXPECT_EQ(snap->routing.profiles.size(), 3u);
}

struct Rejection {
  const char* what;
  std::vector<std::string> accepted;  // records added first
  std::string rejected;
  std::string message;  // expected substring of the error
};

TEST(SnapshotBuilder, RejectsInvalidRecordsWithClearMessages) {
  const std::vector<Rejection> cases = {
      {"outside the zone",
       {},
       "www.other.test. 300 IN A 192.0.2.1",
       "is outside zone example.test."},
      {"CNAME beside data",
       {"x.example.test. 300 IN A 192.0.2.1"},
       "x.example.test. 300 IN CNAME y.example.test.",
       "CNAME cannot coexist"},
      {"data beside CNAME",
       {"x.example.test. 300 IN CNAME y.example.test."},
       "x.example.test. 300 IN A 192.0.2.1",
       "has a CNAME record"},
      {"second CNAME",
       {"x.example.test. 300 IN CNAME y.example.test."},
       "x.example.test. 300 IN CNAME z.example.test.",
       "already has a CNAME"},
      {"CNAME at the apex",
       {},
       "example.test. 300 IN CNAME y.example.test.",
       "CNAME cannot coexist"},
      {"SOA as a record", {}, "example.test. 300 IN SOA a.test. b.test. 1 2 3 4 5", "zone SOA"},
      {"NS below the apex", {}, "sub.example.test. 300 IN NS ns.elsewhere.test.", "delegation"},
      {"DNAME", {}, "d.example.test. 300 IN DNAME elsewhere.test.", "DNAME"},
      {"record at a profile", {}, "app.example.test. 300 IN A 192.0.2.1", "profile name"},
      {"record in a child zone",
       {},
       "www.child.example.test. 300 IN A 192.0.2.1",
       "belongs to zone child.example.test."},
  };
  for (const auto& c : cases) {
    SnapshotBuilder builder;
    const uint32_t z = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
    addTestZone(builder, "child.example.test.", 3600, 300, {"ns1.example.test."});
    std::string error;
    ASSERT_TRUE(builder.addProfileName(z, wireName("app.example.test."), 0, error)) << error;
    for (const auto& text : c.accepted) {
      addTestRecord(builder, z, text);
    }
    const test::WireRecord rr = wireRecord(c.rejected);
    EXPECT_FALSE(builder.addRecord(z, rr.owner, rr.type, rr.ttl, rr.rdata, error)) << c.what;
    EXPECT_NE(error.find(c.message), std::string::npos) << c.what << ": " << error;
  }
}

TEST(SnapshotBuilder, RejectsMalformedWireInput) {
  SnapshotBuilder builder;
  const uint32_t z = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
  const Bytes owner = wireName("x.example.test.");
  std::string error;
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeA, 300, Bytes{1, 2, 3}, error));
  EXPECT_NE(error.find("4 octets"), std::string::npos) << error;
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeAaaa, 300, Bytes(4, 0), error));
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeCname, 300, Bytes{3, 'a', 'b'}, error));
  EXPECT_NE(error.find("domain name"), std::string::npos) << error;
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeMx, 300, Bytes{0, 10, 0xC0, 0x0C}, error));
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeTxt, 300, Bytes{5, 'a'}, error));
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeOpt, 300, Bytes{}, error));
  EXPECT_NE(error.find("meta type"), std::string::npos) << error;
  EXPECT_FALSE(builder.addRecord(z, owner, kTypeAny, 300, Bytes{}, error));
  EXPECT_FALSE(builder.addRecord(z, Bytes{3, 'a', 'b'}, kTypeA, 300, Bytes{1, 2, 3, 4}, error));
  EXPECT_FALSE(builder.addRecord(7, owner, kTypeA, 300, Bytes{1, 2, 3, 4}, error));
  EXPECT_EQ(error, "unknown zone");
}

TEST(SnapshotBuilder, RejectsConflictingProfileNames) {
  SnapshotBuilder builder;
  const uint32_t z = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
  addTestRecord(builder, z, "www.example.test. 300 IN A 192.0.2.1");
  std::string error;
  EXPECT_FALSE(builder.addProfileName(z, wireName("www.example.test."), 0, error));
  EXPECT_NE(error.find("already has records"), std::string::npos) << error;
  EXPECT_FALSE(builder.addProfileName(z, wireName("example.test."), 0, error));
  EXPECT_NE(error.find("zone apex"), std::string::npos) << error;
  ASSERT_TRUE(builder.addProfileName(z, wireName("App.example.test."), 0, error)) << error;
  EXPECT_FALSE(builder.addProfileName(z, wireName("app.EXAMPLE.test."), 1, error));
  EXPECT_NE(error.find("another profile"), std::string::npos) << error;
  EXPECT_FALSE(builder.addProfileName(z, wireName("app.elsewhere.test."), 1, error));
  EXPECT_NE(error.find("outside zone"), std::string::npos) << error;
  // A profile may sit on an empty non-terminal and have names below it.
  addTestRecord(builder, z, "x.ent.example.test. 300 IN A 192.0.2.1");
  EXPECT_TRUE(builder.addProfileName(z, wireName("ent.example.test."), 1, error)) << error;
}

TEST(SnapshotBuilder, RejectsDuplicateAndOverlappingZones) {
  SnapshotBuilder builder;
  const uint32_t z = addTestZone(builder, "example.test.", 3600, 300, {"ns1.example.test."});
  addTestRecord(builder, z, "a.sub.example.test. 300 IN A 192.0.2.1");
  const auto soa = wireRecord("x.test. 300 IN SOA a.test. b.test. 1 2 3 4 5");
  std::string error;
  EXPECT_EQ(builder.addZone(wireName("EXAMPLE.test."), 300, soa.rdata, 300, {}, error), kNoIndex);
  EXPECT_NE(error.find("defined twice"), std::string::npos) << error;
  EXPECT_EQ(builder.addZone(wireName("sub.example.test."), 300, soa.rdata, 300, {}, error),
            kNoIndex);
  EXPECT_NE(error.find("inside zone example.test."), std::string::npos) << error;
  EXPECT_EQ(builder.addZone(wireName("new.test."), 300, Bytes{0, 0, 1}, 300, {}, error), kNoIndex);
  EXPECT_NE(error.find("SOA RDATA"), std::string::npos) << error;
  EXPECT_EQ(builder.addZone(wireName("new.test."), 300, soa.rdata, 300, {Bytes{9}}, error),
            kNoIndex);
  EXPECT_EQ(builder.addZone(Bytes{}, 300, soa.rdata, 300, {}, error), kNoIndex);
  // Without an error out-parameter the failure is the return value alone.
  EXPECT_EQ(builder.addZone(wireName("example.test."), 300, soa.rdata, 300, {}), kNoIndex);
}

}  // namespace
}  // namespace tmdns::dns
