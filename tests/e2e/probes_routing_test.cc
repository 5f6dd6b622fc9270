// traffic-manager.md §8 cases 1–6, 11 and 13 with health coming from real probes of loopback
// backends: Priority failover and fail-open, NXDOMAIN and NODATA cases, the Weighted split,
// MultiValue and nested minChildEndpoints.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/probe_harness.h"

namespace tmdns::e2e {
namespace {

using Mode = HttpBackend::Mode;

Rr a(const std::string& relative, const std::string& address) {
  return Rr::of(inZone(relative) + " 30 IN A " + address);
}

std::vector<std::string> split(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  for (std::string item; std::getline(in, item, ',');) {
    out.push_back(item);
  }
  return out;
}

std::string show(const std::map<std::string, int>& counts) {
  std::ostringstream os;
  for (const auto& [key, n] : counts) {
    os << "\n  " << key << ": " << n;
  }
  return os.str();
}

TEST(ProbeRouting, PriorityFailoverAndFailOpen) {
  // §8 cases 1 and 2: e1 Degraded, e2 and e3 Online => e2; all Degraded => e1 (fail-open: the
  // lowest priority number), then e3 recovering => e3.
  BackendGroup backends({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  ASSERT_TRUE(backends.ok());
  backends[0].setMode(Mode::k503);
  Server s;
  s.writeConfig(
      probeConfig({profileYaml("prio", "Priority", monitorYaml("HTTP", backends.port(), 0),
                               {endpointYaml("e1", "127.0.0.2", "priority: 1"),
                                endpointYaml("e2", "127.0.0.3", "priority: 2"),
                                endpointYaml("e3", "127.0.0.4", "priority: 3")})}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("prio");

  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {a("prio", "127.0.0.2")},
                                  {a("prio", "127.0.0.3")}, started, 0));
  EXPECT_TRUE(loggedWithin(s, statusLine("prio/e1", "CheckingEndpoint", "Degraded", "HTTP 503"),
                           started, 0));
  for (const std::string e : {"e2", "e3"}) {
    ASSERT_TRUE(loggedWithin(s, statusLine("prio/" + e, "CheckingEndpoint", "Online", "HTTP 200"),
                             started, 0));
  }
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {a("prio", "127.0.0.3")}, {}));

  // Every endpoint Degraded: fail-open answers the lowest priority number.
  backends[1].setMode(Mode::k503);
  backends[2].setMode(Mode::k503);
  const auto allDown = Clock::now();
  for (const std::string e : {"e2", "e3"}) {
    ASSERT_TRUE(
        loggedWithin(s, statusLine("prio/" + e, "Online", "Degraded", "HTTP 503"), allDown, 0));
  }
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {a("prio", "127.0.0.2")}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {a("prio", "127.0.0.2")}, {}));

  // e3 recovers: the only eligible endpoint.
  backends[2].setMode(Mode::k200);
  const auto e3Back = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {a("prio", "127.0.0.2")},
                                  {a("prio", "127.0.0.4")}, e3Back, 0));
  EXPECT_TRUE(loggedWithin(s, statusLine("prio/e3", "Degraded", "Online", "HTTP 200"), e3Back, 0));
}

