// Hostile and broken input: every case ends in diagnostics, never in a crash or an exception.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

// The invariant every load keeps: a model exactly when there is no error, and every message
// located in the file.
void expectSane(const Loaded& loaded, const std::string& file = "cfg.yaml") {
  EXPECT_EQ(loaded.config.has_value(), loaded.errors.empty());
  for (const std::string& message : loaded.all) {
    EXPECT_EQ(message.rfind(file + ":", 0), 0u) << message;
  }
}

TEST(Malformed, EmptyAndCommentOnly) {
  // yaml-cpp places the empty document after a "---" marker on the next line.
  const std::pair<const char*, const char*> cases[] = {
      {"", "1:1"},      {"\n\n", "1:1"}, {"# nothing here\n", "1:1"},
      {"---\n", "2:1"}, {"~\n", "1:1"},  {"null\n", "1:1"},
  };
  for (const auto& [text, where] : cases) {
    SCOPED_TRACE(text);
    const Loaded loaded = loadText(text);
    EXPECT_EQ(loaded.all, std::vector<std::string>{"cfg.yaml:" + std::string(where) +
                                                   ": the configuration is empty"});
    EXPECT_FALSE(loaded.config.has_value());
  }
}

TEST(Malformed, BinaryJunk) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 300; ++round) {
    std::string junk(static_cast<size_t>(rng() % 2000), '\0');
    for (char& c : junk) {
      c = static_cast<char>(rng() & 0xff);
    }
    const Loaded loaded = loadText(junk);
    expectSane(loaded);
    EXPECT_FALSE(loaded.config.has_value());
  }
  const Loaded nul = loadText(std::string("zones:\n  - name: a\0b\n", 20));
  expectSane(nul);
  EXPECT_FALSE(nul.config.has_value());
}

TEST(Malformed, DeepNesting) {
  const Loaded flow = loadText(std::string(100000, '['));
  ASSERT_EQ(flow.errors.size(), 1u);
  EXPECT_EQ(flow.errors[0].rfind("cfg.yaml:", 0), 0u);
  EXPECT_NE(flow.errors[0].find(": syntax error: nested too deeply ("), std::string::npos)
      << flow.errors[0];
  std::string block;
  for (int i = 0; i < 3000; ++i) {
    block += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  }
  const Loaded blockLoaded = loadText(block);
  expectSane(blockLoaded);
  EXPECT_FALSE(blockLoaded.config.has_value());
  // Deep but within the parser's limit, where a map is expected.
  const Loaded deep = loadText("zones: " + std::string(300, '[') + std::string(300, ']') + "\n");
  EXPECT_EQ(deep.errors, std::vector<std::string>{"cfg.yaml:1:9: zones[0]: must be a map"});
}

// YAML aliases can make a node its own descendant; the reader follows the schema, not the graph.
TEST(Malformed, SelfReferencingAliases) {
  const Loaded selfList = loadText("zones: &z [*z]\n");
  EXPECT_EQ(selfList.errors, std::vector<std::string>{"cfg.yaml:1:8: zones[0]: must be a map"});
  const Loaded zoneAsProfile = loadText(
      "zones: &z [{name: x.test, soa: {mname: a.x.test, rname: b.x.test}, ns: [a.x.test], "
      "profiles: *z}]\n");
  expectSane(zoneAsProfile);
  EXPECT_FALSE(zoneAsProfile.config.has_value());
  const Loaded profileAsEndpoint = loadText(
      "zones: [{name: x.test, soa: {mname: a.x.test, rname: b.x.test}, ns: [a.x.test],\n"
      "  profiles: [&p {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: p}, "
      "endpoints: [*p, *p]}]}]\n");
  expectSane(profileAsEndpoint);
  EXPECT_FALSE(profileAsEndpoint.config.has_value());
}

// "Billion laughs" along the schema: `n` zones that are one aliased zone, whose `n` profiles are
// one aliased profile, whose `n` endpoints are one aliased endpoint with `n` aliased subnets:
// n^4 subnets to read from a few kilobytes (yaml-cpp shares aliased nodes, it does not copy them).
std::string laughs(int n) {
  auto aliases = [n](const std::string& name) {
    std::string list;
    for (int i = 1; i < n; ++i) {
      list += ", *" + name;
    }
    return list;
  };
  return "zones: [&z {name: x.test, soa: {mname: a.x.test, rname: b.x.test}, ns: [a.x.test],\n"
         "  profiles: [&p {name: p, trafficRoutingMethod: Subnet, dnsConfig: {relativeName: p},\n"
         "    endpoints: [&e {name: e, type: externalEndpoints, target: 192.0.2.1,\n"
         "      subnets: [&s {first: 198.51.100.0, scope: 24}" +
         aliases("s") + "]}" + aliases("e") + "]}" + aliases("p") + "]}" + aliases("z") + "]\n";
}

