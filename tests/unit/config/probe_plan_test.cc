// Unit tests for buildProbePlan: endpoint numbering as compile() does it, filtering, headers.
#include "config/probe_plan.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include <string>
#include <utility>
#include <vector>

#include "config/compiler.h"
#include "config/loader.h"
#include "dns/snapshot.h"

namespace tmdns::config {
namespace {

using probes::ProbePlan;
using Headers = std::vector<std::pair<std::string, std::string>>;

Endpoint endpoint(const std::string& name, const std::string& target) {
  Endpoint e;
  e.name = name;
  e.target = target;
  return e;
}

CustomHeader header(const std::string& name, const std::string& value) {
  CustomHeader h;
  h.name = name;
  h.value = value;
  return h;
}

// Two zones; ids run 0..7 across them in configuration order.
Config sample() {
  Config c;
  Zone z1;
  z1.name = "one.test";
  Profile p1;
  p1.name = "web";
  p1.monitor.protocol = ProbeProtocol::kHttps;
  p1.monitor.port = 8443;
  p1.monitor.path = "/health";
  p1.monitor.intervalInSeconds = 10;
  p1.monitor.timeoutInSeconds = 7;
  p1.monitor.toleratedNumberOfFailures = 2;
  p1.monitor.verifyTls = true;
  p1.monitor.customHeaders = {header("X-Env", "prod"), header("x-team", "blue")};
  StatusCodeRange range;
  range.min = 200;
  range.max = 399;
  p1.monitor.expectedStatusCodeRanges = {range};
  p1.endpoints.push_back(endpoint("a", "a.example.com"));  // 0 probed
  Endpoint disabled = endpoint("b", "b.example.com");      // 1 disabled
  disabled.enabled = false;
  p1.endpoints.push_back(disabled);
  Endpoint always = endpoint("c", "192.0.2.1");  // 2 alwaysServe
  always.alwaysServe = true;
  p1.endpoints.push_back(always);
  Endpoint custom = endpoint("d", "2001:db8::1");  // 3 probed
  custom.customHeaders = {header("X-TEAM", "red"), header("host", "vanity.example"),
                          header("X-Only", "1")};
  p1.endpoints.push_back(custom);
  z1.profiles.push_back(p1);

  Profile inactive;
  inactive.name = "off";
  inactive.enabled = false;
  inactive.endpoints.push_back(endpoint("e", "e.example.com"));  // 4 profile disabled
  z1.profiles.push_back(inactive);
  c.zones.push_back(z1);

  Zone z2;
  z2.name = "two.test";
  Profile p2;
  p2.name = "tcp";
  p2.monitor.protocol = ProbeProtocol::kTcp;
  p2.monitor.port = 5432;
  p2.monitor.path = "/";
  p2.endpoints.push_back(endpoint("f", "198.51.100.7"));  // 5 probed
  Endpoint nested = endpoint("g", "web.one.test");        // 6 nested
  nested.type = EndpointType::kNested;
  p2.endpoints.push_back(nested);
  p2.endpoints.push_back(endpoint("h", "h.example.com"));  // 7 probed
  z2.profiles.push_back(p2);
  c.zones.push_back(z2);
  return c;
}

TEST(ProbePlan, NumbersEndpointsLikeTheCompilerAndProbesOnlyEligibleOnes) {
  const ProbePlan plan = buildProbePlan(sample(), 42);
  EXPECT_EQ(plan.generation, 42u);
  EXPECT_EQ(plan.endpointCount, 8u);
  std::vector<routing::EndpointId> ids;
  std::vector<std::string> names;
  for (const auto& spec : plan.probes) {
    ids.push_back(spec.endpoint);
    names.push_back(spec.profileName + "/" + spec.endpointName);
  }
  EXPECT_EQ(ids, (std::vector<routing::EndpointId>{0, 3, 5, 7}));
  EXPECT_EQ(names, (std::vector<std::string>{"web/a", "web/d", "tcp/f", "tcp/h"}));
}

TEST(ProbePlan, CopiesMonitorConfig) {
  const ProbePlan plan = buildProbePlan(sample(), 1);
  const probes::ProbeSpec& a = plan.probes[0];
  EXPECT_EQ(a.protocol, probes::Protocol::kHttps);
  EXPECT_EQ(a.target, "a.example.com");
  EXPECT_EQ(a.port, 8443);
  EXPECT_EQ(a.path, "/health");
  EXPECT_EQ(a.intervalSeconds, 10);
  EXPECT_EQ(a.timeoutSeconds, 7);
  EXPECT_EQ(a.toleratedFailures, 2);
  EXPECT_TRUE(a.verifyTls);
  EXPECT_EQ(a.expectedStatus, (std::vector<std::pair<int, int>>{{200, 399}}));

  const probes::ProbeSpec& f = plan.probes[2];
  EXPECT_EQ(f.protocol, probes::Protocol::kTcp);
  EXPECT_EQ(f.port, 5432);
  EXPECT_EQ(f.path, "");
  EXPECT_TRUE(f.headers.empty());
  EXPECT_FALSE(f.verifyTls);
  EXPECT_EQ(f.intervalSeconds, 30);  // defaults of monitorConfig (§1.3)
  EXPECT_EQ(f.timeoutSeconds, 10);
  EXPECT_EQ(f.toleratedFailures, 3);
}

TEST(ProbePlan, HostThenProfileHeadersOverriddenByEndpointHeaders) {
  const ProbePlan plan = buildProbePlan(sample(), 1);
  // §4.1: Host is the target unless a custom Host is set.
  EXPECT_EQ(plan.probes[0].headers,
            (Headers{{"Host", "a.example.com"}, {"X-Env", "prod"}, {"x-team", "blue"}}));
  // Endpoint beats profile for the same (case-insensitive) name; a custom Host wins.
  EXPECT_EQ(
      plan.probes[1].headers,
      (Headers{{"Host", "vanity.example"}, {"X-Env", "prod"}, {"x-team", "red"}, {"X-Only", "1"}}));
}

TEST(ProbePlan, Ipv6LiteralHostIsBracketed) {
  Config c = sample();
  c.zones[0].profiles[0].endpoints[3].customHeaders.clear();
  const ProbePlan plan = buildProbePlan(c, 1);
  EXPECT_EQ(plan.probes[1].headers.front(),
            (std::pair<std::string, std::string>{"Host", "[2001:db8::1]"}));
}

TEST(ProbePlan, DisabledProbesGiveAnEmptyButSizedPlan) {
  Config c = sample();
  c.probes.enabled = false;
  const ProbePlan plan = buildProbePlan(c, 3);
  EXPECT_EQ(plan.generation, 3u);
  EXPECT_EQ(plan.endpointCount, 8u);
  EXPECT_TRUE(plan.probes.empty());
}

// The plan and the compiled snapshot must agree on every EndpointId: the HealthTable the engine
// publishes is indexed by the compiler's numbering.
TEST(ProbePlan, AgreesWithTheCompilerOnEveryEndpointId) {
  const std::string yaml = R"(listen: ["127.0.0.1:5353"]
zones:
  - name: one.example.test
    soa: {mname: ns1.one.example.test, rname: hostmaster.example.test, serial: 1}
    ns: [ns1.one.example.test]
    profiles:
      - name: parent
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: parent, ttl: 30}
          monitorConfig: {protocol: HTTP, port: 80, path: /}
          endpoints:
            - {name: n1, type: nestedEndpoints, properties: {targetResourceId: child, priority: 1}}
            - {name: e2, type: externalEndpoints, properties: {target: 192.0.2.2, priority: 2}}
            - {name: e3, type: externalEndpoints, properties: {target: 192.0.2.3, priority: 3, endpointStatus: Disabled}}
            - {name: e4, type: externalEndpoints, properties: {target: 192.0.2.4, priority: 4, alwaysServe: Enabled}}
      - name: child
        properties:
          trafficRoutingMethod: Weighted
          dnsConfig: {relativeName: child, ttl: 30}
          monitorConfig: {protocol: TCP, port: 443}
          endpoints:
            - {name: c1, type: externalEndpoints, properties: {target: c1.example.net}}
            - {name: c2, type: externalEndpoints, properties: {target: c2.example.net}}
  - name: two.example.test
    soa: {mname: ns1.two.example.test, rname: hostmaster.example.test, serial: 1}
    ns: [ns1.two.example.test]
    profiles:
      - name: off
        properties:
          profileStatus: Disabled
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: off, ttl: 30}
          monitorConfig: {protocol: HTTPS, port: 443, path: /}
          endpoints:
            - {name: o1, type: externalEndpoints, properties: {target: o1.example.net}}
      - name: on
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: on, ttl: 30}
          monitorConfig: {protocol: HTTPS, port: 443, path: /}
          endpoints:
            - {name: p1, type: externalEndpoints, properties: {target: "2001:db8::5"}}
)";
  Diagnostics diags;
  auto config = loadConfigText(yaml, "plan.yaml", diags);
  std::ostringstream messages;
  for (const auto& d : diags.items()) {
    messages << d.format() << "\n";
  }
  ASSERT_TRUE(config.has_value()) << messages.str();
  auto snapshot = compile(*config, diags);
  ASSERT_TRUE(snapshot) << messages.str();
  const routing::Table& table = snapshot->routing;

  const ProbePlan plan = buildProbePlan(*config, 9);
  ASSERT_EQ(plan.endpointCount, table.endpoints.size());
  std::vector<bool> probed(plan.endpointCount, false);
  std::vector<std::string> names;
  for (const auto& spec : plan.probes) {
    ASSERT_LT(spec.endpoint, probed.size());
    probed[spec.endpoint] = true;
    names.push_back(spec.endpointName);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"e2", "c1", "c2", "p1"}));
  for (routing::EndpointId id = 0; id < table.endpoints.size(); ++id) {
    const routing::Endpoint& e = table.endpoints[id];
    const bool expected = e.enabled && !e.alwaysServe && e.kind != routing::TargetKind::kNested &&
                          table.profiles[e.profile].enabled;
    EXPECT_EQ(probed[id], expected) << "endpoint " << id;
  }
  for (const auto& spec : plan.probes) {
    // The compiled kind matches the probed target (an IP literal is an A/AAAA endpoint).
    const routing::TargetKind kind = table.endpoints[spec.endpoint].kind;
    if (spec.target == "192.0.2.2") {
      EXPECT_EQ(kind, routing::TargetKind::kIPv4);
    } else if (spec.target == "2001:db8::5") {
      EXPECT_EQ(kind, routing::TargetKind::kIPv6);
    } else {
      EXPECT_EQ(kind, routing::TargetKind::kName) << spec.target;
    }
  }
}

}  // namespace
}  // namespace tmdns::config
