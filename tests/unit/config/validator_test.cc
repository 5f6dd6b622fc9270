// Cross-object rules: names, priorities, target mixing, method rules, nesting and zones.
#include "config/validator.h"

#include <gtest/gtest.h>

#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

// A profile named `name` (also its relativeName) with `extra` lines and endpoint lines.
std::string profile(const std::string& name, const std::string& method,
                    const std::string& endpoints, const std::string& extra = "") {
  return "      - name: " + name + "\n        trafficRoutingMethod: " + method +
         "\n        dnsConfig: {relativeName: " + name + "}\n" + extra + "        endpoints:\n" +
         endpoints;
}

std::string ep(const std::string& fields) {
  return "          - {" + fields + "}\n";
}

std::string ext(const std::string& name, const std::string& target, const std::string& more = "") {
  return ep("name: " + name + ", type: externalEndpoints, target: " + target + more);
}

std::string nested(const std::string& name, const std::string& child,
                   const std::string& more = "") {
  return ep("name: " + name +
            ", type: nestedEndpoints, targetResourceId: /subscriptions/s/"
            "resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/" +
            child + more);
}

std::string leaf(const std::string& name) {
  return profile(name, "Weighted", ext("x", name + ".example.com"));
}

TEST(Validator, ProfileRules) {
  const Case cases[] = {
      {"duplicate endpoint name",
       profile("p", "Weighted", ext("a", "a.example.com") + ext("A", "b.example.com")), "", "A,",
       "zones[0].profiles[0].endpoints[1].name: duplicate endpoint name \"A\" (also endpoints[0])"},
      {"priority on some endpoints only",
       profile("p", "Priority",
               ext("a", "a.example.com", ", priority: 1") + ext("b", "b.example.com")),
       "", "{name: b",
       "zones[0].profiles[0].endpoints[1].priority: required because other endpoints of this "
       "profile set a priority"},
      {"duplicate priority",
       profile(
           "p", "Priority",
           ext("a", "a.example.com", ", priority: 2") + ext("b", "b.example.com", ", priority: 2")),
       "name: b", "2}",
       "zones[0].profiles[0].endpoints[1].priority: priority 2 is already used by endpoints[0]"},
      {"FQDN and IPv4", profile("p", "Priority", ext("a", "a.example.com") + ext("b", "8.8.8.8")),
       "", "8.8.8.8",
       "zones[0].profiles[0].endpoints[1].target: cannot mix target types in one profile: IPv4 "
       "address here, FQDN at endpoints[0] (only MultiValue profiles may mix IPv4 and IPv6)"},
      {"IPv4 and IPv6 outside MultiValue",
       profile("p", "Weighted", ext("a", "8.8.8.8") + ext("b", "'2001:4860:4860::8888'")), "",
       "'2001",
       "zones[0].profiles[0].endpoints[1].target: cannot mix target types in one profile: IPv6 "
       "address here, IPv4 address at endpoints[0] (only MultiValue profiles may mix IPv4 and "
       "IPv6)"},
      {"duplicate IPv4", profile("p", "Weighted", ext("a", "8.8.8.8") + ext("b", "8.8.8.8")),
       "name: b", "8.8.8.8",
       "zones[0].profiles[0].endpoints[1].target: duplicate IP target 8.8.8.8 (also endpoints[0])"},
      {"duplicate IPv6 spelled differently",
       profile("p", "MultiValue",
               ext("a", "'2001:4860:4860::8888'") + ext("b", "'2001:4860:4860:0:0:0:0:8888'"),
               "        maxReturn: 2\n"),
       "", "'2001:4860:4860:0",
       "zones[0].profiles[0].endpoints[1].target: duplicate IP target 2001:4860:4860::8888 (also "
       "endpoints[0])"},
      {"MultiValue without maxReturn", profile("p", "MultiValue", ext("a", "8.8.8.8")), "",
       "name: p", "zones[0].profiles[0].maxReturn: required for MultiValue profiles"},
      {"maxReturn 0", profile("p", "MultiValue", ext("a", "8.8.8.8"), "        maxReturn: 0\n"),
       "maxReturn: ", "0", "zones[0].profiles[0].maxReturn: must be 1..10"},
      {"maxReturn 11", profile("p", "MultiValue", ext("a", "8.8.8.8"), "        maxReturn: 11\n"),
       "", "11", "zones[0].profiles[0].maxReturn: must be 1..10"},
      {"MultiValue FQDN target",
       profile("p", "MultiValue", ext("a", "a.example.com"), "        maxReturn: 2\n"), "",
       "a.example.com",
       "zones[0].profiles[0].endpoints[0].target: MultiValue endpoints need an IPv4 or IPv6 "
       "address"},
      {"MultiValue parent of nested",
       profile("p", "MultiValue", nested("n", "c"), "        maxReturn: 2\n") + leaf("c"), "",
       "{name: n",
       "zones[0].profiles[0].endpoints[0]: a MultiValue profile cannot be the parent of nested "
       "endpoints"},
      {"Performance external without location",
       profile("p", "Performance",
               ext("a", "a.example.com", ", endpointLocation: West Europe") +
                   ext("b", "b.example.com")),
       "", "{name: b",
       "zones[0].profiles[0].endpoints[1].endpointLocation: required for Performance routing"},
      {"Performance nested without location",
       profile("p", "Performance", nested("n", "c")) + leaf("c"), "", "{name: n",
       "zones[0].profiles[0].endpoints[0].endpointLocation: required for Performance routing"},
      {"Performance azure without location",
       profile("p", "Performance",
               ep("name: a, type: azureEndpoints, target: a.azurewebsites.net")),
       "", "{name: a",
       "zones[0].profiles[0].endpoints[0].endpointLocation: required for Performance routing "
       "(tmdns cannot look up the Azure resource's region: copy it from the endpoint's export)"},
      {"Performance unknown region",
       profile("p", "Performance", ext("a", "a.example.com", ", endpointLocation: West Eurpoe")),
       "", "West Eurpoe",
       "zones[0].profiles[0].endpoints[0].endpointLocation: unknown Azure region \"West Eurpoe\" "
       "(did you mean \"West Europe\"?)"},
      {"Performance override on two endpoints",
       profile("p", "Performance",
               ext("a", "a.example.com",
                   ", endpointLocation: westeurope, subnets: [{first: 198.51.100.0, scope: 24}]") +
                   ext("b", "b.example.com",
                       ", endpointLocation: East US, subnets: [{first: 198.51.100.0, last: "
                       "198.51.100.255}]")),
       "", "{first: 198.51.100.0, last",
       "zones[0].profiles[0].endpoints[1].subnets[0]: is the same range as "
       "endpoints[0].subnets[0] (override ranges of two endpoints may only nest)"},
      {"Geographic override ranges that cross",
       profile("p", "Geographic",
               ext("a", "a.example.com",
                   ", geoMapping: [WORLD], subnets: [{first: 198.51.100.0, scope: 24}]") +
                   ext("b", "b.example.com",
                       ", geoMapping: [IE], subnets: [{first: 198.51.100.200, last: "
                       "198.51.101.5}]")),
       "", "{first: 198.51.100.200",
       "zones[0].profiles[0].endpoints[1].subnets[0]: partially overlaps endpoints[0].subnets[0] "
       "(override ranges of two endpoints may only nest)"},
      {"Subnet with two fallbacks",
       profile("p", "Subnet",
               ext("a", "a.example.com") +
                   ext("b", "b.example.com", ", subnets: [{first: 198.51.100.0, scope: 24}]") +
                   ext("c", "c.example.com")),
       "", "{name: c",
       "zones[0].profiles[0].endpoints[2].subnets: a Subnet profile has at most one endpoint "
       "without subnets (the fallback), and endpoints[0] is it"},
      {"Geographic endpoint without codes",
       profile("p", "Geographic",
               ext("a", "a.example.com", ", geoMapping: [WORLD]") +
                   ext("b", "b.example.com", ", endpointStatus: Disabled")),
       "", "{name: b",
       "zones[0].profiles[0].endpoints[1].geoMapping: Geographic routing needs at least one code "
       "on every endpoint"},
      {"Geographic empty list",
       profile("p", "Geographic", ext("a", "a.example.com", ", geoMapping: []")), "", "[]",
       "zones[0].profiles[0].endpoints[0].geoMapping: Geographic routing needs at least one code "
       "on every endpoint"},
      {"Geographic code on two endpoints",
       profile("p", "Geographic",
               ext("a", "a.example.com", ", geoMapping: [DE]") +
                   ext("b", "b.example.com", ", geoMapping: [FR, de]")),
       "FR, ", "de",
       "zones[0].profiles[0].endpoints[1].geoMapping[1]: \"DE\" is already mapped to endpoints[0]"},
      {"Subnet CIDR and range overlap",
       profile("p", "Subnet",
               ext("a", "a.example.com", ", subnets: [{first: 198.51.100.0, scope: 24}]") +
                   ext("b", "b.example.com",
                       ", subnets: [{first: 192.0.2.1}, {first: 198.51.100.200, last: "
                       "198.51.100.210}]")),
       "", "{first: 198.51.100.200",
       "zones[0].profiles[0].endpoints[1].subnets[1]: overlaps endpoints[0].subnets[0]"},
      {"Subnet single IPv6 inside a CIDR",
       profile("p", "Subnet",
               ext("a", "a.example.com", ", subnets: [{first: '2001:db8::', scope: 32}]") +
                   ext("b", "b.example.com", ", subnets: [{first: '2001:db8:1::5'}]")),
       "", "{first: '2001:db8:1",
       "zones[0].profiles[0].endpoints[1].subnets[0]: overlaps endpoints[0].subnets[0]"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::errors);
  }
}

