// The loader: top-level keys, listen addresses, zones, profile files and file-level failures.
#include "config/loader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

TEST(Loader, MinimalConfigGetsDefaults) {
  const Loaded loaded = loadText(
      "zones:\n"
      "  - name: TM.Example.Test.\n"
      "    soa: {mname: ns1.tm.example.test., rname: Hostmaster.example.test}\n"
      "    ns: [NS1.tm.example.test]\n");
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  const Config& config = *loaded.config;
  EXPECT_EQ(config.file, "cfg.yaml");
  ASSERT_EQ(config.listen.size(), 1u);
  EXPECT_EQ(config.listen[0].host, "127.0.0.1");
  EXPECT_EQ(config.listen[0].port, 53);
  EXPECT_EQ(config.listen[0].path, "listen");
  EXPECT_EQ(config.threads, 0);
  EXPECT_EQ(config.maxUdpPayload, 1232);
  EXPECT_EQ(config.tcp.idleTimeoutMs, 10000);
  EXPECT_EQ(config.tcp.maxConnections, 1024);
  EXPECT_EQ(config.tcp.maxQueriesPerConnection, 1000);
  ASSERT_EQ(config.zones.size(), 1u);
  const Zone& zone = config.zones[0];
  EXPECT_EQ(zone.path, "zones[0]");
  EXPECT_EQ(zone.pos.line, 2);
  EXPECT_EQ(zone.pos.col, 5);
  EXPECT_EQ(zone.name, "tm.example.test");
  EXPECT_EQ(zone.soa.mname, "ns1.tm.example.test");
  EXPECT_EQ(zone.soa.rname, "hostmaster.example.test");
  EXPECT_EQ(zone.soa.serial, 1u);
  EXPECT_EQ(zone.soa.refresh, 3600u);
  EXPECT_EQ(zone.soa.retry, 600u);
  EXPECT_EQ(zone.soa.expire, 86400u);
  EXPECT_EQ(zone.soa.minimum, 30u);
  EXPECT_EQ(zone.soa.ttl, 3600u);
  EXPECT_EQ(zone.ns, std::vector<std::string>{"ns1.tm.example.test"});
  EXPECT_EQ(zone.nsTtl, 3600u);
  EXPECT_TRUE(zone.records.empty());
  EXPECT_TRUE(zone.profiles.empty());
  EXPECT_EQ(zone.subnetNoMatch, NegativeAnswer::kNoData);
  EXPECT_EQ(zone.subnetUnhealthy, NegativeAnswer::kNxDomain);
}

void expectFullConfig(const Loaded& loaded) {
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  const Config& config = *loaded.config;
  ASSERT_EQ(config.listen.size(), 3u);
  EXPECT_EQ(config.listen[0].host, "127.0.0.1");
  EXPECT_EQ(config.listen[0].port, 5353);
  EXPECT_EQ(config.listen[1].host, "::1");
  EXPECT_EQ(config.listen[1].port, 5353);
  EXPECT_EQ(config.listen[2].host, "0.0.0.0");
  EXPECT_EQ(config.listen[2].port, 0);
  EXPECT_EQ(config.listen[1].path, "listen[1]");
  EXPECT_EQ(config.threads, 2);
  EXPECT_EQ(config.maxUdpPayload, 1400);
  EXPECT_EQ(config.tcp.idleTimeoutMs, 5000);
  EXPECT_EQ(config.tcp.maxConnections, 64);
  EXPECT_EQ(config.tcp.maxQueriesPerConnection, 100);
  ASSERT_EQ(config.zones.size(), 1u);
  const Zone& zone = config.zones[0];
  EXPECT_EQ(zone.soa.serial, 4294967295u);
  EXPECT_EQ(zone.soa.refresh, 7200u);
  EXPECT_EQ(zone.soa.retry, 900u);
  EXPECT_EQ(zone.soa.expire, 1209600u);
  EXPECT_EQ(zone.soa.minimum, 60u);
  EXPECT_EQ(zone.soa.ttl, 300u);
  EXPECT_EQ(zone.ns, (std::vector<std::string>{"ns1.tm.example.test", "ns2.example.net"}));
  EXPECT_EQ(zone.nsTtl, 86400u);
  ASSERT_EQ(zone.records.size(), 2u);
  EXPECT_EQ(zone.records[0].text, "ns1 3600 IN A 192.0.2.53");
  EXPECT_EQ(zone.records[1].text, "www 300 IN CNAME app.tm.example.test.");
  EXPECT_EQ(zone.records[1].path, "zones[0].records[1]");
  EXPECT_EQ(zone.subnetNoMatch, NegativeAnswer::kNxDomain);
  EXPECT_EQ(zone.subnetUnhealthy, NegativeAnswer::kNoData);
  ASSERT_EQ(zone.profiles.size(), 1u);
  EXPECT_EQ(zone.profiles[0].name, "app");
}

