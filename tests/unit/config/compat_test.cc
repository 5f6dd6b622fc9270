// Real Microsoft JSON (compat/arm-examples) and the §1.6 CLI export load unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "config/yaml_reader.h"
#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

const std::string kExamplesDir = std::string(TMDNS_SHARED_DIR) + "/compat/arm-examples";

// Index just past the JSON value (object or array) that starts at `start`, honouring strings.
size_t jsonValueEnd(const std::string& text, size_t start) {
  int depth = 0;
  bool inString = false;
  for (size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        inString = false;
      }
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        return i + 1;
      }
    }
  }
  return std::string::npos;
}

// The exact source text of a JSON object found through yaml-cpp's mark.
std::string sourceText(const std::string& text, const YAML::Node& node) {
  const size_t start = static_cast<size_t>(node.Mark().pos);
  EXPECT_EQ(text[start], '{');
  return text.substr(start, jsonValueEnd(text, start) - start);
}

struct Example {
  std::string file;        // e.g. Profile-GET-WithEndpoints.json
  std::string what;        // "responses.200.body" or "parameters.parameters"
  std::string body;        // exact source text
  std::string name;        // parameters.profileName
  bool isRequest = false;  // request bodies carry no name
};

std::vector<Example> loadExamples() {
  std::vector<Example> out;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kExamplesDir)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& path : files) {
    const std::string text = readWholeFile(path.string());
    Diagnostics diags;
    const std::optional<YamlValue> doc = parseYaml(text, path.string(), "", diags);
    EXPECT_TRUE(doc.has_value()) << path;
    if (!doc) {
      continue;
    }
    const YAML::Node& root = doc->node();
    const std::string name = root["parameters"]["profileName"].as<std::string>();
    // A missing key gives an invalid node: IsDefined() is the only safe question to ask it.
    const YAML::Node request = root["parameters"]["parameters"];
    if (request.IsDefined()) {
      out.push_back({path.filename().string(), "parameters.parameters", sourceText(text, request),
                     name, true});
    }
    for (const auto& status : root["responses"]) {
      out.push_back({path.filename().string(),
                     "responses." + status.first.as<std::string>() + ".body",
                     sourceText(text, status.second["body"]), name, false});
    }
  }
  return out;
}

// Request bodies get the name the URL would carry, inserted as the first key.
std::string withName(const Example& example) {
  if (!example.isRequest) {
    return example.body;
  }
  std::string body = example.body;
  body.insert(body.find('{') + 1, "\n  \"name\": \"" + example.name + "\",");
  return body;
}

std::string indentContinuation(const std::string& text, const std::string& indent) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') {
      out += indent;
    }
  }
  return out;
}

const char* kZoneJson = R"("name": "tm.example.test", "soa": {"mname": "ns1.tm.example.test", )"
                        R"("rname": "hostmaster.example.test"}, "ns": ["ns1.tm.example.test"])";