TEST(Validator, ZoneRules) {
  const Case cases[] = {
      {"duplicate profile name",
       leaf("p") + "      - {name: P, trafficRoutingMethod: Priority, dnsConfig: {relativeName: "
                   "q}}\n",
       "", "P,",
       "zones[0].profiles[1].name: duplicate profile name \"P\" in this zone (also "
       "zones[0].profiles[0])"},
      {"duplicate relativeName after lower-casing",
       leaf("p") + "      - {name: q, trafficRoutingMethod: Priority, dnsConfig: {relativeName: "
                   "P}}\n",
       "name: q", "P}",
       "zones[0].profiles[1].dnsConfig.relativeName: \"p\" is already used by "
       "zones[0].profiles[0]"},
      {"relativeName with a space",
       "      - {name: q, trafficRoutingMethod: Priority, dnsConfig: {relativeName: 'a b'}}\n", "",
       "'a b'",
       "zones[0].profiles[0].dnsConfig.relativeName: contains ' '; only letters, digits, '-', "
       "'_' and '.' are allowed"},
      {"relativeName empty label",
       "      - {name: q, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a..b}}\n", "",
       "a..b", "zones[0].profiles[0].dnsConfig.relativeName: has an empty label"},
      {"relativeName long label",
       "      - {name: q, trafficRoutingMethod: Priority, dnsConfig: {relativeName: " +
           std::string(64, 'a') + "}}\n",
       "relativeName: ", "aaa",
       "zones[0].profiles[0].dnsConfig.relativeName: has a label longer than 63 characters"},
      {"relativeName too long with the zone",
       "      - {name: q, trafficRoutingMethod: Priority, dnsConfig: {relativeName: " +
           std::string(59, 'a') + "." + std::string(59, 'b') + "." + std::string(59, 'c') + "." +
           std::string(59, 'd') + "}}\n",
       "relativeName: ", "aaa",
       "zones[0].profiles[0].dnsConfig.relativeName: with the zone name the profile's name is "
       "longer than 253 characters"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::errors);
  }
}

