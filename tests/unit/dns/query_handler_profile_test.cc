// Unit tests for dns::QueryHandler at profile names: §3.2 record types, routing outcomes, ECS echo.
#include "dns/query_handler.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/unit/dns/handler_fixture.h"

namespace tmdns::dns {
namespace {

using test::answers;
using test::authority;
using test::Bytes;
using test::decode;
using test::ecsOption;
using test::HandlerTest;
using test::kSoa;
using test::makeQuery;
using test::QueryOptions;
using Strings = std::vector<std::string>;

struct TypeCase {
  std::string profile;
  uint16_t type;
  Strings answer;  // empty: NODATA with the SOA
};

// traffic-manager.md §3.2: selection first, then the record-type table per endpoint kind.
TEST_F(HandlerTest, AppliesTheRecordTypeTableToTheSelectedEndpoint) {
  const std::string cname = "app.example.test. 30 IN CNAME web.example.net.";
  const std::string a = "v4.example.test. 30 IN A 203.0.113.10";
  const std::string aaaa = "v6.example.test. 30 IN AAAA 2001:db8::10";
  const std::vector<TypeCase> cases = {
      {"app", kTypeA, {cname}},   {"app", kTypeAaaa, {cname}}, {"app", kTypeCname, {cname}},
      {"app", kTypeAny, {cname}}, {"app", kTypeMx, {}},        {"app", kTypeTxt, {}},
      {"v4", kTypeA, {a}},        {"v4", kTypeAaaa, {}},       {"v4", kTypeCname, {}},
      {"v4", kTypeAny, {a}},      {"v4", kTypeMx, {}},         {"v6", kTypeA, {}},
      {"v6", kTypeAaaa, {aaaa}},  {"v6", kTypeCname, {}},      {"v6", kTypeAny, {aaaa}},
      {"v6", kTypeSoa, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.profile + " " + std::to_string(c.type));
    auto p = askDecoded(c.profile + ".example.test.", c.type);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
    EXPECT_TRUE(ldns_pkt_aa(p.get()));
    EXPECT_EQ(answers(p), c.answer);
    EXPECT_EQ(authority(p), c.answer.empty() ? Strings{kSoa} : Strings{});
  }
}

TEST_F(HandlerTest, FailsOverWhenThePreferredEndpointIsDegraded) {
  health_.status[0] = routing::MonitorStatus::kDegraded;
  auto p = askDecoded("app.example.test.", kTypeA);
  EXPECT_EQ(answers(p), Strings{"app.example.test. 30 IN CNAME backup.example.net."});
}

TEST_F(HandlerTest, DisabledProfileIsNxdomainForEveryType) {
  for (const uint16_t type : {kTypeA, kTypeAaaa, kTypeMx, kTypeAny}) {
    SCOPED_TRACE(type);
    auto p = askDecoded("off.example.test.", type);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NXDOMAIN);
    EXPECT_TRUE(ldns_pkt_aa(p.get()));
    EXPECT_TRUE(answers(p).empty());
    EXPECT_EQ(authority(p), Strings{kSoa});
  }
  // Names below a profile name do not exist either.
  auto below = askDecoded("x.app.example.test.", kTypeA);
  EXPECT_EQ(ldns_pkt_get_rcode(below.get()), LDNS_RCODE_NXDOMAIN);
}

struct ChainCase {
  std::string name;
  uint16_t type;
  ldns_pkt_rcode rcode;
  Strings answer;
  Strings authority;
};

TEST_F(HandlerTest, FollowsCnamesIntoAndOutOfProfiles) {
  const std::vector<ChainCase> cases = {
      // A profile CNAME into our own zone is followed (TTL 45 is the profile's).
      {"internal.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"internal.example.test. 45 IN CNAME www.example.test.",
        "www.example.test. 300 IN A 192.0.2.1", "www.example.test. 300 IN A 192.0.2.2"},
       {}},
      {"internal.example.test.",
       kTypeAny,
       LDNS_RCODE_NOERROR,
       {"internal.example.test. 45 IN CNAME www.example.test."},
       {}},
      // A static CNAME into a profile name is followed into routing.
      {"to-app.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"to-app.example.test. 120 IN CNAME app.example.test.",
        "app.example.test. 30 IN CNAME web.example.net."},
       {}},
      {"to-v4.example.test.",
       kTypeA,
       LDNS_RCODE_NOERROR,
       {"to-v4.example.test. 120 IN CNAME v4.example.test.",
        "v4.example.test. 30 IN A 203.0.113.10"},
       {}},
      {"to-v4.example.test.",
       kTypeAaaa,
       LDNS_RCODE_NOERROR,
       {"to-v4.example.test. 120 IN CNAME v4.example.test."},
       {kSoa}},
      {"to-off.example.test.",
       kTypeA,
       LDNS_RCODE_NXDOMAIN,
       {"to-off.example.test. 120 IN CNAME off.example.test."},
       {kSoa}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + " " + std::to_string(c.type));
    auto p = askDecoded(c.name, c.type);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), c.rcode);
    EXPECT_TRUE(ldns_pkt_aa(p.get()));
    EXPECT_EQ(answers(p), c.answer);
    EXPECT_EQ(authority(p), c.authority);
  }
}

