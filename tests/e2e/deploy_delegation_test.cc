// A real DNS hierarchy in a network namespace of the test's own: NSD serves a root zone and the
// parent zone example.test, which delegates tm.example.test (NS + glue) to two tmdns instances on
// port 53 of their own addresses; unbound, knowing only the root hints, resolves profile names
// through the delegation, follows the CNAME back into the parent and picks up a failover once
// the TTL has run out.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e::deploy {
namespace {

// Addresses on the namespace's own loopback (127.0.0.0/8 is local there): nothing in the
// namespace can reach anything outside it.
const std::string kResolverAddress = "127.0.0.1";
const std::string kParentAddress = "127.0.0.2";  // NSD: "." and example.test
const std::vector<std::string> kTmdnsAddresses = {"127.0.0.3", "127.0.0.4"};

// The root: just enough to refer example.test to the parent's server.
const std::string kRootZone = R"($TTL 3600
. IN SOA a.root.test. hostmaster.root.test. 1 3600 600 86400 30
. IN NS a.root.test.
a.root.test. IN A 127.0.0.2
example.test. IN NS ns1.example.test.
ns1.example.test. IN A 127.0.0.2
)";

// The parent: delegates tm.example.test to the tmdns instances (NS + glue) and holds the
// endpoints' addresses, so that the profile's CNAME leads back here.
const std::string kParentZone = R"($ORIGIN example.test.
$TTL 3600
@ IN SOA ns1 hostmaster 1 3600 600 86400 30
@ IN NS ns1
ns1 IN A 127.0.0.2
tm IN NS ns1.tm
tm IN NS ns2.tm
ns1.tm IN A 127.0.0.3
ns2.tm IN A 127.0.0.4
web-primary 300 IN A 192.0.2.1
web-secondary 300 IN A 192.0.2.2
)";

const std::string kRootHints = R"(.            3600000 NS a.root.test.
a.root.test. 3600000 A  127.0.0.2
)";

// The same configuration for both instances but for the address each listens on. tmdns starts
// as root to bind port 53 and serves as nobody. `app` has a one-second TTL.
std::string tmdnsConfig(const std::string& address, bool primaryEnabled) {
  return R"(user: nobody
listen: [")" +
         address + R"(:53"]
threads: 1
zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 2024010101,
          refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.tm.example.test, ns2.tm.example.test]
    records:
      - "ns1 3600 IN A 127.0.0.3"
      - "ns2 3600 IN A 127.0.0.4"
    profiles:
      - name: app
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: app, ttl: 1}
          monitorConfig: {protocol: TCP, port: 9}
          endpoints:
            - {name: primary, type: externalEndpoints,
               properties: {target: web-primary.example.test, priority: 1,
                            endpointStatus: )" +
         (primaryEnabled ? "Enabled" : "Disabled") + R"(}}
            - {name: secondary, type: externalEndpoints,
               properties: {target: web-secondary.example.test, priority: 2}}
)";
}

const std::vector<std::string> kPrimary = {"app.tm.example.test. CNAME web-primary.example.test.",
                                           "web-primary.example.test. A 192.0.2.1"};
const std::vector<std::string> kSecondary = {
    "app.tm.example.test. CNAME web-secondary.example.test.",
    "web-secondary.example.test. A 192.0.2.2"};