TEST(Loader, EveryTopLevelKeyInYaml) {
  const Loaded loaded = loadText(R"(listen: ["127.0.0.1:5353", "[::1]:5353", "0.0.0.0:0"]
threads: 2
max_udp_payload: 1400
tcp: {idle_timeout_ms: 5000, max_connections: 64, max_queries_per_connection: 100}
zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 4294967295,
          refresh: 7200, retry: 900, expire: 1209600, minimum: 60, ttl: 300}
    ns: [ns1.tm.example.test, ns2.example.net.]
    ns_ttl: 86400
    records:
      - "ns1 3600 IN A 192.0.2.53"
      - "www 300 IN CNAME app.tm.example.test."
    subnet_no_match: NXDOMAIN
    subnet_unhealthy: nodata
    profiles:
      - name: app
        trafficRoutingMethod: Priority
        dnsConfig: {relativeName: app}
        endpoints: [{name: a, type: externalEndpoints, target: a.example.com}]
)");
  expectFullConfig(loaded);
}

TEST(Loader, JsonConfigText) {
  const Loaded loaded = loadText(R"({
  "listen": ["127.0.0.1:5353", "[::1]:5353", "0.0.0.0:0"],
  "threads": 2,
  "max_udp_payload": 1400,
  "tcp": {"idle_timeout_ms": 5000, "max_connections": 64, "max_queries_per_connection": 100},
  "zones": [{
    "name": "tm.example.test",
    "soa": {"mname": "ns1.tm.example.test", "rname": "hostmaster.example.test", "serial": 4294967295,
            "refresh": 7200, "retry": 900, "expire": 1209600, "minimum": 60, "ttl": 300},
    "ns": ["ns1.tm.example.test", "ns2.example.net."],
    "ns_ttl": 86400,
    "records": ["ns1 3600 IN A 192.0.2.53", "www 300 IN CNAME app.tm.example.test."],
    "subnet_no_match": "nxdomain",
    "subnet_unhealthy": "nodata",
    "profiles": [{"name": "app", "properties": {"trafficRoutingMethod": "Priority",
                  "dnsConfig": {"relativeName": "app"},
                  "endpoints": [{"name": "a", "type": "externalEndpoints",
                                 "properties": {"target": "a.example.com"}}]}}]
  }]
})",
                                 "cfg.json");
  expectFullConfig(loaded);
  ASSERT_TRUE(loaded.config.has_value());
  EXPECT_EQ(loaded.config->zones[0].profiles[0].pos.file, "cfg.json");
}

