// Traffic Manager profile answers: record types per §3.2, TTLs, Priority, Weighted, MultiValue,
// disabled profiles/endpoints, and profiles loaded from files in ARM and CLI shape.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

class Profiles : public StandardServerTest {};

TEST_F(Profiles, FqdnEndpointAnswersCnameForAAaaaCnameAndAny) {
  // Priority: "best" (5) is disabled, so "first" (10) wins over "second" (20).
  const Rr cname = Rr::of("prio-fqdn.tm.example.test. 45 IN CNAME first.example.test.");
  for (const std::string type : {"A", "AAAA", "CNAME", "ANY"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("prio-fqdn"), type)) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {cname}, {}));
    }
  }
}

TEST_F(Profiles, OtherTypesAtAProfileNameAreNodata) {
  for (const std::string type : {"MX", "TXT", "SOA", "NS", "SRV"}) {
    SCOPED_TRACE(type);
    for (const std::string name : {"prio-fqdn", "prio-ip", "multi"}) {
      for (const auto& r : allClients(v4(), inZone(name), type)) {
        EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
      }
    }
  }
}

TEST_F(Profiles, Ipv4EndpointAnswersAOnly) {
  const Rr a = Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1");
  for (const auto& r : allClients(v4(), inZone("prio-ip"), "A")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {a}, {}));
  }
  for (const auto& r : allClients(v4(), inZone("prio-ip"), "ANY")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {a}, {}));
  }
  for (const std::string type : {"AAAA", "CNAME"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("prio-ip"), type)) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
    }
  }
  auto m = ask(v4(), inZone("prio-ip"), LDNS_RR_TYPE_AAAA);
  ASSERT_TRUE(m);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, {}, {kNegativeSoa}));
}

TEST_F(Profiles, Ipv6EndpointAnswersAaaaOnly) {
  const Rr aaaa = Rr::of("prio-ip6.tm.example.test. 90 IN AAAA 2001:db8::1");
  for (const auto& r : allClients(v4(), inZone("prio-ip6"), "AAAA")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {aaaa}, {}));
  }
  for (const auto& r : allClients(v4(), inZone("prio-ip6"), "ANY")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {aaaa}, {}));
  }
  for (const std::string type : {"A", "CNAME"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("prio-ip6"), type)) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
    }
  }
}

TEST_F(Profiles, PriorityIsStableAcrossQueries) {
  // Not random: every query gets the lowest priority number among enabled endpoints.
  for (int i = 0; i < 50; ++i) {
    QueryOptions o;
    o.id = static_cast<uint16_t>(i);
    auto m = ask(v4(), inZone("prio-ip"), LDNS_RR_TYPE_A, o);
    ASSERT_TRUE(m);
    ASSERT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR,
                               {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
  }
}

TEST_F(Profiles, DisabledProfileIsNxdomain) {
  for (const std::string type : {"A", "AAAA", "CNAME", "ANY"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("disabled-profile"), type)) {
      EXPECT_TRUE(digMatches(r, "NXDOMAIN", {}, {kNegativeSoa}));
    }
  }
}

TEST_F(Profiles, ProfileWithEveryEndpointDisabledIsNxdomain) {
  for (const std::string type : {"A", "AAAA"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("none-enabled"), type)) {
      EXPECT_TRUE(digMatches(r, "NXDOMAIN", {}, {kNegativeSoa}));
    }
  }
}

TEST_F(Profiles, WeightedSplitsProportionally) {
  // Weights 1:3. Over 4000 queries the light endpoint's share must be 25% within 5 points
  // (the binomial standard deviation is 0.7 points, so this cannot fail by chance).
  constexpr int kQueries = 4000;
  std::map<std::string, int> counts;
  UdpSocket s(v4());
  int lost = 0;
  for (int i = 0; i < kQueries; ++i) {
    QueryOptions o;
    o.id = static_cast<uint16_t>(i);
    ASSERT_TRUE(s.send(buildQuery(inZone("weighted"), LDNS_RR_TYPE_A, o)));
    std::optional<Message> m;
    const auto deadline = Clock::now() + 2s;
    while (auto wire = s.receive(deadline)) {
      std::string error;
      m = decode(*wire, error);
      ASSERT_TRUE(m) << error;
      if (m->id == o.id) {
        break;
      }
      m.reset();  // a late answer to an earlier query
    }
    if (!m) {
      ++lost;
      continue;
    }
    ASSERT_EQ(m->answer.size(), 1u);
    ASSERT_EQ(m->answer[0].type, "A");
    ASSERT_EQ(m->answer[0].ttl, 10u);
    ASSERT_TRUE(m->aa);
    ++counts[m->answer[0].rdata];
  }
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(counts.size(), 2u);
  const int light = counts["198.51.100.1"];
  const int heavy = counts["198.51.100.3"];
  EXPECT_EQ(light + heavy, kQueries - lost);
  const double lightShare = 100.0 * light / (light + heavy);
  EXPECT_NEAR(lightShare, 25.0, 5.0) << "light " << light << ", heavy " << heavy;

  // And the answer as dig prints it.
  auto r = dig(v4(), {inZone("weighted"), "A"});
  ASSERT_EQ(r.answer.size(), 1u) << r.describe();
  const std::string got = r.answer[0].rdata;
  EXPECT_TRUE(got == "198.51.100.1" || got == "198.51.100.3") << r.describe();
  EXPECT_TRUE(digMatches(r, "NOERROR", {Rr::of("weighted.tm.example.test. 10 IN A " + got)}, {}));
}