TEST(Validator, Notices) {
  const Case cases[] = {
      {"RFC 1918", profile("p", "Priority", ext("a", "10.1.2.3")), "", "10.1.2.3",
       "notice: zones[0].profiles[0].endpoints[0].target: 10.1.2.3 is in special-purpose address "
       "space (10.0.0.0/8, RFC 1918); Azure would reject it, tmdns serves it"},
      {"loopback IPv6", profile("p", "Priority", ext("a", "'::1'")), "", "'::1'",
       "notice: zones[0].profiles[0].endpoints[0].target: ::1 is in special-purpose address space "
       "(::1/128, RFC 6890); Azure would reject it, tmdns serves it"},
      {"documentation range", profile("p", "Priority", ext("a", "203.0.113.10")), "",
       "203.0.113.10",
       "notice: zones[0].profiles[0].endpoints[0].target: 203.0.113.10 is in special-purpose "
       "address space (203.0.113.0/24, RFC 5737); Azure would reject it, tmdns serves it"},
      {"maxReturn 9", profile("p", "MultiValue", ext("a", "8.8.8.8"), "        maxReturn: 9\n"), "",
       "9\n",
       "notice: zones[0].profiles[0].maxReturn: Azure's portal and Terraform accept at most 8"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::notices);
  }
}

