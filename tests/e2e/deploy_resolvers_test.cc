// Real resolvers in front of tmdns on loopback: unbound with a stub zone (and ECS through its
// subnetcache module) and dnsmasq forwarding the zone answer profile names, follow CNAMEs and
// pick up a failover once the TTL has run out.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::e2e::deploy {
namespace {

using probes::testing::unusedPort;

// Probing is off (the harness adds `probes: {enabled: false}`): nothing but loopback is touched.
// `app` has a one-second TTL so that a resolver's cache runs out quickly after a failover.
const std::string kConfig = R"(
listen: ["127.0.0.1:0"]
threads: 1
zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 2024010101,
          refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.tm.example.test]
    records:
      - "ns1 3600 IN A 127.0.0.1"
      - "web-primary 300 IN A 192.0.2.1"
      - "web-secondary 300 IN A 192.0.2.2"
      - "www 300 IN CNAME app.tm.example.test."
    profiles:
      - name: app
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: app, ttl: 1}
          monitorConfig: {protocol: TCP, port: 9}
          endpoints:
            - {name: primary, type: externalEndpoints,
               properties: {target: web-primary.tm.example.test, priority: 1,
                            endpointStatus: Enabled}}
            - {name: secondary, type: externalEndpoints,
               properties: {target: web-secondary.tm.example.test, priority: 2}}
      - name: subnet
        properties:
          trafficRoutingMethod: Subnet
          dnsConfig: {relativeName: subnet, ttl: 30}
          monitorConfig: {protocol: TCP, port: 9}
          endpoints:
            - {name: documentation, type: externalEndpoints,
               properties: {target: 192.0.2.51, subnets: [{first: 198.51.100.0, scope: 24}]}}
            - {name: loopback, type: externalEndpoints,
               properties: {target: 192.0.2.52, subnets: [{first: 127.0.0.0, scope: 8}]}}
            - {name: everyone-else, type: externalEndpoints, properties: {target: 192.0.2.53}}
)";

const std::vector<std::string> kPrimary = {
    "app.tm.example.test. CNAME web-primary.tm.example.test.",
    "web-primary.tm.example.test. A 192.0.2.1"};
const std::vector<std::string> kSecondary = {
    "app.tm.example.test. CNAME web-secondary.tm.example.test.",
    "web-secondary.tm.example.test. A 192.0.2.2"};

std::vector<std::string> subnetAnswer(const std::string& address) {
  return {"subnet.tm.example.test. A " + address};
}

// An answer from a recursive resolver: NOERROR, recursion available, exactly `answer`.
::testing::AssertionResult resolved(const DigResult& r, const std::vector<std::string>& answer) {
  if (r.status != "NOERROR" || !r.flag("ra") || withoutTtl(r.answer) != answer) {
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    failure << "expected NOERROR with ra and answer [";
    for (const std::string& rr : answer) {
      failure << rr << "; ";
    }
    return failure << "], got:\n" << r.describe();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult nxdomain(const DigResult& r) {
  if (r.status != "NXDOMAIN" || !r.answer.empty() || r.authority.size() != 1 ||
      r.authority[0].type != "SOA" || r.authority[0].name != "tm.example.test.") {
    return ::testing::AssertionFailure() << "expected NXDOMAIN with the zone SOA, got:\n"
                                         << r.describe();
  }
  return ::testing::AssertionSuccess();
}

class DeployResolvers : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.writeConfig(kConfig);
    ASSERT_TRUE(server_.start());
    tmdns_ = server_.v4();
  }

  // Disables `app`'s primary endpoint and reloads.
  void disablePrimary() {
    server_.writeConfig(replaceAll(kConfig, "endpointStatus: Enabled", "endpointStatus: Disabled"));
    ASSERT_EQ(server_.reload(), std::optional<bool>(true)) << server_.log();
  }

  Server server_;
  Address tmdns_;
};

// unbound with a stub zone for tm.example.test at tmdns, and a stub for "." at a loopback port
// where nothing listens: it has no other upstream, so nothing it does can leave loopback.
TEST_F(DeployResolvers, UnboundStubZoneResolvesProfilesAndFailsOver) {
  const uint16_t deadRoot = unusedPort();
  const std::string tmdnsUpstream = "127.0.0.1#" + std::to_string(tmdns_.port);
  const std::string rootUpstream = "127.0.0.1#" + std::to_string(deadRoot);
  TempDir dir;
  UnboundOptions options;
  options.port = unusedPort();
  options.stubs = {{"tm.example.test", "127.0.0.1@" + std::to_string(tmdns_.port)},
                   {".", "127.0.0.1@" + std::to_string(deadRoot)}};
  Unbound unbound;
  ASSERT_TRUE(unbound.start(dir, options));
  auto ask = [&](const std::vector<std::string>& args) {
    return resolve("127.0.0.1", options.port, args);
  };

  // The profile's CNAME and its target's address reach the client; so does a static CNAME into
  // the profile.
  EXPECT_TRUE(resolved(ask({"app.tm.example.test", "A"}), kPrimary));
  std::vector<std::string> viaWww = {"www.tm.example.test. CNAME app.tm.example.test."};
  viaWww.insert(viaWww.end(), kPrimary.begin(), kPrimary.end());
  EXPECT_TRUE(resolved(ask({"www.tm.example.test", "A"}), viaWww));
  EXPECT_TRUE(nxdomain(ask({"nothing.tm.example.test", "A"})));

  // Failover: once the one-second TTL has run out, unbound asks again and gets the secondary.
  disablePrimary();
  const DigResult after = waitForAnswer(
      [&] {
        return ask({"app.tm.example.test", "A"});
      },
      kSecondary, 10s);
  EXPECT_TRUE(resolved(after, kSecondary));

  // A name outside the zone goes to the "." stub only (and fails there).
  const DigResult outside = ask({"+time=1", "www.example.com", "A"});
  EXPECT_TRUE(outside.answer.empty()) << outside.describe();

  // Every upstream unbound ever queried: tmdns and the dead root stub, both on loopback.
  const std::vector<std::string> upstreams = unbound.upstreams();
  EXPECT_NE(std::find(upstreams.begin(), upstreams.end(), tmdnsUpstream), upstreams.end())
      << unbound.log();
  for (const std::string& upstream : upstreams) {
    EXPECT_TRUE(upstream == tmdnsUpstream || upstream == rootUpstream)
        << "unbound queried " << upstream << "\n"
        << unbound.log();
  }
}

