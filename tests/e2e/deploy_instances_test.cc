// Several tmdns instances serving one zone from the same configuration (as behind an NS set, or
// as the replicas of deploy/kubernetes): identical answers, and each instance probes the
// endpoints on its own, so each fails over and back without the other.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/dig.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::e2e::deploy {
namespace {

using probes::testing::HttpBackend;

// Every endpoint is a loopback HTTP backend of this test, probed every 2 s with a 1 s timeout and
// no tolerated failure: probing never leaves loopback. PORT is the backends' shared port.
const std::string kConfig = R"(
listen: ["127.0.0.1:0"]
threads: 1
probes: {enabled: true}
zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 2024010101,
          refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.tm.example.test, ns2.tm.example.test]
    records:
      - "ns1 3600 IN A 127.0.0.1"
      - "ns2 3600 IN A 127.0.0.2"
      - "www 300 IN CNAME app.tm.example.test."
    profiles:
      - name: app
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: app, ttl: 5}
          monitorConfig: {protocol: HTTP, port: PORT, path: /health, intervalInSeconds: 2,
                          timeoutInSeconds: 1, toleratedNumberOfFailures: 0}
          endpoints:
            - {name: primary, type: externalEndpoints, properties: {target: 127.0.0.1, priority: 1}}
            - {name: secondary, type: externalEndpoints, properties: {target: 127.0.0.2, priority: 2}}
      - name: pool
        properties:
          trafficRoutingMethod: MultiValue
          maxReturn: 2
          dnsConfig: {relativeName: pool, ttl: 5}
          monitorConfig: {protocol: HTTP, port: PORT, path: /health, intervalInSeconds: 2,
                          timeoutInSeconds: 1, toleratedNumberOfFailures: 0}
          endpoints:
            - {name: one, type: externalEndpoints, properties: {target: 127.0.0.1}}
            - {name: two, type: externalEndpoints, properties: {target: 127.0.0.2}}
)";

Rr record(const std::string& text) {
  return Rr::of(text);
}

const Rr kPrimary = record("app.tm.example.test. 5 IN A 127.0.0.1");
const Rr kSecondary = record("app.tm.example.test. 5 IN A 127.0.0.2");
const Rr kWww = record("www.tm.example.test. 300 IN CNAME app.tm.example.test.");

// Asks until `name` A is exactly `want` (or gives up after `limit`); returns the last answer.
DigResult waitFor(const Address& server, const std::string& name, const std::vector<Rr>& want,
                  Clock::duration limit) {
  const Clock::time_point deadline = Clock::now() + limit;
  for (;;) {
    DigResult r = dig(server, {name, "A"});
    if ((r.status == "NOERROR" && sameRecords(r.answer, want)) || Clock::now() >= deadline) {
      return r;
    }
    std::this_thread::sleep_for(100ms);
  }
}

bool loggedStatus(const Server& server, const std::string& label, const std::string& change) {
  return std::regex_search(server.log(), std::regex("tmdns: " + label + ": " + change));
}

TEST(DeployInstances, SameConfigurationSameAnswersEachProbesOnItsOwn) {
  // Both endpoints' backends on one port (a profile has one monitor port).
  std::unique_ptr<HttpBackend> primary;
  std::unique_ptr<HttpBackend> secondary;
  for (int attempt = 0; attempt < 5 && !(secondary && secondary->port() != 0); ++attempt) {
    primary = std::make_unique<HttpBackend>("127.0.0.1");
    secondary = std::make_unique<HttpBackend>("127.0.0.2", primary->port());
  }
  ASSERT_NE(secondary->port(), 0) << "no port free on both 127.0.0.1 and 127.0.0.2";
  const std::string config = replaceAll(kConfig, "PORT", std::to_string(primary->port()));

  std::vector<std::unique_ptr<Server>> servers;
  for (int i = 0; i < 2; ++i) {
    servers.push_back(std::make_unique<Server>());
    servers.back()->writeConfig(config);
    ASSERT_TRUE(servers.back()->start());
  }
  ASSERT_EQ(readFile(servers[0]->configPath()), readFile(servers[1]->configPath()));

  // Once each has probed every endpoint Online by itself: the same answers, record for record.
  for (auto& server : servers) {
    for (const char* label : {"app/primary", "app/secondary", "pool/one", "pool/two"}) {
      ASSERT_TRUE(server->process().waitForStderr(
          std::regex(std::string("^tmdns: ") + label + ": CheckingEndpoint -> Online"), 15s))
          << server->log();
    }
    EXPECT_TRUE(
        digMatches(dig(server->v4(), {"app.tm.example.test", "A"}), "NOERROR", {kPrimary}, {}));
  }
  const std::vector<std::vector<std::string>> questions = {
      {"app.tm.example.test", "A"},        {"www.tm.example.test", "A"},
      {"pool.tm.example.test", "A"},       {"nothing.tm.example.test", "A"},
      {"tm.example.test", "SOA"},          {"tm.example.test", "NS"},
      {"+tcp", "app.tm.example.test", "A"}};
  for (const auto& question : questions) {
    const DigResult a = dig(servers[0]->v4(), question);
    const DigResult b = dig(servers[1]->v4(), question);
    EXPECT_EQ(a.status, b.status) << a.describe() << b.describe();
    EXPECT_EQ(a.flags, b.flags) << a.describe() << b.describe();
    EXPECT_TRUE(sameRecords(a.answer, b.answer)) << a.describe() << b.describe();
    EXPECT_TRUE(sameRecords(a.authority, b.authority)) << a.describe() << b.describe();
  }
  EXPECT_TRUE(digMatches(dig(servers[0]->v4(), {"www.tm.example.test", "A"}), "NOERROR",
                         {kWww, record("app.tm.example.test. 5 IN A 127.0.0.1")}, {}));
  EXPECT_TRUE(digMatches(dig(servers[0]->v4(), {"pool.tm.example.test", "A"}), "NOERROR",
                         {record("pool.tm.example.test. 5 IN A 127.0.0.1"),
                          record("pool.tm.example.test. 5 IN A 127.0.0.2")},
                         {}));

  // The primary fails its probes: each instance sees it and fails over by itself.
  primary->setMode(HttpBackend::Mode::k503);
  for (auto& server : servers) {
    const DigResult r = waitFor(server->v4(), "app.tm.example.test", {kSecondary}, 15s);
    EXPECT_TRUE(digMatches(r, "NOERROR", {kSecondary}, {})) << server->log();
    EXPECT_TRUE(loggedStatus(*server, "app/primary", "Online -> Degraded")) << server->log();
    EXPECT_TRUE(digMatches(dig(server->v4(), {"pool.tm.example.test", "A"}), "NOERROR",
                           {record("pool.tm.example.test. 5 IN A 127.0.0.2")}, {}));
  }

  // With the first instance gone, the second still probes: it fails back on its own.
  servers[0]->process().signal(SIGTERM);
  const auto exited = servers[0]->process().waitExit(10s);
  ASSERT_TRUE(exited && exited->exitedWith(0)) << servers[0]->log();
  primary->setMode(HttpBackend::Mode::k200);
  const DigResult back = waitFor(servers[1]->v4(), "app.tm.example.test", {kPrimary}, 15s);
  EXPECT_TRUE(digMatches(back, "NOERROR", {kPrimary}, {})) << servers[1]->log();
  EXPECT_TRUE(loggedStatus(*servers[1], "app/primary", "Degraded -> Online")) << servers[1]->log();
}

}  // namespace
}  // namespace tmdns::e2e::deploy