TEST(Validator, AcceptedCombinations) {
  const std::string cases[] = {
      // MultiValue may mix IPv4 and IPv6.
      profile("p", "MultiValue", ext("a", "8.8.8.8") + ext("b", "'2001:4860:4860::8888'"),
              "        maxReturn: 10\n"),
      // Nested endpoints take no side in the mixing rule.
      profile("p", "Priority", ext("a", "8.8.8.8") + nested("n", "c")) + leaf("c"),
      // An azure endpoint with its resolved target and its region, written either way.
      profile("p", "Performance",
              ep("name: a, type: azureEndpoints, target: a.azurewebsites.net, endpointLocation: "
                 "West Europe") +
                  ep("name: b, type: azureEndpoints, target: b.azurewebsites.net, "
                     "endpointLocation: eastus2")),
      // Overlaps within one endpoint, adjacent ranges and overrides outside Subnet profiles.
      profile("p", "Subnet",
              ext("a", "a.example.com",
                  ", subnets: [{first: 198.51.100.0, scope: 24}, {first: 198.51.100.7}]") +
                  ext("b", "b.example.com", ", subnets: [{first: 198.51.101.0, scope: 24}]") +
                  ext("c", "c.example.com")),
      profile(
          "p", "Geographic",
          ext("a", "a.example.com",
              ", geoMapping: [WORLD], subnets: [{first: 8.0.0.0, scope: 8}]") +
              ext("b", "b.example.com", ", geoMapping: [IE, US-CA], subnets: [{first: 8.8.8.8}]")),
      // Geographic: a country and its region on different endpoints (§2.5's IE / GEO-EU).
      profile("p", "Geographic",
              ext("a", "a.example.com", ", geoMapping: [IE]") +
                  ext("b", "b.example.com", ", geoMapping: [GEO-EU, AU-NSW]")),
      // Duplicate FQDN targets are not duplicate IPs.
      profile("p", "Weighted", ext("a", "a.example.com") + ext("b", "a.example.com")),
  };
  for (const std::string& profiles : cases) {
    const Loaded loaded = loadText(configWithProfiles(profiles));
    EXPECT_EQ(loaded.errors, std::vector<std::string>{}) << profiles;
    EXPECT_TRUE(loaded.config.has_value());
  }
}

TEST(Validator, MultiValueAzureEndpointGetsBothMessages) {
  const std::string text = configWithProfiles(
      profile("p", "MultiValue", ep("name: a, type: azureEndpoints, target: a.azurewebsites.net"),
              "        maxReturn: 2\n"));
  const Loaded loaded = loadText(text);
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                "cfg.yaml:" + locate(text, "a.azurewebsites.net") +
                    ": zones[0].profiles[0].endpoints[0].target: MultiValue endpoints need an "
                    "IPv4 or IPv6 address",
                "cfg.yaml:" + locate(text, "azureEndpoints") +
                    ": zones[0].profiles[0].endpoints[0].type: MultiValue profiles take only "
                    "external endpoints"}));
}

// A config with zones `a.test` and `b.test` (the first holding `first`, the second `second`).
std::string twoZones(const std::string& first, const std::string& second) {
  return "zones:\n"
         "  - name: a.test\n"
         "    soa: {mname: ns1.a.test, rname: hostmaster.a.test}\n"
         "    ns: [ns1.a.test]\n"
         "    profiles:\n" +
         first +
         "  - name: b.test\n"
         "    soa: {mname: ns1.b.test, rname: hostmaster.b.test}\n"
         "    ns: [ns1.b.test]\n"
         "    profiles:\n" +
         second;
}

TEST(Validator, NestedChildResolution) {
  struct Resolution {
    const char* label;
    std::string text;
    int zone;
    int profile;
  };
  const Resolution cases[] = {
      {"by resource id, same zone",
       twoZones(profile("p", "Priority", nested("n", "c")) + leaf("c"), leaf("c")), 0, 1},
      {"by resource id, other zone",
       twoZones(profile("p", "Priority", nested("n", "C")), leaf("c")), 1, 0},
      {"by target fqdn",
       twoZones(profile("p", "Priority",
                        ep("name: n, type: nestedEndpoints, target: C.B.Test., targetResourceId: "
                           "/elsewhere/other")) +
                    leaf("c"),
                leaf("c")),
       1, 0},
  };
  for (const Resolution& c : cases) {
    SCOPED_TRACE(c.label);
    const Loaded loaded = loadText(c.text);
    EXPECT_EQ(loaded.errors, std::vector<std::string>{});
    ASSERT_TRUE(loaded.config.has_value());
    const Endpoint& endpoint = loaded.config->zones[0].profiles[0].endpoints[0];
    EXPECT_EQ(endpoint.childZone, c.zone);
    EXPECT_EQ(endpoint.childProfile, c.profile);
  }
}