// Checks the values each example is known to hold; every example has zero diagnostics.
void expectExampleValues(const Example& example, const Profile& profile) {
  EXPECT_EQ(profile.name, example.name);
  EXPECT_EQ(profile.relativeName, example.name);
  EXPECT_EQ(profile.ttl, 35);
  EXPECT_TRUE(profile.enabled);
  EXPECT_EQ(profile.monitor.protocol, ProbeProtocol::kHttp);
  EXPECT_EQ(profile.monitor.port, 80);
  EXPECT_EQ(profile.monitor.path, "/testpath.aspx");
  if (example.file == "Profile-GET-WithEndpoints.json") {
    EXPECT_EQ(profile.method, RoutingMethod::kPerformance);
    EXPECT_EQ(profile.monitor.intervalInSeconds, 30);
    EXPECT_EQ(profile.monitor.timeoutInSeconds, 10);
    EXPECT_EQ(profile.monitor.toleratedNumberOfFailures, 3);
    ASSERT_EQ(profile.endpoints.size(), 1u);
    const Endpoint& endpoint = profile.endpoints[0];
    EXPECT_EQ(endpoint.name, "My external endpoint");
    EXPECT_EQ(endpoint.type, EndpointType::kExternal);
    EXPECT_EQ(endpoint.target, "foobar.contoso.com");
    EXPECT_EQ(endpoint.weight, 1);
    EXPECT_EQ(endpoint.priority, 1);
    EXPECT_EQ(endpoint.endpointLocation, "North Europe");
    EXPECT_TRUE(endpoint.enabled);
    EXPECT_FALSE(endpoint.alwaysServe);
  } else if (example.file == "Profile-PUT-MultiValue.json") {
    EXPECT_EQ(profile.method, RoutingMethod::kMultiValue);
    EXPECT_EQ(profile.maxReturn, 2);
    EXPECT_TRUE(profile.endpoints.empty());
    EXPECT_EQ(profile.monitor.intervalInSeconds, 30);
    EXPECT_EQ(profile.monitor.timeoutInSeconds, 10);
  } else if (example.file == "Profile-PUT-WithCustomHeaders.json") {
    EXPECT_EQ(profile.method, RoutingMethod::kPerformance);
    EXPECT_EQ(profile.monitor.intervalInSeconds, 10);
    EXPECT_EQ(profile.monitor.timeoutInSeconds, 5);
    EXPECT_EQ(profile.monitor.toleratedNumberOfFailures, 2);
    ASSERT_EQ(profile.monitor.customHeaders.size(), 2u);
    EXPECT_EQ(profile.monitor.customHeaders[0].name, "header-1");
    EXPECT_EQ(profile.monitor.customHeaders[0].value, "value-1");
    EXPECT_EQ(profile.monitor.customHeaders[1].name, "header-2");
    EXPECT_EQ(profile.monitor.customHeaders[1].value, "value-2");
    if (example.isRequest) {
      ASSERT_EQ(profile.monitor.expectedStatusCodeRanges.size(), 2u);
      EXPECT_EQ(profile.monitor.expectedStatusCodeRanges[0].min, 200);
      EXPECT_EQ(profile.monitor.expectedStatusCodeRanges[0].max, 205);
      EXPECT_EQ(profile.monitor.expectedStatusCodeRanges[1].min, 400);
      EXPECT_EQ(profile.monitor.expectedStatusCodeRanges[1].max, 410);
    } else {
      EXPECT_TRUE(profile.monitor.expectedStatusCodeRanges.empty());
    }
    ASSERT_EQ(profile.endpoints.size(), 1u);
    const Endpoint& endpoint = profile.endpoints[0];
    EXPECT_EQ(endpoint.name, "My external endpoint");
    EXPECT_EQ(endpoint.type, EndpointType::kExternal);  // mixed-case type string in the request
    EXPECT_EQ(endpoint.priority, 1);
    EXPECT_EQ(endpoint.weight, 1);
    ASSERT_EQ(endpoint.customHeaders.size(), 1u);
    EXPECT_EQ(endpoint.customHeaders[0].name, "header-2");
    EXPECT_EQ(endpoint.customHeaders[0].value, "value-2-overridden");
  } else {
    ADD_FAILURE() << "no expected values for " << example.file << "; add them here";
  }
}

TEST(ArmExamples, AllExamplesFound) {
  const std::vector<Example> examples = loadExamples();
  std::map<std::string, int> perFile;
  int requests = 0;
  for (const Example& example : examples) {
    ++perFile[example.file];
    requests += example.isRequest ? 1 : 0;
  }
  EXPECT_EQ(perFile.size(), 3u);
  EXPECT_EQ(perFile["Profile-GET-WithEndpoints.json"], 1);
  EXPECT_EQ(perFile["Profile-PUT-MultiValue.json"], 2);
  EXPECT_EQ(perFile["Profile-PUT-WithCustomHeaders.json"], 2);
  EXPECT_EQ(requests, 2);
}

TEST(ArmExamples, LoadAsProfileFile) {
  for (const Example& example : loadExamples()) {
    SCOPED_TRACE(example.file + " " + example.what);
    TempDir dir;
    const std::string profileFile = dir.write("profiles/x.json", withName(example));
    const std::string cfg =
        dir.write("cfg.yaml",
                  "listen: [\"127.0.0.1:0\"]\n"
                  "zones:\n"
                  "  - {" +
                      std::string(kZoneJson) + ", profile_files: [\"profiles/*.json\"]}\n");
    const Loaded loaded = loadFile(cfg);
    EXPECT_EQ(loaded.all, std::vector<std::string>{});
    ASSERT_TRUE(loaded.config.has_value());
    ASSERT_EQ(loaded.config->zones[0].profiles.size(), 1u);
    const Profile& profile = loaded.config->zones[0].profiles[0];
    EXPECT_EQ(profile.path, "zones[0].profile_files[0] (profiles/x.json)");
    EXPECT_EQ(profile.pos.file, profileFile);
    EXPECT_EQ(profile.pos.line, 1);
    expectExampleValues(example, profile);
  }
}

TEST(ArmExamples, LoadInlineInYaml) {
  for (const Example& example : loadExamples()) {
    SCOPED_TRACE(example.file + " " + example.what);
    const Loaded loaded = loadText(
        configWithProfiles("      - " + indentContinuation(withName(example), "        ") + "\n"));
    EXPECT_EQ(loaded.all, std::vector<std::string>{});
    ASSERT_TRUE(loaded.config.has_value());
    ASSERT_EQ(loaded.config->zones[0].profiles.size(), 1u);
    expectExampleValues(example, loaded.config->zones[0].profiles[0]);
  }
}

TEST(ArmExamples, LoadInlineInJsonConfig) {
  for (const Example& example : loadExamples()) {
    SCOPED_TRACE(example.file + " " + example.what);
    const Loaded loaded =
        loadText("{\"listen\": [\"127.0.0.1:0\"], \"zones\": [{" + std::string(kZoneJson) +
                     ", \"profiles\": [" + withName(example) + "]}]}",
                 "cfg.json");
    EXPECT_EQ(loaded.all, std::vector<std::string>{});
    ASSERT_TRUE(loaded.config.has_value());
    ASSERT_EQ(loaded.config->zones[0].profiles.size(), 1u);
    expectExampleValues(example, loaded.config->zones[0].profiles[0]);
  }
}