std::string nodeLimitMessage(size_t bytes) {
  return "too many nodes: YAML aliases expand the configuration beyond " +
         std::to_string(100000 + 10 * bytes) + " nodes (100000 + 10 per byte of input)";
}

// Reading stops at a node budget of 100,000 + 10 per byte of input, with one error where it
// stopped; without it this reads 10^8 subnets (and then compares them pairwise).
TEST(Malformed, BillionLaughs) {
  const std::string text = laughs(100);
  ASSERT_LT(text.size(), 2000u);
  const Loaded loaded = loadText(text);
  ASSERT_EQ(loaded.errors.size(), 1u) << loaded.errors[0];
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_FALSE(loaded.config.has_value());
  // It stops inside one of the aliased subnets (where exactly depends on how many nodes the
  // readers look at per subnet); positions are the anchored node's, on line 4.
  const std::string& error = loaded.errors[0];
  const std::string prefix = "cfg.yaml:4:";
  EXPECT_EQ(error.rfind(prefix, 0), 0u) << error;
  EXPECT_TRUE(std::regex_match(error.substr(0, error.find(": too many nodes")),
                               std::regex(R"(cfg\.yaml:4:\d+: zones\[0\]\.profiles\[\d+\])"
                                          R"(\.endpoints\[\d+\]\.subnets\[\d+\])")))
      << error;
  EXPECT_EQ(error.substr(error.find(": too many nodes") + 2), nodeLimitMessage(text.size()));
}

// Aliases that do not multiply without bound are fine: the same laughs, 5 to a level (625
// subnets), load up to the validator, which finds the aliased subnets overlapping.
TEST(Malformed, AliasesWithinTheBudgetAreRead) {
  const Loaded loaded = loadText(laughs(5));
  ASSERT_FALSE(loaded.errors.empty());
  for (const std::string& error : loaded.errors) {
    EXPECT_EQ(error.find("too many nodes"), std::string::npos) << error;
  }
  EXPECT_TRUE(std::any_of(loaded.errors.begin(), loaded.errors.end(), [](const std::string& e) {
    return e.find("overlaps endpoints[0].subnets[0]") != std::string::npos;
  }));
  // And a real use: one monitorConfig and one endpoint list, shared by aliases.
  const Loaded shared = loadText(
      "zones: [{name: x.test, soa: {mname: a.x.test, rname: b.x.test}, ns: [a.x.test],\n"
      "  profiles: [\n"
      "    {name: a, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a},\n"
      "     monitorConfig: &m {protocol: TCP, port: 443},\n"
      "     endpoints: &es [{name: e1, type: externalEndpoints, target: a.example.net},\n"
      "                     {name: e2, type: externalEndpoints, target: b.example.net}]},\n"
      "    {name: b, trafficRoutingMethod: Priority, dnsConfig: {relativeName: b},\n"
      "     monitorConfig: *m, endpoints: *es}]}]\n");
  EXPECT_TRUE(shared.errors.empty()) << shared.errors[0];
  ASSERT_TRUE(shared.config.has_value());
  ASSERT_EQ(shared.config->zones[0].profiles.size(), 2u);
  EXPECT_EQ(shared.config->zones[0].profiles[1].endpoints.size(), 2u);
  EXPECT_EQ(shared.config->zones[0].profiles[1].monitor.port, 443);
}

// Profile files add their size to the one budget of the load; none gets a base of its own, so
// many files of moderate laughs are stopped too, inside the file where the budget ran out.
TEST(Malformed, ProfileFilesShareOneNodeBudget) {
  TempDir dir;
  // One profile with 40 aliased endpoints of 40 aliased subnets: about 5,000 nodes to read.
  std::string endpoints;
  for (int i = 1; i < 40; ++i) {
    endpoints += ", *e";
  }
  std::string subnets;
  for (int i = 1; i < 40; ++i) {
    subnets += ", *s";
  }
  std::map<std::string, size_t> sizes;  // in the order the glob reads them
  for (int f = 0; f < 40; ++f) {
    const std::string name = "p" + std::to_string(f);
    const std::string profile =
        "{name: " + name + ", trafficRoutingMethod: Subnet, dnsConfig: {relativeName: " + name +
        "}, endpoints: [&e {name: e, type: externalEndpoints, target: 192.0.2.1, subnets: [&s "
        "{first: 198.51.100.0, scope: 24}" +
        subnets + "]}" + endpoints + "]}\n";
    dir.write("profiles/" + name + ".yaml", profile);
    sizes[name + ".yaml"] = profile.size();
  }
  const std::string config =
      "zones: [{name: x.test, soa: {mname: a.x.test, rname: b.x.test}, ns: [a.x.test],\n"
      "  profile_files: [\"profiles/*.yaml\"]}]\n";
  const std::string path = dir.write("tmdns.yaml", config);
  const Loaded loaded = loadFile(path);
  EXPECT_FALSE(loaded.config.has_value());
  ASSERT_EQ(loaded.errors.size(), 1u) << loaded.errors[0];
  const std::string& error = loaded.errors[0];
  std::smatch m;
  ASSERT_TRUE(std::regex_search(error, m,
                                std::regex(R"(: zones\[0\]\.profile_files\[0\] \(profiles/)"
                                           R"((p\d+\.yaml)\)\.endpoints\[\d+\])")))
      << error;
  // The budget is what the main file and the profile files read so far (this one included)
  // brought in, and it ran out before the last file.
  size_t bytes = config.size();
  for (const auto& [name, size] : sizes) {
    bytes += size;
    if (name == m[1].str()) {
      break;
    }
  }
  EXPECT_NE(m[1].str(), sizes.rbegin()->first);
  EXPECT_EQ(error.substr(error.find(": too many nodes") + 2), nodeLimitMessage(bytes));
}