// One exact, hand-counted message: positions are 1-based and paths index every list.
TEST(Loader, HandCountedPosition) {
  const Loaded loaded = loadText(R"(listen: ["127.0.0.1:0"]
zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test}
    ns: [ns1.tm.example.test]
    profiles:
      - {name: p0, trafficRoutingMethod: Priority, dnsConfig: {relativeName: p0}}
      - {name: p1, trafficRoutingMethod: Priority, dnsConfig: {relativeName: p1}}
      - name: p2
        trafficRoutingMethod: Weighted
        dnsConfig: {relativeName: p2}
        endpoints:
          - {name: a, type: externalEndpoints, target: a.example.com}
          - name: b
            type: externalEndpoints
            target: b.example.com
            weight: 0
)");
  EXPECT_EQ(loaded.all, std::vector<std::string>{
                            "cfg.yaml:17:21: zones[0].profiles[2].endpoints[1].weight: must be "
                            "1..1000"});
  EXPECT_FALSE(loaded.config.has_value());
}

struct TextCase {
  const char* label;
  std::string text;
  const char* after;
  const char* needle;
  const char* expected;  // after "cfg.yaml:LINE:COL: "
};

void expectErrors(const TextCase& c) {
  SCOPED_TRACE(c.label);
  const Loaded loaded = loadText(c.text);
  const std::string where = locate(c.text, c.needle, c.after);
  ASSERT_NE(where, "?:?") << "bad test: needle not found";
  EXPECT_EQ(loaded.errors, std::vector<std::string>{"cfg.yaml:" + where + ": " + c.expected})
      << c.text;
  EXPECT_FALSE(loaded.config.has_value());
}

TEST(Loader, ListenErrors) {
  const std::string format = "must be IPv4:port or [IPv6]:port (e.g. 127.0.0.1:53 or [::1]:53)";
  const char* badSyntax[] = {"127.0.0.1",    "::1:53",      "[127.0.0.1]:53", "[::1]53",
                             "localhost:53", "127.0.0.1:",  "127.0.0.1:-1",   "127.0.0.1:123456",
                             "[::1]:",       "1.2.3.4.5:53"};
  for (const char* address : badSyntax) {
    const std::string text = "listen: [\"" + std::string(address) + "\"]\n" + kZone;
    expectErrors({address, text, "", "\"", ("listen[0]: " + format).c_str()});
  }
  const TextCase cases[] = {
      {"port too large", "listen: [\"127.0.0.1:65536\"]\n" + kZone, "", "\"",
       "listen[0]: port must be 0..65535"},
      {"duplicate", "listen: [\"127.0.0.1:53\", \"127.0.0.1:53\"]\n" + kZone, ", ", "\"",
       "listen[1]: duplicate address (also listen[0])"},
      {"duplicate IPv6 spelled differently", "listen: [\"[::1]:53\", \"[0::0001]:53\"]\n" + kZone,
       ", ", "\"", "listen[1]: duplicate address (also listen[0])"},
      {"scalar", "listen: 127.0.0.1:53\n" + kZone, "", "127", "listen: must be a list"},
      {"empty", "listen: []\n" + kZone, "", "[]", "listen: must list at least one address"},
      {"not a string", "listen: [[1]]\n" + kZone, "[", "[1]", "listen[0]: must be a string"},
  };
  for (const TextCase& c : cases) {
    expectErrors(c);
  }
  // Port 0 may repeat: each socket gets its own free port.
  const Loaded loaded = loadText("listen: [\"127.0.0.1:0\", \"127.0.0.1:0\"]\n" + kZone);
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
}