TEST_F(Profiles, MultiValueReturnsMaxReturnDistinctAddressesOfTheFamily) {
  const std::set<std::string> v4Pool = {"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4",
                                        "203.0.113.5"};  // .6 is disabled
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    QueryOptions o;
    o.id = static_cast<uint16_t>(i);
    auto m = ask(v4(), inZone("multi"), LDNS_RR_TYPE_A, o);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->rcode, LDNS_RCODE_NOERROR);
    ASSERT_TRUE(m->aa);
    ASSERT_EQ(m->answer.size(), 3u) << "maxReturn 3";
    ASSERT_TRUE(m->authority.empty());
    std::set<std::string> distinct;
    for (const auto& rr : m->answer) {
      ASSERT_EQ(rr.name, inZone("multi"));
      ASSERT_EQ(rr.type, "A");
      ASSERT_EQ(rr.ttl, 20u);
      ASSERT_TRUE(v4Pool.count(rr.rdata)) << rr;
      distinct.insert(rr.rdata);
      seen.insert(rr.rdata);
    }
    ASSERT_EQ(distinct.size(), 3u);
  }
  EXPECT_FALSE(seen.count("203.0.113.6"));

  // AAAA: only two IPv6 endpoints, so min(3, 2) = 2.
  const std::vector<Rr> v6 = {Rr::of("multi.tm.example.test. 20 IN AAAA 2001:db8::a"),
                              Rr::of("multi.tm.example.test. 20 IN AAAA 2001:db8::b")};
  for (const auto& r : allClients(v4(), inZone("multi"), "AAAA")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", v6, {}));
  }
  // CNAME: NODATA (§2.6).
  for (const auto& r : allClients(v4(), inZone("multi"), "CNAME")) {
    EXPECT_TRUE(digMatches(r, "NOERROR", {}, {kNegativeSoa}));
  }
  // dig and kdig see three distinct A records from the pool.
  for (const auto& r : allClients(v4(), inZone("multi"), "A")) {
    ASSERT_EQ(r.answer.size(), 3u) << r.describe();
    std::set<std::string> distinct;
    for (const auto& rr : r.answer) {
      EXPECT_TRUE(v4Pool.count(rr.rdata)) << r.describe();
      distinct.insert(rr.rdata);
    }
    EXPECT_EQ(distinct.size(), 3u) << r.describe();
    EXPECT_TRUE(digMatches(r, "NOERROR", r.answer, {}));
    for (const auto& rr : r.answer) {
      EXPECT_EQ(rr.ttl, 20u);
    }
  }
}

TEST_F(Profiles, ArmShapeProfileFromFile) {
  // profiles/arm-app.json: ARM shape, an endpoint name with spaces, a mixed-case type string, and
  // a read-only endpointMonitorStatus "Degraded" that must not decide health.
  const Rr cname = Rr::of("arm-app.tm.example.test. 35 IN CNAME arm-primary.example.test.");
  for (const std::string type : {"A", "AAAA", "CNAME"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("arm-app"), type)) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {cname}, {}));
    }
  }
}

TEST_F(Profiles, ArmGetExampleFromFile) {
  // profiles/arm-get-with-endpoints.json: the REST spec's GET response body (one endpoint;
  // Priority instead of Performance), target and probe made safe.
  const std::string name = "azuresdkfornetautoresttrafficmanager3880";
  for (const auto& r : allClients(v4(), inZone(name), "A")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR", {Rr::of(inZone(name) + " 35 IN CNAME foobar.example.test.")}, {}));
  }
}

TEST_F(Profiles, MultiValueProfileWithoutEndpointsIsNxdomain) {
  // profiles/arm-put-multivalue.json: the spec's MultiValue profile with "endpoints": [].
  for (const std::string type : {"A", "AAAA"}) {
    for (const auto& r : allClients(v4(), inZone("azsmnet6386"), type)) {
      EXPECT_TRUE(digMatches(r, "NXDOMAIN", {}, {kNegativeSoa}));
    }
  }
}

TEST_F(Profiles, CliShapeProfilesFromFiles) {
  // profiles/cli-contoso-app.json: §1.6 (flattened, keys sorted, resourceGroup injected, a
  // nested endpoint to contoso-app-us); the priority-1 Azure endpoint wins.
  for (const std::string type : {"A", "AAAA", "CNAME"}) {
    SCOPED_TRACE(type);
    for (const auto& r : allClients(v4(), inZone("contoso-app"), type)) {
      EXPECT_TRUE(digMatches(
          r, "NOERROR",
          {Rr::of("contoso-app.tm.example.test. 60 IN CNAME contoso-web-weu.example.test.")}, {}));
    }
    for (const auto& r : allClients(v4(), inZone("contoso-app-us"), type)) {
      EXPECT_TRUE(digMatches(
          r, "NOERROR",
          {Rr::of("contoso-app-us.tm.example.test. 60 IN CNAME us-east.example.test.")}, {}));
    }
  }
}

TEST_F(Profiles, ProfilesAnswerOverIpv6Transport) {
  for (const auto& r : allClients(v6(), inZone("prio-fqdn"), "A")) {
    EXPECT_TRUE(digMatches(
        r, "NOERROR", {Rr::of("prio-fqdn.tm.example.test. 45 IN CNAME first.example.test.")}, {}));
  }
  for (const auto& r : allClients(v6(), inZone("prio-ip"), "A")) {
    EXPECT_TRUE(
        digMatches(r, "NOERROR", {Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}, {}));
  }
}

}  // namespace
}  // namespace tmdns::e2e