// A valid configuration in block style, one scalar per line, covering every section.
const char* kValid = R"(listen:
  - "127.0.0.1:0"
threads: 1
max_udp_payload: 1232
tcp:
  idle_timeout_ms: 1000
zones:
  - name: tm.example.test
    soa:
      mname: ns1.tm.example.test
      rname: hostmaster.example.test
      serial: 1
    ns:
      - ns1.tm.example.test
    ns_ttl: 60
    records:
      - "ns1 60 IN A 192.0.2.1"
    subnet_no_match: nodata
    profiles:
      - name: parent
        trafficRoutingMethod: Subnet
        profileStatus: Enabled
        dnsConfig:
          relativeName: parent
          ttl: 10
        monitorConfig:
          protocol: HTTPS
          port: 443
          path: /hc
          intervalInSeconds: 10
          timeoutInSeconds: 5
          toleratedNumberOfFailures: 1
          customHeaders:
            - name: Host
              value: example.com
          expectedStatusCodeRanges:
            - min: 200
              max: 299
        endpoints:
          - name: sub
            type: externalEndpoints
            target: a.example.com
            weight: 2
            priority: 1
            endpointLocation: West Europe
            geoMapping:
              - DE
            subnets:
              - first: 198.51.100.0
                scope: 24
          - name: nest
            type: nestedEndpoints
            targetResourceId: /x/child
            priority: 2
            minChildEndpoints: 1
            minChildEndpointsIPv4: 1
      - name: child
        properties:
          trafficRoutingMethod: MultiValue
          maxReturn: 2
          dnsConfig:
            relativeName: child
          endpoints:
            - name: v4
              type: externalEndpoints
              properties:
                target: 8.8.8.8
                alwaysServe: Enabled
)";

// Replaces the value on every "key: value" and "- value" line, one line at a time, with every
// wrong kind of node; none of the variants may crash, throw or yield a model with errors.
TEST(Malformed, WrongTypesEverywhere) {
  ASSERT_EQ(loadText(kValid).errors, std::vector<std::string>{});
  std::vector<std::string> lines;
  std::istringstream in(kValid);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  const char* replacements[] = {
      "[]",       "{}",          "~",       "\"\"",        "-1",  "99999999999999999999",
      "[1, [2]]", "{a: {b: c}}", "&x [*x]", "\"\\u0000\"", "3.5", "!!binary aGk="};
  int variants = 0;
  int withErrors = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    size_t valueAt = line.find(": ");
    if (valueAt != std::string::npos) {
      valueAt += 2;
    } else if (const size_t dash = line.find("- ");
               dash != std::string::npos && line.find_first_not_of(' ') == dash) {
      valueAt = dash + 2;
    } else {
      continue;
    }
    for (const char* replacement : replacements) {
      std::string text;
      for (size_t j = 0; j < lines.size(); ++j) {
        text += (j == i ? lines[j].substr(0, valueAt) + replacement : lines[j]) + "\n";
      }
      SCOPED_TRACE(text);
      const Loaded loaded = loadText(text);
      expectSane(loaded);
      ++variants;
      withErrors += loaded.errors.empty() ? 0 : 1;
    }
  }
  EXPECT_GT(variants, 500);
  EXPECT_GT(withErrors, variants / 2);
}

// Random byte edits of a valid configuration.
TEST(Malformed, RandomMutations) {
  std::mt19937 rng(7);
  const std::string valid = kValid;
  for (int round = 0; round < 2000; ++round) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = static_cast<char>(rng() & 0xff);
          break;
        case 1:
          text.erase(at, 1 + rng() % 8);
          break;
        default:
          text.insert(at, 1, "[]{}:,-&*!|>'\"#\n "[rng() % 17]);
          break;
      }
    }
    expectSane(loadText(text));
  }
}

}  // namespace
}  // namespace tmdns::config::testing