TEST(DeployDelegation, ResolverFollowsDelegationToTmdnsAndFailsOver) {
  NetNs ns;
  if (!ns.ok()) {
    GTEST_SKIP() << "the delegation test needs port 53 on addresses of its own, in a network "
                    "namespace: "
                 << ns.error();
  }
  TempDir nsdDir;
  Nsd nsd;
  ASSERT_TRUE(
      nsd.start(nsdDir, ns, kParentAddress, {{".", kRootZone}, {"example.test", kParentZone}}));

  std::vector<std::unique_ptr<Server>> servers;
  for (const std::string& address : kTmdnsAddresses) {
    auto server = std::make_unique<Server>();
    server->writeConfig(tmdnsConfig(address, true));
    makeReadable(server->dir());
    server->setBinary(ns.wrapperScript(server->dir(), "tmdns-in-netns.sh", serverBinary()));
    ASSERT_TRUE(server->start());
    ASSERT_EQ(server->v4().hostPort(), address + ":53");
    servers.push_back(std::move(server));
  }

  TempDir unboundDir;
  UnboundOptions options;
  options.address = kResolverAddress;
  options.port = 53;
  options.rootHints = kRootHints;
  Unbound unbound;
  ASSERT_TRUE(unbound.start(unboundDir, options, &ns));
  auto ask = [&](const std::vector<std::string>& args) {
    return resolve(kResolverAddress, 53, args, &ns);
  };

  // Root -> example.test -> (NS + glue) tm.example.test at tmdns -> CNAME back into the parent.
  const DigResult first = ask({"app.tm.example.test", "A"});
  EXPECT_EQ(first.status, "NOERROR") << first.describe();
  EXPECT_TRUE(first.flag("ra")) << first.describe();
  EXPECT_EQ(withoutTtl(first.answer), kPrimary) << first.describe();
  const DigResult nsSet = ask({"tm.example.test", "NS"});
  const std::vector<std::string> nsRecords = withoutTtl(nsSet.answer);
  EXPECT_EQ(std::set<std::string>(nsRecords.begin(), nsRecords.end()),
            (std::set<std::string>{"tm.example.test. NS ns1.tm.example.test.",
                                   "tm.example.test. NS ns2.tm.example.test."}))
      << nsSet.describe();
  const DigResult missing = ask({"nothing.tm.example.test", "A"});
  EXPECT_EQ(missing.status, "NXDOMAIN") << missing.describe();

  // Both instances answer the same, authoritatively.
  for (const std::string& address : kTmdnsAddresses) {
    const DigResult direct = resolve(address, 53, {"+norec", "app.tm.example.test", "A"}, &ns);
    EXPECT_TRUE(direct.flag("aa")) << direct.describe();
    EXPECT_EQ(withoutTtl(direct.answer),
              std::vector<std::string>{"app.tm.example.test. CNAME web-primary.example.test."})
        << direct.describe();
  }

  // Drain the primary on every instance; once the one-second TTL has run out unbound asks again
  // and the client gets the secondary.
  for (size_t i = 0; i < servers.size(); ++i) {
    servers[i]->writeConfig(tmdnsConfig(kTmdnsAddresses[i], false));
    makeReadable(servers[i]->dir());
    ASSERT_EQ(servers[i]->reload(), std::optional<bool>(true)) << servers[i]->log();
  }
  const DigResult after = waitForAnswer(
      [&] {
        return ask({"app.tm.example.test", "A"});
      },
      kSecondary, 10s);
  EXPECT_EQ(after.status, "NOERROR") << after.describe();
  EXPECT_EQ(withoutTtl(after.answer), kSecondary) << after.describe();

  // unbound learnt tmdns's addresses only from the parent's glue, and queried nothing else.
  const std::vector<std::string> upstreams = unbound.upstreams();
  const std::set<std::string> allowed = {kParentAddress + "#53", kTmdnsAddresses[0] + "#53",
                                         kTmdnsAddresses[1] + "#53"};
  for (const std::string& upstream : upstreams) {
    EXPECT_TRUE(allowed.count(upstream) == 1) << "unbound queried " << upstream;
  }
  EXPECT_TRUE(std::count(upstreams.begin(), upstreams.end(), kParentAddress + "#53") > 0)
      << unbound.log();
  EXPECT_TRUE(std::any_of(upstreams.begin(), upstreams.end(), [](const std::string& u) {
    return u == "127.0.0.3#53" || u == "127.0.0.4#53";
  })) << unbound.log();
}

}  // namespace
}  // namespace tmdns::e2e::deploy
