// Top-level `geoip:` and `latency:`: loading, paths relative to the file, compilation into
// routing (Subnet, Geographic, Performance) and every error pointing at the key that caused it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/compiler.h"
#include "geo/locator.h"
#include "routing/router.h"
#include "tests/unit/config/config_test_util.h"
#include "tests/unit/geo/geo_test_support.h"

namespace tmdns::config::testing {
namespace {

using geo::testing::TempDir;

const std::string kZoneHead =
    "zones:\n"
    "  - name: tm.example.test\n"
    "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test}\n"
    "    ns: [ns1.tm.example.test]\n";

std::string oneProfile(const std::string& profile) {
  return kZoneHead + "    profiles:\n" + profile;
}

const std::string kGeographic =
    "      - name: geo\n"
    "        trafficRoutingMethod: Geographic\n"
    "        dnsConfig: {relativeName: geo}\n"
    "        endpoints:\n"
    "          - {name: ie, type: externalEndpoints, target: ie.example.net, geoMapping: [IE]}\n"
    "          - {name: world, type: externalEndpoints, target: world.example.net,\n"
    "             geoMapping: [WORLD], subnets: [{first: 192.0.2.0, scope: 25}]}\n";

TEST(GeoConfig, LoaderReadsAndResolvesPaths) {
  const Loaded mmdb = loadText(
      "geoip: {mmdb: data/city.mmdb}\nlatency: {csv: /abs/latency.csv}\n" + oneProfile(kGeographic),
      "/etc/tmdns/tmdns.yaml");
  ASSERT_TRUE(mmdb.config.has_value()) << ::testing::PrintToString(mmdb.all);
  EXPECT_EQ(mmdb.all, std::vector<std::string>{});
  ASSERT_TRUE(mmdb.config->geoip.has_value());
  EXPECT_EQ(mmdb.config->geoip->format, GeoIpSettings::Format::kMmdb);
  EXPECT_EQ(mmdb.config->geoip->file, "/etc/tmdns/data/city.mmdb");
  EXPECT_EQ(mmdb.config->geoip->path, "geoip.mmdb");
  EXPECT_EQ(mmdb.config->geoip->pos.line, 1);
  EXPECT_EQ(mmdb.config->geoip->pos.col, 15);
  ASSERT_TRUE(mmdb.config->latency.has_value());
  EXPECT_EQ(mmdb.config->latency->file, "/abs/latency.csv");
  EXPECT_EQ(mmdb.config->latency->path, "latency.csv");

  const Loaded csv = loadText("geoip:\n  csv: geo.csv\n" + oneProfile(kGeographic), "cfg.yaml");
  ASSERT_TRUE(csv.config.has_value());
  EXPECT_EQ(csv.config->geoip->format, GeoIpSettings::Format::kCsv);
  EXPECT_EQ(csv.config->geoip->file, "geo.csv");
  EXPECT_FALSE(csv.config->latency.has_value());
}

struct Bad {
  std::string text;
  std::string needle;
  std::string expected;
};

TEST(GeoConfig, LoaderErrors) {
  const std::vector<Bad> cases = {
      {"geoip: {mmdb: a.mmdb, csv: b.csv}\n", "b.csv",
       "geoip.csv: give one geolocation database: mmdb or csv, not both"},
      {"geoip: {}\n", "{}", "geoip: needs `mmdb: FILE` or `csv: FILE`"},
      {"geoip: {csv: ''}\n", "''", "geoip.csv: must name a file"},
      {"geoip: city.mmdb\n", "city", "geoip: must be a map"},
      {"latency: {file: l.csv}\n", "{file", "latency: missing required key \"csv\""},
      {"latency: {csv: [a]}\n", "[a]", "latency.csv: must be a string"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string text = c.text + oneProfile(kGeographic);
    const Loaded loaded = loadText(text);
    EXPECT_FALSE(loaded.config.has_value());
    ASSERT_FALSE(loaded.errors.empty());
    EXPECT_EQ(loaded.errors.front(), "cfg.yaml:" + locate(text, c.needle) + ": " + c.expected);
  }
  const Loaded unknown = loadText("geoip: {csv: g.csv, format: csv}\n" + oneProfile(kGeographic));
  ASSERT_EQ(unknown.warnings.size(), 1u);
  EXPECT_NE(unknown.warnings[0].find("format"), std::string::npos) << unknown.warnings[0];
}

struct Compiled {
  Loaded loaded;
  std::vector<std::string> compileDiags;
  std::unique_ptr<dns::Snapshot> snapshot;
};

Compiled compileFile(const std::string& path) {
  Compiled out;
  Diagnostics diags;
  std::optional<Config> config = loadConfig(path, diags);
  out.loaded = collect(config, diags);
  if (config) {
    Diagnostics compileDiags;
    out.snapshot = compile(*config, compileDiags);
    for (const Diagnostic& d : compileDiags.items()) {
      out.compileDiags.push_back(d.format());
    }
  }
  return out;
}

// Routes `profile` for `client` (a source address) over a compiled snapshot; every endpoint
// Online. Returns the targets' endpoint names as indices into the profile, or the outcome.
std::string routeName(const dns::Snapshot& snapshot, routing::ProfileId profile,
                      const std::string& client, const std::vector<std::string>& names) {
  routing::Request request;
  const geo::Address address = *geo::parseAddress(client);
  request.client.family = address.v6 ? 6 : 4;
  request.client.sourcePrefix = address.v6 ? 128 : 32;
  geo::Uint128 value = address.value;
  for (int i = address.v6 ? 15 : 3; i >= 0; --i) {
    request.client.addr[i] = static_cast<uint8_t>(value & 0xFF);
    value >>= 8;
  }
  util::Rng rng(3);
  const routing::Context ctx{snapshot.routing, routing::HealthView(), request, rng};
  routing::Selection out;
  routing::route(ctx, profile, out);
  if (out.outcome == routing::Selection::Outcome::kNoData) {
    return "NODATA";
  }
  if (out.outcome == routing::Selection::Outcome::kNxDomain) {
    return "NXDOMAIN";
  }
  const routing::EndpointId first = snapshot.routing.profiles[profile].firstEndpoint;
  return names.at(out.endpoints[0] - first) + "/" + std::to_string(out.ecsScope);
}

constexpr char kGeoCsv[] =
    "network,country,subdivision,latitude,longitude\n"
    "198.51.100.0/24,IE,,53.35,-6.26\n"
    "203.0.113.0/24,US,CA,37.77,-122.42\n";

constexpr char kLatencyCsv[] =
    "network,region,rtt_ms\n"
    "198.51.100.0/24,West Europe,12\n"
    "198.51.100.0/24,West US,140\n";

// Profiles 0 (Geographic), 1 (Performance), 2 (Subnet) of one zone with NXDOMAIN for Subnet
// misses.
std::string threeMethods(const std::string& top) {
  return top + kZoneHead +
         "    subnet_no_match: nxdomain\n"
         "    profiles:\n" +
         kGeographic +
         "      - name: perf\n"
         "        trafficRoutingMethod: Performance\n"
         "        dnsConfig: {relativeName: perf}\n"
         "        endpoints:\n"
         "          - {name: weu, type: externalEndpoints, target: weu.example.net,\n"
         "             endpointLocation: West Europe}\n"
         "          - {name: wus, type: externalEndpoints, target: wus.example.net,\n"
         "             endpointLocation: westus}\n"
         "      - name: sub\n"
         "        trafficRoutingMethod: Subnet\n"
         "        dnsConfig: {relativeName: sub}\n"
         "        endpoints:\n"
         "          - {name: a, type: externalEndpoints, target: a.example.net,\n"
         "             subnets: [{first: 198.51.100.0, scope: 24}]}\n"
         "          - {name: b, type: externalEndpoints, target: b.example.net,\n"
         "             subnets: [{first: 203.0.113.5, last: 203.0.113.9}]}\n";
}

TEST(GeoConfig, CompilesTheThreeMethodsWithCsvData) {
  TempDir dir;
  dir.write("geo.csv", kGeoCsv);
  dir.write("latency.csv", kLatencyCsv);
  const std::string path =
      dir.write("tmdns.yaml", threeMethods("geoip: {csv: geo.csv}\nlatency: {csv: latency.csv}\n"));
  const Compiled c = compileFile(path);
  ASSERT_TRUE(c.loaded.config.has_value()) << ::testing::PrintToString(c.loaded.all);
  ASSERT_NE(c.snapshot, nullptr) << ::testing::PrintToString(c.compileDiags);
  EXPECT_EQ(c.compileDiags, std::vector<std::string>{});
  const dns::Snapshot& s = *c.snapshot;
  const std::vector<std::string> geoNames = {"ie", "world"};
  EXPECT_EQ(routeName(s, 0, "198.51.100.7", geoNames), "ie/24");
  EXPECT_EQ(routeName(s, 0, "203.0.113.7", geoNames), "world/24");
  EXPECT_EQ(routeName(s, 0, "192.0.2.9", geoNames), "world/25");  // override
  const std::vector<std::string> perfNames = {"weu", "wus"};
  EXPECT_EQ(routeName(s, 1, "198.51.100.7", perfNames), "weu/24");  // latency table
  EXPECT_EQ(routeName(s, 1, "203.0.113.7", perfNames), "wus/24");   // great circle
  const std::vector<std::string> subNames = {"a", "b"};
  EXPECT_EQ(routeName(s, 2, "198.51.100.7", subNames), "a/24");
  EXPECT_EQ(routeName(s, 2, "203.0.113.7", subNames), "b/31");
  EXPECT_EQ(routeName(s, 2, "192.0.2.1", subNames), "NXDOMAIN");  // zone: subnet_no_match
}

TEST(GeoConfig, CompilesWithAnMmdb) {
  TempDir dir;
  geo::testing::writeMmdb(dir, "city.mmdb", kGeoCsv);
  const std::string path = dir.write("tmdns.yaml", threeMethods("geoip: {mmdb: city.mmdb}\n"));
  const Compiled c = compileFile(path);
  ASSERT_NE(c.snapshot, nullptr) << ::testing::PrintToString(c.compileDiags);
  const std::vector<std::string> geoNames = {"ie", "world"};
  EXPECT_EQ(routeName(*c.snapshot, 0, "198.51.100.7", geoNames), "ie/24");
  // Not in the database: WORLD, with whatever empty block the tree has around the address.
  EXPECT_EQ(routeName(*c.snapshot, 0, "2001:db8::1", geoNames).substr(0, 6), "world/");
  // Without a latency table Performance goes by distance: Dublin is nearer Amsterdam.
  EXPECT_EQ(routeName(*c.snapshot, 1, "198.51.100.7", {"weu", "wus"}), "weu/24");
}

TEST(GeoConfig, UnusableDataFilesAreErrorsAtTheirKey) {
  TempDir dir;
  dir.write("bad.csv", "198.51.100.0/24,IE\n198.51.100.0/24,US\n");
  dir.write("text.mmdb", "not a database\n");
  dir.write("latency.csv", "198.51.100.0/24,Wset Europe,5\n");
  struct Case {
    std::string top;
    std::string needle;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"geoip: {mmdb: missing.mmdb}\n", "missing.mmdb",
       "geoip.mmdb: " + dir.file("missing.mmdb") +
           ": Error opening the specified MaxMind DB file: No such file or directory"},
      {"geoip: {mmdb: text.mmdb}\n", "text.mmdb",
       "geoip.mmdb: " + dir.file("text.mmdb") + ": The MaxMind DB file contains invalid metadata"},
      {"geoip: {csv: bad.csv}\n", "bad.csv",
       "geoip.csv: " + dir.file("bad.csv") + ":2: the same network as line 1 with different data"},
      {"geoip: {csv: bad.csv}\nlatency: {csv: latency.csv}\n", "latency.csv",
       "latency.csv: " + dir.file("latency.csv") +
           ":1: unknown Azure region \"Wset Europe\" (did you mean \"West Europe\"?)"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.top);
    const std::string text = threeMethods(k.top);
    const std::string path = dir.write("tmdns.yaml", text);
    const Compiled c = compileFile(path);
    ASSERT_TRUE(c.loaded.config.has_value());
    EXPECT_EQ(c.snapshot, nullptr);
    ASSERT_FALSE(c.compileDiags.empty());
    EXPECT_EQ(c.compileDiags.back(), path + ":" + locate(text, k.needle) + ": " + k.message);
  }
}

TEST(GeoConfig, MissingDataIsAWarning) {
  TempDir dir;
  const std::string text = threeMethods("");
  const std::string path = dir.write("tmdns.yaml", text);
  const Compiled c = compileFile(path);
  ASSERT_NE(c.snapshot, nullptr);
  EXPECT_EQ(c.compileDiags,
            (std::vector<std::string>{
                path + ":" + locate(text, "Geographic") +
                    ": warning: zones[0].profiles[0].trafficRoutingMethod: Geographic routing "
                    "without a geolocation database (top-level `geoip:`): no client can be "
                    "located, only a WORLD mapping answers",
                path + ":" + locate(text, "Performance") +
                    ": warning: zones[0].profiles[1].trafficRoutingMethod: Performance routing "
                    "without a latency table (top-level `latency:`) or a geolocation database "
                    "(`geoip:`): every query gets the eligible endpoint with the lowest priority "
                    "number"}));
  // Only WORLD answers; the scope still reflects the override range the client is not in.
  EXPECT_EQ(routeName(*c.snapshot, 0, "198.51.100.7", {"ie", "world"}), "world/6");
  EXPECT_EQ(routeName(*c.snapshot, 1, "198.51.100.7", {"weu", "wus"}), "weu/0");
}

// The yaml block that follows `## <section>` in docs/routing-methods.md.
std::string docsExample(const std::string& section) {
  const std::string text =
      readWholeFile(std::string(TMDNS_SOURCE_DIR) + "/docs/routing-methods.md");
  const size_t heading = text.find("\n## " + section + "\n");
  const size_t start = text.find("```yaml\n", heading);
  const size_t end = text.find("\n```", start);
  if (heading == std::string::npos || start == std::string::npos || end == std::string::npos) {
    return "";
  }
  return text.substr(start + 8, end - start - 8 + 1);
}

struct DocClaim {
  std::string network;
  uint8_t prefix;
  std::string down;  // an endpoint made Degraded first, or ""
  std::string expected;
};

// What docs/routing-methods.md says these examples answer, checked through the compiler.
TEST(GeoConfig, DocsExamplesAnswerAsDocumented) {
  const std::string docs = std::string(TMDNS_SOURCE_DIR) + "/docs/routing-methods.md";
  const std::vector<std::pair<std::string, std::vector<DocClaim>>> sections = {
      {"Subnet",
       {{"198.51.100.0", 24, "", "dublin/24"},
        {"203.0.113.6", 32, "", "paris/31"},
        {"192.0.2.0", 24, "", "everyone-else/6"}}},
      {"Geographic",
       {{"198.51.100.0", 24, "", "ireland/24"},
        {"203.0.113.0", 25, "", "europe/25"},
        {"203.0.113.128", 25, "", "california/25"},
        {"192.0.2.0", 25, "", "california/25"},
        {"192.0.2.128", 25, "", "world/25"},
        {"2001:db8:2::", 48, "", "world/48"}}},
      {"Performance",
       {{"198.51.100.0", 24, "", "neu/24"},
        {"198.51.100.0", 24, "neu", "eus/24"},
        {"192.0.2.0", 24, "", "eus/24"},
        {"2001:db8:2::", 48, "", "jpe/48"},
        {"2001:db8:1::", 48, "", "neu/48"},
        {"203.0.113.0", 24, "", "jpe/24"}}},
  };
  for (const auto& [section, claims] : sections) {
    SCOPED_TRACE(section);
    const std::string yaml = docsExample(section);
    ASSERT_FALSE(yaml.empty());
    Diagnostics diags;
    std::optional<Config> config = loadConfigText(yaml, docs, diags);
    ASSERT_TRUE(config.has_value());
    const std::unique_ptr<dns::Snapshot> snapshot = compile(*config, diags);
    ASSERT_NE(snapshot, nullptr);
    const std::vector<Endpoint>& endpoints = config->zones[0].profiles[0].endpoints;
    for (const DocClaim& claim : claims) {
      SCOPED_TRACE(claim.network + "/" + std::to_string(claim.prefix) + " " + claim.down);
      std::vector<routing::MonitorStatus> health(snapshot->routing.endpoints.size(),
                                                 routing::MonitorStatus::kOnline);
      for (size_t i = 0; i < endpoints.size(); ++i) {
        if (endpoints[i].name == claim.down) {
          health[i] = routing::MonitorStatus::kDegraded;
        }
      }
      routing::Request request;
      const geo::Address address = *geo::parseAddress(claim.network);
      request.client.family = address.v6 ? 6 : 4;
      request.client.sourcePrefix = claim.prefix;
      request.client.fromEcs = true;
      geo::Uint128 value = address.value;
      for (int i = address.v6 ? 15 : 3; i >= 0; --i) {
        request.client.addr[i] = static_cast<uint8_t>(value & 0xFF);
        value >>= 8;
      }
      util::Rng rng(3);
      const routing::Context ctx{snapshot->routing,
                                 routing::HealthView(health.data(), health.size()), request, rng};
      routing::Selection out;
      routing::route(ctx, 0, out);
      ASSERT_EQ(out.outcome, routing::Selection::Outcome::kAnswer);
      EXPECT_EQ(endpoints.at(out.endpoints[0]).name + "/" + std::to_string(out.ecsScope),
                claim.expected);
    }
  }
}

}  // namespace
}  // namespace tmdns::config::testing