// ECS (RFC 7871) through unbound's subnetcache module: the client's subnet reaches tmdns's
// Subnet routing, and unbound caches each answer for the scope tmdns returned.
TEST_F(DeployResolvers, UnboundSubnetcachePassesClientSubnet) {
  TempDir dir;
  UnboundOptions options;
  options.port = unusedPort();
  const uint16_t deadRoot = unusedPort();
  options.stubs = {{"tm.example.test", "127.0.0.1@" + std::to_string(tmdns_.port)},
                   {".", "127.0.0.1@" + std::to_string(deadRoot)}};
  options.sendClientSubnet = {"127.0.0.1"};
  Unbound unbound;
  ASSERT_TRUE(unbound.start(dir, options));
  auto ask = [&](const std::vector<std::string>& args) {
    return resolve("127.0.0.1", options.port, args);
  };

  const DigResult documentation = ask({"+subnet=198.51.100.7/32", "subnet.tm.example.test", "A"});
  EXPECT_TRUE(resolved(documentation, subnetAnswer("192.0.2.51")));
  // The scope is tmdns's: the /24 of the matched range (RFC 7871 §7.2.1), as unbound echoes it.
  EXPECT_NE(documentation.command.out.find("CLIENT-SUBNET: 198.51.100.7/32/24"), std::string::npos)
      << documentation.describe();
  // Without ECS from the client unbound sends the client's own /24 (127.0.0.0/24); the answer
  // cached for 198.51.100.0/24 must not be reused for it.
  EXPECT_TRUE(resolved(ask({"subnet.tm.example.test", "A"}), subnetAnswer("192.0.2.52")));
  EXPECT_TRUE(resolved(ask({"+subnet=203.0.113.9/32", "subnet.tm.example.test", "A"}),
                       subnetAnswer("192.0.2.53")));
  EXPECT_TRUE(resolved(ask({"+subnet=198.51.100.200/32", "subnet.tm.example.test", "A"}),
                       subnetAnswer("192.0.2.51")));
  for (const std::string& upstream : unbound.upstreams()) {
    EXPECT_TRUE(upstream == "127.0.0.1#" + std::to_string(tmdns_.port) ||
                upstream == "127.0.0.1#" + std::to_string(deadRoot))
        << "unbound queried " << upstream << "\n"
        << unbound.log();
  }
}

// dnsmasq forwarding only tm.example.test to tmdns (no resolv.conf, no other server).
TEST_F(DeployResolvers, DnsmasqForwardsTheZone) {
  Dnsmasq plain;
  const uint16_t plainPort = unusedPort();
  ASSERT_TRUE(plain.start(plainPort, "tm.example.test", tmdns_));
  auto ask = [&](const std::vector<std::string>& args) {
    return resolve("127.0.0.1", plainPort, args);
  };
  EXPECT_TRUE(resolved(ask({"app.tm.example.test", "A"}), kPrimary)) << plain.log();
  EXPECT_TRUE(nxdomain(ask({"nothing.tm.example.test", "A"}))) << plain.log();
  // tmdns sees dnsmasq's own address (127.0.0.1) as the client.
  EXPECT_TRUE(resolved(ask({"subnet.tm.example.test", "A"}), subnetAnswer("192.0.2.52")));
  // Anything else is refused by dnsmasq itself: it has no other upstream.
  EXPECT_EQ(ask({"www.example.com", "A"}).status, "REFUSED");

  // dnsmasq sending a fixed client subnet: tmdns routes on it, not on the packet's source.
  Dnsmasq withEcs;
  const uint16_t ecsPort = unusedPort();
  ASSERT_TRUE(withEcs.start(ecsPort, "tm.example.test", tmdns_, {"--add-subnet=198.51.100.0/24"}));
  EXPECT_TRUE(resolved(resolve("127.0.0.1", ecsPort, {"subnet.tm.example.test", "A"}),
                       subnetAnswer("192.0.2.51")))
      << withEcs.log();

  disablePrimary();
  EXPECT_TRUE(resolved(waitForAnswer(
                           [&] {
                             return ask({"app.tm.example.test", "A"});
                           },
                           kSecondary, 10s),
                       kSecondary));
}

}  // namespace
}  // namespace tmdns::e2e::deploy