TEST(Loader, TopLevelErrors) {
  const TextCase cases[] = {
      {"threads 257", "threads: 257\n" + kZone, "", "257", "threads: must be 0..256"},
      {"threads negative", "threads: -1\n" + kZone, "", "-1", "threads: must be 0..256"},
      {"threads word", "threads: two\n" + kZone, "", "two", "threads: must be a whole number"},
      {"payload 511", "max_udp_payload: 511\n" + kZone, "", "511",
       "max_udp_payload: must be 512..4096"},
      {"payload 4097", "max_udp_payload: 4097\n" + kZone, "", "4097",
       "max_udp_payload: must be 512..4096"},
      {"tcp not a map", "tcp: 5\n" + kZone, "", "5", "tcp: must be a map"},
      {"idle timeout 0", "tcp: {idle_timeout_ms: 0}\n" + kZone, "", "0",
       "tcp.idle_timeout_ms: must be 1..3600000"},
      {"max connections 0", "tcp: {max_connections: 0}\n" + kZone, "", "0",
       "tcp.max_connections: must be 1..1000000"},
      {"max queries 0", "tcp: {max_queries_per_connection: 0}\n" + kZone, "", "0",
       "tcp.max_queries_per_connection: must be 1..1000000"},
      {"no zones", "threads: 1\n", "", "threads", "missing required key \"zones\""},
      {"zones not a list", "zones: {a: 1}\n", "", "{", "zones: must be a list"},
      {"zones empty", "zones: []\n", "", "[", "zones: must list at least one zone"},
      {"zone not a map", "zones: [tm.example.test]\n", "", "tm", "zones[0]: must be a map"},
      {"root list", "- zones\n", "", "-",
       "the configuration must be a map (listen, threads, zones, ...)"},
      {"root scalar", "zones\n", "", "zones",
       "the configuration must be a map (listen, threads, zones, ...)"},
  };
  for (const TextCase& c : cases) {
    expectErrors(c);
  }
}

TEST(Loader, ZoneErrors) {
  const std::string soa = "    soa: {mname: ns1.x.test, rname: h.x.test}\n";
  const std::string ns = "    ns: [ns1.x.test]\n";
  const TextCase cases[] = {
      {"no name", "zones:\n  - soa: {mname: a.test, rname: b.test}\n" + ns, "", "soa",
       "zones[0]: missing required key \"name\""},
      {"bad name", "zones:\n  - name: 'bad zone'\n" + soa + ns, "", "'bad",
       "zones[0].name: contains ' '; only letters, digits, '-', '_' and '.' are allowed"},
      {"root zone", "zones:\n  - name: .\n" + soa + ns, "", ".\n",
       "zones[0].name: must not be empty"},
      {"no soa", "zones:\n  - name: x.test\n" + ns, "", "name",
       "zones[0]: missing required key \"soa\""},
      {"soa not a map", "zones:\n  - name: x.test\n    soa: ns1.x.test\n" + ns, "soa: ", "ns1",
       "zones[0].soa: must be a map"},
      {"no mname", "zones:\n  - name: x.test\n    soa: {rname: h.x.test}\n" + ns, "", "{",
       "zones[0].soa: missing required key \"mname\""},
      {"no rname", "zones:\n  - name: x.test\n    soa: {mname: ns1.x.test}\n" + ns, "", "{",
       "zones[0].soa: missing required key \"rname\""},
      {"bad rname",
       "zones:\n  - name: x.test\n    soa: {mname: ns1.x.test, rname: 'h@x.test'}\n" + ns, "",
       "'h@",
       "zones[0].soa.rname: contains '@'; only letters, digits, '-', '_' and '.' are allowed"},
      {"serial negative",
       "zones:\n  - name: x.test\n    soa: {mname: ns1.x.test, rname: h.x.test, serial: -1}\n" + ns,
       "", "-1", "zones[0].soa.serial: must be 0..4294967295"},
      {"soa ttl too large",
       "zones:\n  - name: x.test\n    soa: {mname: ns1.x.test, rname: h.x.test, ttl: "
       "2147483648}\n" +
           ns,
       "", "2147483648", "zones[0].soa.ttl: must be 0..2147483647"},
      {"no ns", "zones:\n  - name: x.test\n" + soa, "", "name",
       "zones[0]: missing required key \"ns\""},
      {"ns empty", "zones:\n  - name: x.test\n" + soa + "    ns: []\n", "", "[]",
       "zones[0].ns: must list at least one name server"},
      {"ns scalar", "zones:\n  - name: x.test\n" + soa + "    ns: ns1.x.test\n", "ns: ", "ns1",
       "zones[0].ns: must be a list"},
      {"ns bad name", "zones:\n  - name: x.test\n" + soa + "    ns: [ns1.x.test, 'a..b']\n", "",
       "'a..b'", "zones[0].ns[1]: has an empty label"},
      {"ns_ttl negative", "zones:\n  - name: x.test\n" + soa + ns + "    ns_ttl: -1\n", "", "-1",
       "zones[0].ns_ttl: must be 0..2147483647"},
      {"record not a string", "zones:\n  - name: x.test\n" + soa + ns + "    records: [[a]]\n",
       "records: [", "[a]", "zones[0].records[0]: must be a string"},
      {"subnet_no_match", "zones:\n  - name: x.test\n" + soa + ns + "    subnet_no_match: refuse\n",
       "", "refuse", "zones[0].subnet_no_match: must be one of nodata, nxdomain"},
      {"subnet_unhealthy", "zones:\n  - name: x.test\n" + soa + ns + "    subnet_unhealthy: 3\n",
       "", "3", "zones[0].subnet_unhealthy: must be one of nodata, nxdomain"},
      {"profiles not a list", "zones:\n  - name: x.test\n" + soa + ns + "    profiles: {a: 1}\n",
       "", "{a", "zones[0].profiles: must be a list"},
      {"profile_files not a list",
       "zones:\n  - name: x.test\n" + soa + ns + "    profile_files: a.json\n", "", "a.json",
       "zones[0].profile_files: must be a list"},
      {"profile_files empty pattern",
       "zones:\n  - name: x.test\n" + soa + ns + "    profile_files: ['']\n", "", "''",
       "zones[0].profile_files[0]: must not be empty"},
  };
  for (const TextCase& c : cases) {
    expectErrors(c);
  }
}