TEST_F(HandlerTest, MultiValueAnswersUpToMaxReturnOfTheQueriedFamily) {
  const std::set<std::string> v4 = {
      "mv.example.test. 30 IN A 198.51.100.1", "mv.example.test. 30 IN A 198.51.100.2",
      "mv.example.test. 30 IN A 198.51.100.3", "mv.example.test. 30 IN A 198.51.100.4"};
  for (int i = 0; i < 20; ++i) {
    auto p = askDecoded("mv.example.test.", kTypeA);
    const Strings got = answers(p);
    ASSERT_EQ(got.size(), 3u);
    const std::set<std::string> distinct(got.begin(), got.end());
    EXPECT_EQ(distinct.size(), 3u);
    for (const auto& rr : got) {
      EXPECT_EQ(v4.count(rr), 1u) << rr;
    }
  }
  auto six = askDecoded("mv.example.test.", kTypeAaaa);
  const Strings got6 = answers(six);
  EXPECT_EQ(std::set<std::string>(got6.begin(), got6.end()),
            (std::set<std::string>{"mv.example.test. 30 IN AAAA 2001:db8::a",
                                   "mv.example.test. 30 IN AAAA 2001:db8::b"}));
  auto cname = askDecoded("mv.example.test.", kTypeCname);
  EXPECT_TRUE(answers(cname).empty());
  EXPECT_EQ(authority(cname), Strings{kSoa});
  // A Degraded endpoint is left out while healthy ones remain.
  health_.status[6] = routing::MonitorStatus::kDegraded;
  for (int i = 0; i < 20; ++i) {
    auto p = askDecoded("mv.example.test.", kTypeA);
    for (const auto& rr : answers(p)) {
      EXPECT_NE(rr, "mv.example.test. 30 IN A 198.51.100.1");
    }
  }
}

QueryOptions withEcs(const Bytes& option) {
  QueryOptions o;
  o.edns = true;
  o.options = option;
  return o;
}

TEST_F(HandlerTest, EchoesIpv4EcsWithScopeZero) {
  const Bytes option = ecsOption(1, 24, 0, {198, 51, 100});
  for (const std::string name : {"app.example.test.", "www.example.test.", "nope.example.test."}) {
    SCOPED_TRACE(name);
    auto p = askDecoded(name, kTypeA, withEcs(option));
    ASSERT_NE(p, nullptr);
    // RFC 7871 §7.2.1: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS echoed; SCOPE 0 because the
    // answer does not depend on the client.
    EXPECT_EQ(test::optData(p), option);
  }
  EXPECT_EQ(handler_.counters().ecs, 3u);
}

TEST_F(HandlerTest, EchoesIpv6EcsAndZeroPrefixes) {
  const Bytes v6 = ecsOption(2, 56, 0, {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56});
  auto p = askDecoded("v6.example.test.", kTypeAaaa, withEcs(v6));
  EXPECT_EQ(answers(p), Strings{"v6.example.test. 30 IN AAAA 2001:db8::10"});
  EXPECT_EQ(test::optData(p), v6);
  const Bytes zero = ecsOption(1, 0, 0, {});
  auto z = askDecoded("app.example.test.", kTypeA, withEcs(zero));
  EXPECT_EQ(test::optData(z), zero);
  EXPECT_EQ(answers(z), Strings{"app.example.test. 30 IN CNAME web.example.net."});
  // Also on a refusal: the option was valid and is answered, with scope 0.
  auto refused = askDecoded("www.example.com.", kTypeA, withEcs(v6));
  EXPECT_EQ(ldns_pkt_get_rcode(refused.get()), LDNS_RCODE_REFUSED);
  EXPECT_EQ(test::optData(refused), v6);
}

TEST_F(HandlerTest, EcsSurvivesTruncation) {
  const Bytes option = ecsOption(1, 24, 0, {198, 51, 100});
  const Bytes response = ask(makeQuery("big.example.test.", kTypeTxt, withEcs(option)));
  ASSERT_LE(response.size(), 1232u);
  auto p = decode(response);
  EXPECT_TRUE(ldns_pkt_tc(p.get()));
  EXPECT_EQ(test::optData(p), option);
}

// A policy that answers its first endpoint with a fixed ECS scope and records what it was asked,
// standing in for the client-aware methods (Geographic, Performance, Subnet).
class ScopedPolicy final : public routing::Policy {
 public:
  ScopedPolicy(uint8_t scope, routing::Request* seen) : scope_(scope), seen_(seen) {}
  void select(const routing::Context& ctx, const routing::Profile& profile,
              routing::Selection& out) const noexcept override {
    *seen_ = ctx.request;
    out.add(profile.firstEndpoint);
    out.ecsScope = scope_;
  }