TEST(Validator, NestedErrors) {
  struct ErrorCase {
    const char* label;
    std::string text;
    const char* after;
    const char* needle;
    const char* expected;
  };
  const ErrorCase cases[] = {
      {"missing child", twoZones(profile("p", "Priority", nested("n", "contoso-app-us")), ""), "",
       "{name: n",
       "zones[0].profiles[0].endpoints[0]: child profile \"contoso-app-us\" is not in this "
       "configuration (nested endpoints need their child profile in the same configuration)"},
      {"ambiguous child",
       twoZones(leaf("p") + leaf("c"), leaf("c")) +
           "  - name: c.test\n    soa: {mname: ns1.c.test, rname: h.c.test}\n    ns: [ns1.c.test]\n"
           "    profiles:\n" +
           profile("r", "Priority", nested("n", "c")),
       "name: r", "/subscriptions",
       "zones[2].profiles[0].endpoints[0].targetResourceId: child profile \"c\" exists in several "
       "zones (zones[0], zones[1]); name it by \"target\" as <relativeName>.<zone> instead"},
      {"self loop", twoZones(profile("p", "Priority", nested("n", "p")), ""), "", "{name: n",
       "zones[0].profiles[0].endpoints[0]: nesting loop: \"p\" -> \"p\""},
      {"two-profile loop",
       twoZones(profile("p", "Priority", nested("n", "q")),
                profile("q", "Priority", ext("a", "a.example.com") + nested("m", "p"))),
       "", "{name: m", "zones[1].profiles[0].endpoints[1]: nesting loop: \"p\" -> \"q\" -> \"p\""},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.label);
    const Loaded loaded = loadText(c.text);
    EXPECT_EQ(loaded.errors,
              std::vector<std::string>{"cfg.yaml:" + locate(c.text, c.needle, c.after) + ": " +
                                       c.expected})
        << c.text;
    EXPECT_FALSE(loaded.config.has_value());
  }
}

// A chain p0 -> p1 -> ... -> p<hops> of nested endpoints ending in a plain profile.
std::string chain(int hops) {
  std::string profiles;
  for (int i = 0; i < hops; ++i) {
    profiles +=
        profile("p" + std::to_string(i), "Priority", nested("n", "p" + std::to_string(i + 1)));
  }
  profiles += leaf("p" + std::to_string(hops));
  return configWithProfiles(profiles);
}

TEST(Validator, NestingDepth) {
  EXPECT_EQ(loadText(chain(kMaxNestingDepth)).errors, std::vector<std::string>{});
  const std::string text = chain(kMaxNestingDepth + 1);
  EXPECT_EQ(loadText(text).errors,
            std::vector<std::string>{"cfg.yaml:" + locate(text, "{name: n") +
                                     ": zones[0].profiles[0].endpoints[0]: nesting is deeper than "
                                     "10 levels below this endpoint"});
  // A long chain must neither overflow the stack nor report more than once per crossing.
  const Loaded deep = loadText(chain(3000));
  EXPECT_EQ(deep.errors.size(), 1u);
}

TEST(Validator, Zones) {
  const std::string zone = "    soa: {mname: ns1.x.test, rname: h.x.test}\n    ns: [ns1.x.test]\n";
  const std::string duplicate = "zones:\n  - name: x.test\n" + zone + "  - name: X.Test.\n" + zone;
  EXPECT_EQ(loadText(duplicate).errors,
            std::vector<std::string>{"cfg.yaml:" + locate(duplicate, "X.Test.") +
                                     ": zones[1].name: duplicate zone \"x.test\" (also zones[0])"});
  const std::string inner = "zones:\n  - name: x.test\n" + zone + "  - name: in.x.test\n" + zone;
  EXPECT_EQ(loadText(inner).errors,
            std::vector<std::string>{"cfg.yaml:" + locate(inner, "in.x.test") +
                                     ": zones[1].name: \"in.x.test\" and \"x.test\" (zones[0]) are "
                                     "nested; nested zones are not supported"});
  const std::string outer = "zones:\n  - name: in.x.test\n" + zone + "  - name: x.test\n" + zone;
  EXPECT_EQ(loadText(outer).errors,
            std::vector<std::string>{"cfg.yaml:" + locate(outer, "x.test", "- name: x") +
                                     ": zones[1].name: \"x.test\" and \"in.x.test\" (zones[0]) are "
                                     "nested; nested zones are not supported"});
  // Same profile name and relativeName in two zones is fine.
  const Loaded loaded = loadText(twoZones(leaf("p"), leaf("p")));
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
}

}  // namespace
}  // namespace tmdns::config::testing