TEST(Loader, UnknownKeysAreWarnings) {
  const std::string text =
      "colour: blue\n"
      "tcp: {idle_timeout_ms: 5, shape: round}\n" +
      kZone +
      "    flavour: mint\n"
      "    soa2: {}\n";
  const Loaded loaded = loadText(text);
  EXPECT_TRUE(loaded.errors.empty());
  EXPECT_TRUE(loaded.config.has_value());
  EXPECT_EQ(
      loaded.warnings,
      (std::vector<std::string>{
          "cfg.yaml:" + locate(text, "shape") + ": warning: tcp: unknown key \"shape\"",
          "cfg.yaml:" + locate(text, "flavour") + ": warning: zones[0]: unknown key \"flavour\"",
          "cfg.yaml:" + locate(text, "soa2") + ": warning: zones[0]: unknown key \"soa2\"",
          "cfg.yaml:1:1: warning: unknown key \"colour\""}));
}

TEST(Loader, SyntaxErrorsCarryYamlCppPositions) {
  const Loaded unclosed = loadText("zones:\n  - name: [unclosed\n");
  EXPECT_EQ(unclosed.all,
            std::vector<std::string>{"cfg.yaml:3:1: syntax error: end of sequence flow not found"});
  EXPECT_FALSE(unclosed.config.has_value());
  const Loaded indent = loadText("zones:\n  - name: a\n   bad: indent\n");
  EXPECT_EQ(indent.all,
            std::vector<std::string>{"cfg.yaml:3:4: syntax error: end of sequence not found"});
  const Loaded tab = loadText("key: value\n\tzones: []\n");
  EXPECT_EQ(tab.all, std::vector<std::string>{
                         "cfg.yaml:2:1: syntax error: illegal tab when looking for indentation"});
}

TEST(Loader, UnreadableFiles) {
  const Loaded missing = loadFile("/nonexistent-tmdns-dir/cfg.yaml");
  EXPECT_EQ(missing.all, std::vector<std::string>{
                             "/nonexistent-tmdns-dir/cfg.yaml:0:0: cannot read: No such file or "
                             "directory"});
  EXPECT_FALSE(missing.config.has_value());
  TempDir dir;
  const Loaded directory = loadFile(dir.path());
  EXPECT_EQ(directory.all,
            std::vector<std::string>{dir.path() + ":0:0: cannot read: Is a directory"});
}