// Without the name from the URL a request body is refused with a message that says why.
TEST(ArmExamples, RequestBodyWithoutNameIsAClearError) {
  for (const Example& example : loadExamples()) {
    if (!example.isRequest) {
      continue;
    }
    SCOPED_TRACE(example.file);
    const std::string text = configWithProfiles("      - " + example.body + "\n");
    const Loaded loaded = loadText(text);
    EXPECT_FALSE(loaded.config.has_value());
    EXPECT_EQ(loaded.errors,
              std::vector<std::string>{
                  "cfg.yaml:7:9: zones[0].profiles[0]: missing required key \"name\" (the "
                  "profile's resource name; Azure request bodies carry it in the URL)"});
  }
}

// traffic-manager.md §1.6, copied unchanged to tests/data/config/cli-profile-show.json.
TEST(CliExport, RealisticProfileShowLoads) {
  const std::string dir = std::string(TMDNS_SOURCE_DIR) + "/tests/data/config";
  const Loaded loaded = loadFile(dir + "/cli-example.yaml");
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  const Config& config = *loaded.config;
  ASSERT_EQ(config.listen.size(), 2u);
  EXPECT_EQ(config.listen[1].host, "::1");
  EXPECT_EQ(config.listen[1].port, 0);
  ASSERT_EQ(config.zones.size(), 1u);
  const Zone& zone = config.zones[0];
  EXPECT_EQ(zone.soa.serial, 7u);
  ASSERT_EQ(zone.records.size(), 2u);
  EXPECT_EQ(zone.records[1].text, "ns2 3600 IN A 192.0.2.54");
  EXPECT_EQ(zone.records[1].pos.line, 10);
  ASSERT_EQ(zone.profiles.size(), 2u);

  const Profile& profile = zone.profiles[1];
  EXPECT_EQ(profile.name, "contoso-app");
  EXPECT_EQ(profile.path, "zones[0].profile_files[0] (cli-profile-show.json)");
  EXPECT_EQ(profile.pos.file, dir + "/cli-profile-show.json");
  EXPECT_EQ(profile.method, RoutingMethod::kPriority);
  EXPECT_EQ(profile.relativeName, "contoso-app");
  EXPECT_EQ(profile.ttl, 60);
  EXPECT_TRUE(profile.enabled);
  const MonitorConfig& monitor = profile.monitor;
  EXPECT_EQ(monitor.protocol, ProbeProtocol::kHttps);
  EXPECT_EQ(monitor.port, 443);
  EXPECT_EQ(monitor.path, "/healthz");
  EXPECT_EQ(monitor.intervalInSeconds, 10);
  EXPECT_EQ(monitor.timeoutInSeconds, 5);
  EXPECT_EQ(monitor.toleratedNumberOfFailures, 2);
  ASSERT_EQ(monitor.customHeaders.size(), 1u);
  EXPECT_EQ(monitor.customHeaders[0].name, "X-Probe");
  ASSERT_EQ(monitor.expectedStatusCodeRanges.size(), 1u);
  EXPECT_EQ(monitor.expectedStatusCodeRanges[0].min, 200);
  EXPECT_EQ(monitor.expectedStatusCodeRanges[0].max, 299);

  ASSERT_EQ(profile.endpoints.size(), 3u);
  const Endpoint& azure = profile.endpoints[0];
  EXPECT_EQ(azure.type, EndpointType::kAzure);
  EXPECT_EQ(azure.target, "contoso-web-weu.azurewebsites.net");
  EXPECT_EQ(azure.endpointLocation, "West Europe");
  EXPECT_EQ(azure.priority, 1);
  const Endpoint& external = profile.endpoints[1];
  EXPECT_EQ(external.type, EndpointType::kExternal);
  EXPECT_EQ(external.name, "secondary-dc1");
  EXPECT_EQ(external.target, "app-dc1.contoso.net");
  ASSERT_EQ(external.customHeaders.size(), 1u);
  EXPECT_EQ(external.customHeaders[0].name, "Host");
  EXPECT_EQ(external.customHeaders[0].value, "app.contoso.com");
  const Endpoint& nested = profile.endpoints[2];
  EXPECT_EQ(nested.type, EndpointType::kNested);
  EXPECT_EQ(nested.priority, 3);
  EXPECT_EQ(nested.minChildEndpoints, 2);
  EXPECT_EQ(nested.minChildEndpointsIPv4, 1);
  EXPECT_EQ(nested.minChildEndpointsIPv6, 1);
  // Resolved by the targetResourceId's last segment: the Azure fqdn is not ours.
  EXPECT_EQ(nested.childZone, 0);
  EXPECT_EQ(nested.childProfile, 0);
}

}  // namespace
}  // namespace tmdns::config::testing