TEST(ProbeRouting, NxdomainAndNodataCasesWithProbedEndpoints) {
  // §8 case 3 (disabled profile), case 4 (every endpoint disabled): NXDOMAIN although their
  // backends are healthy, and they are not probed at all (§4.4). Case 5: one IPv4 endpoint
  // Online answers A, and NODATA for AAAA and CNAME.
  BackendGroup live({"127.0.0.2"});
  BackendGroup unprobed({"127.0.0.3", "127.0.0.4"});
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(unprobed.ok());
  const std::string unprobedMonitor = monitorYaml("HTTP", unprobed.port(), 0);
  Server s;
  s.writeConfig(probeConfig(
      {profileYaml("off", "Priority", unprobedMonitor,
                   {endpointYaml("e1", "127.0.0.3", "priority: 1"),
                    endpointYaml("e2", "127.0.0.4", "priority: 2")},
                   "profileStatus: Disabled"),
       profileYaml("none", "Priority", unprobedMonitor,
                   {endpointYaml("e1", "127.0.0.3", "priority: 1, endpointStatus: Disabled"),
                    endpointYaml("e2", "127.0.0.4", "priority: 2, endpointStatus: Disabled")}),
       profileYaml("v4", "Priority", monitorYaml("HTTP", live.port(), 0),
                   {endpointYaml("e1", "127.0.0.2")})}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  ASSERT_TRUE(
      loggedWithin(s, statusLine("v4/e1", "CheckingEndpoint", "Online", "HTTP 200"), started, 0));

  // Case 5.
  const Rr v4 = a("v4", "127.0.0.2");
  EXPECT_TRUE(answers(s.v4(), inZone("v4"), LDNS_RR_TYPE_A, {v4}));
  EXPECT_TRUE(answers(s.v4(), inZone("v4"), LDNS_RR_TYPE_ANY, {v4}));
  for (const auto type : {LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_CNAME}) {
    EXPECT_TRUE(negative(s.v4(), inZone("v4"), type, LDNS_RCODE_NOERROR, {kNegativeSoa}));
  }
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("v4"), "AAAA"}), "NOERROR", {}, {kNegativeSoa}));

  // Cases 3 and 4, over three more probe rounds of the live profile.
  const int rounds = live[0].requestCount();
  const auto deadline = Clock::now() + 30s;
  while (live[0].requestCount() < rounds + 3 && Clock::now() < deadline) {
    for (const std::string p : {"off", "none"}) {
      for (const auto type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
        ASSERT_TRUE(negative(s.v4(), inZone(p), type, LDNS_RCODE_NXDOMAIN, {kNegativeSoa}));
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_GE(live[0].requestCount(), rounds + 3);
  for (const std::string p : {"off", "none"}) {
    EXPECT_TRUE(digMatches(dig(s.v4(), {inZone(p), "A"}), "NXDOMAIN", {}, {kNegativeSoa}));
  }
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(unprobed[i].peers().size(), 0u) << "a disabled endpoint or profile was probed";
  }
  for (const std::string label : {"off/e1", "off/e2", "none/e1", "none/e2"}) {
    EXPECT_TRUE(statusLines(s, label).empty()) << s.log();
  }
}

TEST(ProbeRouting, WeightedSplitFollowsProbedHealth) {
  // §8 case 6: weights 1:3, both Online => e1 gets 25 % (±3 points over 5000 queries: the
  // binomial standard deviation is 0.6 points); e2 Degraded => 100 % e1.
  BackendGroup backends({"127.0.0.2", "127.0.0.3"});
  ASSERT_TRUE(backends.ok());
  Server s;
  s.writeConfig(
      probeConfig({profileYaml("weighted", "Weighted", monitorYaml("HTTP", backends.port(), 0),
                               {endpointYaml("e1", "127.0.0.2", "weight: 1"),
                                endpointYaml("e2", "127.0.0.3", "weight: 3")})}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("weighted");
  for (const std::string e : {"e1", "e2"}) {
    ASSERT_TRUE(loggedWithin(
        s, statusLine("weighted/" + e, "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  }
  constexpr int kQueries = 5000;
  auto counts = tally(s.v4(), name, LDNS_RR_TYPE_A, kQueries);
  EXPECT_EQ(counts.size(), 2u) << show(counts);
  const int light = counts["127.0.0.2"];
  const int heavy = counts["127.0.0.3"];
  EXPECT_EQ(light + heavy, kQueries) << show(counts);
  EXPECT_NEAR(100.0 * light / kQueries, 25.0, 3.0) << show(counts);

  backends[1].setMode(Mode::k503);
  const auto failing = Clock::now();
  ASSERT_TRUE(
      loggedWithin(s, statusLine("weighted/e2", "Online", "Degraded", "HTTP 503"), failing, 0));
  counts = tally(s.v4(), name, LDNS_RR_TYPE_A, 1000);
  EXPECT_EQ(counts, (std::map<std::string, int>{{"127.0.0.2", 1000}})) << show(counts);
  EXPECT_TRUE(answers(s.v4(), name, LDNS_RR_TYPE_A, {a("weighted", "127.0.0.2")}));
}

TEST(ProbeRouting, MultiValueNeverReturnsADegradedAddress) {
  // §8 case 11: maxReturn 3; IPv4 endpoints 127.0.0.2-5, IPv6 endpoints ::1 and
  // ::ffff:127.0.0.6 (IPv4-mapped: its probe reaches 127.0.0.6 over loopback), all probed.
  BackendGroup backends({"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "::1", "127.0.0.6"});
  ASSERT_TRUE(backends.ok()) << "cannot listen on one port of 127.0.0.2-6 and ::1";
  const std::vector<std::string> targets = {"127.0.0.2", "127.0.0.3", "127.0.0.4",
                                            "127.0.0.5", "::1",       "::ffff:127.0.0.6"};
  std::vector<std::string> endpoints;
  for (size_t i = 0; i < targets.size(); ++i) {
    endpoints.push_back(endpointYaml("m" + std::to_string(i + 1), targets[i]));
  }
  Server s;
  s.writeConfig(probeConfig({profileYaml(
      "multi", "MultiValue", monitorYaml("HTTP", backends.port(), 0), endpoints, "maxReturn: 3")}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("multi");
  for (size_t i = 0; i < targets.size(); ++i) {
    ASSERT_TRUE(loggedWithin(
        s, statusLine("multi/m" + std::to_string(i + 1), "CheckingEndpoint", "Online", "HTTP 200"),
        started, 0));
  }
  // The IPv4-mapped target's probe arrived at 127.0.0.6 with its bracketed literal as Host.
  EXPECT_GE(backends.requestsContaining(5, "\r\nHost: [::ffff:127.0.0.6]\r\n"), 1);

  const std::set<std::string> pool = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};
  auto counts = tally(s.v4(), name, LDNS_RR_TYPE_A, 300);
  std::set<std::string> seen;
  for (const auto& [key, n] : counts) {
    const auto rdatas = split(key);
    const std::set<std::string> distinct(rdatas.begin(), rdatas.end());
    EXPECT_EQ(rdatas.size(), 3u) << show(counts);
    EXPECT_EQ(distinct.size(), 3u) << show(counts);
    for (const auto& r : rdatas) {
      EXPECT_TRUE(pool.count(r)) << show(counts);
      seen.insert(r);
    }
  }
  EXPECT_EQ(seen, pool) << show(counts);
  auto m = ask(s.v4(), name, LDNS_RR_TYPE_A);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->answer.size(), 3u);
  for (const auto& rr : m->answer) {
    EXPECT_EQ(rr.ttl, 30u);
    EXPECT_EQ(rr.name, name);
  }
  EXPECT_TRUE(
      answers(s.v4(), name, LDNS_RR_TYPE_AAAA,
              {Rr::of(name + " 30 IN AAAA ::1"), Rr::of(name + " 30 IN AAAA ::ffff:127.0.0.6")}));
  EXPECT_TRUE(negative(s.v4(), name, LDNS_RR_TYPE_CNAME, LDNS_RCODE_NOERROR, {kNegativeSoa}));

  // .2 Degraded: it never appears again; three IPv4 endpoints are left, all three answered.
  backends[0].setMode(Mode::k503);
  const auto failing = Clock::now();
  ASSERT_TRUE(
      loggedWithin(s, statusLine("multi/m1", "Online", "Degraded", "HTTP 503"), failing, 0));
  counts = tally(s.v4(), name, LDNS_RR_TYPE_A, 500);
  EXPECT_EQ(counts, (std::map<std::string, int>{{"127.0.0.3,127.0.0.4,127.0.0.5", 500}}))
      << show(counts);
  for (const auto& r : dig(s.v4(), {name, "A"}).answer) {
    EXPECT_NE(r.rdata, "127.0.0.2");
  }
}

TEST(ProbeRouting, NestedMinChildEndpointsCountsProbedChildren) {
  // §8 case 13 with IPv4 leaves: parent Priority n1 (nested, priority 1) -> child Weighted
  // {c1 127.0.0.2, c2 127.0.0.3}, e2 127.0.0.4 priority 2. The answer is the leaf's A record
  // under the parent's name and TTL.
  BackendGroup backends({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  ASSERT_TRUE(backends.ok());
  backends[1].setMode(Mode::k503);
  const std::string monitor = monitorYaml("HTTP", backends.port(), 0);
  const auto config = [&](int minChild) {
    return probeConfig(
        {profileYaml("parent", "Priority", monitor,
                     {"{name: n1, type: nestedEndpoints, properties: {targetResourceId: "
                      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/"
                      "trafficManagerProfiles/child, priority: 1, minChildEndpoints: " +
                          std::to_string(minChild) + "}}",
                      endpointYaml("e2", "127.0.0.4", "priority: 2")}),
         profileYaml("child", "Weighted", monitor,
                     {endpointYaml("c1", "127.0.0.2", "weight: 1"),
                      endpointYaml("c2", "127.0.0.3", "weight: 1")})});
  };
  Server s;
  s.writeConfig(config(2));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string parent = inZone("parent");
  ASSERT_TRUE(loggedWithin(s, statusLine("child/c1", "CheckingEndpoint", "Online", "HTTP 200"),
                           started, 0));
  ASSERT_TRUE(loggedWithin(s, statusLine("child/c2", "CheckingEndpoint", "Degraded", "HTTP 503"),
                           started, 0));
  ASSERT_TRUE(loggedWithin(s, statusLine("parent/e2", "CheckingEndpoint", "Online", "HTTP 200"),
                           started, 0));
  // minChildEndpoints 2, one child Online: n1 is Degraded, e2 answers.
  EXPECT_TRUE(answers(s.v4(), parent, LDNS_RR_TYPE_A, {a("parent", "127.0.0.4")}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {parent, "A"}), "NOERROR", {a("parent", "127.0.0.4")}, {}));

  // c2 recovers: two children Online, n1 is eligible and the child's Weighted split answers.
  backends[1].setMode(Mode::k200);
  const auto healed = Clock::now();
  ASSERT_TRUE(loggedWithin(s, statusLine("child/c2", "Degraded", "Online", "HTTP 200"), healed, 0));
  auto counts = tally(s.v4(), parent, LDNS_RR_TYPE_A, 400);
  EXPECT_EQ(counts.size(), 2u) << show(counts);
  EXPECT_GT(counts["127.0.0.2"], 0) << show(counts);
  EXPECT_GT(counts["127.0.0.3"], 0) << show(counts);
  EXPECT_EQ(counts["127.0.0.2"] + counts["127.0.0.3"], 400) << show(counts);

  // c2 fails again: back to e2.
  backends[1].setMode(Mode::k503);
  const auto failing = Clock::now();
  ASSERT_TRUE(
      loggedWithin(s, statusLine("child/c2", "Online", "Degraded", "HTTP 503"), failing, 0));
  EXPECT_TRUE(answers(s.v4(), parent, LDNS_RR_TYPE_A, {a("parent", "127.0.0.4")}));

  // minChildEndpoints 1 (a reload; probe health is kept): n1 is Online with c1 alone, whose
  // address is the answer.
  s.writeConfig(config(1));
  auto reloaded = s.reload();
  ASSERT_TRUE(reloaded.has_value());
  ASSERT_TRUE(*reloaded) << s.log();
  EXPECT_TRUE(answers(s.v4(), parent, LDNS_RR_TYPE_A, {a("parent", "127.0.0.2")}));
  counts = tally(s.v4(), parent, LDNS_RR_TYPE_A, 200);
  EXPECT_EQ(counts, (std::map<std::string, int>{{"127.0.0.2", 200}})) << show(counts);
  EXPECT_TRUE(digMatches(dig(s.v4(), {parent, "A"}), "NOERROR", {a("parent", "127.0.0.2")}, {}));
}

}  // namespace
}  // namespace tmdns::e2e