TEST(Loader, KeepsCallersDiagnosticsAndWarningsDoNotBlock) {
  Diagnostics diags;
  diags.error(Position{"earlier", 1, 1}, "", "from before");
  const std::optional<Config> config = loadConfigText("colour: 1\n" + kZone, "cfg.yaml", diags);
  EXPECT_TRUE(config.has_value()) << "a caller's earlier errors are not this file's";
  ASSERT_EQ(diags.items().size(), 2u);
  EXPECT_EQ(diags.items()[0].format(), "earlier:1:1: from before");
  EXPECT_EQ(diags.items()[1].format(), "cfg.yaml:1:1: warning: unknown key \"colour\"");
}

const char* kCliProfile = R"({
  "dnsConfig": {"relativeName": "cli", "ttl": 60},
  "endpoints": [
    {"name": "one", "target": "one.example.com", "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints"},
    {"name": "two", "target": "two.example.com", "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints", "weight": 0}
  ],
  "name": "cli",
  "trafficRoutingMethod": "Weighted"
}
)";

const char* kArmList = R"([
  {"name": "arm1", "properties": {"trafficRoutingMethod": "Priority", "dnsConfig": {"relativeName": "arm1"}}},
  {"name": "arm2", "properties": {"trafficRoutingMethod": "Priority", "dnsConfig": {"relativeName": "arm2"},
   "endpoints": [{"name": "e", "type": "externalEndpoints", "properties": {"target": "e.example.com", "weight": 1001}}]}}
]
)";

std::string zoneWithFiles(const std::string& files) {
  return kZone +
         "    profiles:\n"
         "      - {name: inline, trafficRoutingMethod: Priority, dnsConfig: {relativeName: "
         "inline}}\n"
         "    profile_files: " +
         files + "\n";
}

TEST(Loader, ProfileFilesOrderPathsAndPositions) {
  TempDir dir;
  const std::string cli = dir.write("profiles/a.json", kCliProfile);
  const std::string list = dir.write("profiles/b.json", kArmList);
  std::filesystem::create_directories(dir.path() + "/profiles/sub.json");  // skipped: a folder
  const std::string cfg = dir.write("cfg.yaml", zoneWithFiles("[\"profiles/*.json\"]"));
  const Loaded loaded = loadFile(cfg);
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                cli + ":" + locate(kCliProfile, "0", "\"weight\"") +
                    ": zones[0].profile_files[0] (profiles/a.json).endpoints[1].weight: must be "
                    "1..1000",
                list + ":" + locate(kArmList, "1001") +
                    ": zones[0].profile_files[0] (profiles/b.json)[1].endpoints[0].weight: must "
                    "be 1..1000"}));
  EXPECT_TRUE(loaded.warnings.empty());

  // Without the two weight errors everything loads, in order: inline, a.json, b.json[0], b.json[1].
  std::string fixedCli = kCliProfile;
  fixedCli.replace(fixedCli.find("\"weight\": 0"), 11, "\"weight\": 5");
  std::string fixedList = kArmList;
  fixedList.replace(fixedList.find("1001"), 4, "1000");
  dir.write("profiles/a.json", fixedCli);
  dir.write("profiles/b.json", fixedList);
  const Loaded fixed = loadFile(cfg);
  EXPECT_EQ(fixed.all, std::vector<std::string>{});
  ASSERT_TRUE(fixed.config.has_value());
  const std::vector<Profile>& profiles = fixed.config->zones[0].profiles;
  ASSERT_EQ(profiles.size(), 4u);
  EXPECT_EQ(profiles[0].name, "inline");
  EXPECT_EQ(profiles[1].name, "cli");
  EXPECT_EQ(profiles[1].path, "zones[0].profile_files[0] (profiles/a.json)");
  EXPECT_EQ(profiles[1].pos.file, cli);
  EXPECT_EQ(profiles[1].endpoints[1].path,
            "zones[0].profile_files[0] (profiles/a.json).endpoints[1]");
  EXPECT_EQ(profiles[1].endpoints[1].weight, 5);
  EXPECT_EQ(profiles[2].name, "arm1");
  EXPECT_EQ(profiles[2].path, "zones[0].profile_files[0] (profiles/b.json)[0]");
  EXPECT_EQ(profiles[3].name, "arm2");
  EXPECT_EQ(profiles[3].pos.file, list);
  EXPECT_EQ(profiles[3].pos.line, 3);
}