 private:
  uint8_t scope_;
  routing::Request* seen_;
};

class ScopedProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SnapshotBuilder b;
    const uint32_t z = test::addTestZone(b, "example.test.", 3600, 300, {"ns1.example.test."});
    test::addTestRecord(b, z, "to-geo.example.test. 60 IN CNAME geo.example.test.");
    std::string error;
    ASSERT_TRUE(b.addProfileName(z, test::wireName("geo.example.test."), 0, error)) << error;
    routing::Table table;
    routing::Profile profile;
    profile.endpointCount = 1;
    profile.ttl = 20;
    table.profiles.push_back(profile);
    routing::Endpoint endpoint;
    endpoint.profile = 0;
    endpoint.kind = routing::TargetKind::kIPv4;
    table.endpoints.push_back(endpoint);
    table.policies.push_back(std::make_unique<ScopedPolicy>(scope_, &seen_));
    table.profiles[0].policy = table.policies.back().get();
    b.setRouting(std::move(table));
    b.setEndpointAnswer(0, kTypeA, Bytes{192, 0, 2, 7});
    snapshot_ = b.finish();
    out_.assign(65535, 0);
  }

  test::Packet ask(const std::string& name, const Bytes& ecs) {
    QueryOptions o;
    o.edns = true;
    o.options = ecs;
    const Bytes query = makeQuery(name, kTypeA, o);
    const size_t n = handler_.handle(*snapshot_, {}, query, source_, Transport::kUdp, out_);
    return decode(Bytes(out_.begin(), out_.begin() + static_cast<long>(n)));
  }

  uint8_t scope_ = 24;
  routing::Request seen_;
  std::unique_ptr<Snapshot> snapshot_;
  QueryHandler handler_{1};
  routing::ClientInfo source_ = test::ipv4Source(192, 0, 2, 99);
  Bytes out_;
};

TEST_F(ScopedProfileTest, EchoesTheRoutingScopeAndRoutesOnTheEcsPrefix) {
  auto p = ask("geo.example.test.", ecsOption(1, 24, 0, {198, 51, 100}));
  EXPECT_EQ(answers(p), Strings{"geo.example.test. 20 IN A 192.0.2.7"});
  EXPECT_EQ(test::optData(p), ecsOption(1, 24, 24, {198, 51, 100}));
  EXPECT_TRUE(seen_.client.fromEcs);
  EXPECT_EQ(seen_.client.family, 4);
  EXPECT_EQ(seen_.client.sourcePrefix, 24);
  EXPECT_EQ(Bytes(seen_.client.addr, seen_.client.addr + 4), (Bytes{198, 51, 100, 0}));
  EXPECT_EQ(seen_.family, routing::Family::kV4);
  // Through a static CNAME the answer still depends on the client.
  auto chained = ask("to-geo.example.test.", ecsOption(1, 20, 0, {198, 51, 96}));
  EXPECT_EQ(answers(chained), (Strings{"to-geo.example.test. 60 IN CNAME geo.example.test.",
                                       "geo.example.test. 20 IN A 192.0.2.7"}));
  // The routing scope (24) is clamped to the /20 the client sent.
  EXPECT_EQ(test::optData(chained), ecsOption(1, 20, 20, {198, 51, 96}));
}

TEST_F(ScopedProfileTest, RoutesOnTheSourceWithoutEcsOrWithAZeroPrefix) {
  auto p = ask("geo.example.test.", ecsOption(1, 0, 0, {}));
  // RFC 7871 §7.1.2: a /0 source opts out; the answer is not tailored to any prefix.
  EXPECT_EQ(test::optData(p), ecsOption(1, 0, 0, {}));
  EXPECT_FALSE(seen_.client.fromEcs);
  EXPECT_EQ(seen_.client.sourcePrefix, 32);
  EXPECT_EQ(Bytes(seen_.client.addr, seen_.client.addr + 4), (Bytes{192, 0, 2, 99}));
  auto plain = ask("geo.example.test.", {});
  EXPECT_TRUE(test::optData(plain).empty());
  EXPECT_FALSE(seen_.client.fromEcs);
}

// The scope never exceeds the source prefix the client sent (issue 3).
TEST_F(ScopedProfileTest, ClampsTheScopeToTheSourcePrefix) {
  scope_ = 64;
  SetUp();
  auto p = ask("geo.example.test.", ecsOption(1, 24, 0, {198, 51, 100}));
  EXPECT_EQ(test::optData(p), ecsOption(1, 24, 24, {198, 51, 100}));
  auto six = ask("geo.example.test.", ecsOption(2, 48, 0, {0x20, 0x01, 0x0d, 0xb8, 0, 1}));
  EXPECT_EQ(test::optData(six), ecsOption(2, 48, 48, {0x20, 0x01, 0x0d, 0xb8, 0, 1}));
  EXPECT_EQ(seen_.client.family, 6);
}

}  // namespace
}  // namespace tmdns::dns
