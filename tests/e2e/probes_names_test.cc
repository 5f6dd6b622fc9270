// Probes of endpoints whose target is a DNS name (traffic-manager.md §4.1): resolved through
// probes.resolvers — here a second tmdns serving probe.test on loopback — and probed with the
// name as Host; a name that does not exist is Degraded with the resolver's reason.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/probe_harness.h"

namespace tmdns::e2e {
namespace {

// The resolver the prober asks: probing off, one zone with the backend's address.
const char* const kResolverConfig = R"(listen: ["127.0.0.1:0"]
threads: 1
zones:
  - name: probe.test
    soa: {mname: ns1.probe.test, rname: hostmaster.probe.test, serial: 1, minimum: 5}
    ns: [ns1.probe.test]
    records:
      - "backend 60 IN A 127.0.0.5"
)";

TEST(ProbeNames, TargetNameIsResolvedThroughTheConfiguredResolver) {
  Server resolver;
  resolver.writeConfig(kResolverConfig);
  ASSERT_TRUE(resolver.start());
  ASSERT_TRUE(answers(resolver.v4(), "backend.probe.test.", LDNS_RR_TYPE_A,
                      {Rr::of("backend.probe.test. 60 IN A 127.0.0.5")}));

  BackendGroup backend({"127.0.0.5"});
  ASSERT_TRUE(backend.ok());
  // e1's name does not exist; e2's resolves to the backend.
  Server s;
  s.writeConfig(probeConfig(
      {profileYaml("named", "Priority", monitorYaml("HTTP", backend.port(), 0, ", path: /ready"),
                   {endpointYaml("e1", "nx.probe.test", "priority: 1"),
                    endpointYaml("e2", "backend.probe.test", "priority: 2")})},
      ", resolvers: [\"" + resolver.v4().hostPort() + "\"]"));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const std::string name = inZone("named");
  const Rr e1 = Rr::of(name + " 30 IN CNAME nx.probe.test.");
  const Rr e2 = Rr::of(name + " 30 IN CNAME backend.probe.test.");

  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {e1}, {e2}, started, 0));
  EXPECT_TRUE(loggedWithin(
      s, statusLine("named/e1", "CheckingEndpoint", "Degraded", "resolve failed: NXDOMAIN"),
      started, 0));
  EXPECT_TRUE(loggedWithin(s, statusLine("named/e2", "CheckingEndpoint", "Online", "HTTP 200"),
                           started, 0));
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "A"}), "NOERROR", {e2}, {}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {name, "AAAA"}), "NOERROR", {e2}, {}));

  // The probe reached 127.0.0.5 with the target name as Host.
  const auto requests = backend[0].requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests) {
    EXPECT_EQ(r.rfind("GET /ready HTTP/1.1\r\n", 0), 0u) << r;
    EXPECT_NE(r.find("\r\nHost: backend.probe.test\r\n"), std::string::npos) << r;
  }

  // The backend fails too: every endpoint Degraded, fail-open answers e1 again.
  backend[0].setMode(HttpBackend::Mode::k503);
  const auto failing = Clock::now();
  ASSERT_TRUE(answerChangesWithin(s.v4(), name, LDNS_RR_TYPE_A, {e2}, {e1}, failing, 0));
  EXPECT_TRUE(
      loggedWithin(s, statusLine("named/e2", "Online", "Degraded", "HTTP 503"), failing, 0));
  EXPECT_EQ(statusLines(s, "named/e1"),
            (std::vector<std::string>{statusLine("named/e1", "CheckingEndpoint", "Degraded",
                                                 "resolve failed: NXDOMAIN")}));
}

}  // namespace
}  // namespace tmdns::e2e