TEST(Loader, ProfileFileProblems) {
  TempDir dir;
  const std::string bad = dir.write("profiles/bad.json", "{\"name\": \"x\",\n \"properties\": [\n");
  const std::string scalar = dir.write("more/scalar.json", "\"just a string\"\n");
  const std::string empty = dir.write("more/zzz-empty.json", "");
  const std::string unknown = dir.write(
      "unknown.json",
      "{\"name\": \"u\", \"colour\": 1, \"trafficRoutingMethod\": \"Priority\", \"dnsConfig\": "
      "{\"relativeName\": \"u\"}}");
  const std::string cfgText = zoneWithFiles(
      "[\"profiles/*.json\", \"more/*.json\", \"nothing/*.json\", \"missing.json\", "
      "\"unknown.json\"]");
  const std::string cfg = dir.write("cfg.yaml", cfgText);
  const Loaded loaded = loadFile(cfg);
  EXPECT_EQ(loaded.errors,
            (std::vector<std::string>{
                bad + ":3:1: syntax error: end of sequence flow not found",
                scalar + ":1:1: zones[0].profile_files[1] (more/scalar.json): must hold a profile "
                         "object or a list of profiles",
                empty + ":1:1: zones[0].profile_files[1] (more/zzz-empty.json): must hold a "
                        "profile object or a list of profiles",
                dir.path() + "/missing.json:0:0: cannot read: No such file or directory"}));
  EXPECT_EQ(loaded.warnings,
            (std::vector<std::string>{
                cfg + ":" + locate(cfgText, "\"nothing") +
                    ": warning: zones[0].profile_files[2]: \"nothing/*.json\" matches no file",
                unknown + ":1:15: warning: zones[0].profile_files[4] (unknown.json): unknown key "
                          "\"colour\""}));
}

TEST(Loader, ProfileFilesRelativeToTheConfigFileAndAbsolute) {
  TempDir dir;
  const std::string base = dir.path() + "/we[ird] dir";  // glob characters in the folder name
  std::filesystem::create_directories(base);
  TempDir other;
  const std::string absolute = other.write("abs.json", kCliProfile);
  std::string fixedCli = kCliProfile;
  fixedCli.replace(fixedCli.find("\"weight\": 0"), 11, "\"weight\": 5");
  other.write("abs.json", fixedCli);
  dir.write("we[ird] dir/p/one.json",
            "{\"name\": \"one\", \"trafficRoutingMethod\": \"Priority\", \"dnsConfig\": "
            "{\"relativeName\": \"one\"}}");
  const std::string text = kZone + "    profile_files: [\"p/*.json\", \"" + absolute + "\"]\n";
  // loadConfigText resolves relative patterns against the directory of the name it is given.
  const Loaded loaded = loadText(text, base + "/cfg.yaml");
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  const std::vector<Profile>& profiles = loaded.config->zones[0].profiles;
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].path, "zones[0].profile_files[0] (p/one.json)");
  EXPECT_EQ(profiles[0].pos.file, base + "/p/one.json");
  EXPECT_EQ(profiles[1].path, "zones[0].profile_files[1] (" + absolute + ")");
}

}  // namespace
}  // namespace tmdns::config::testing
