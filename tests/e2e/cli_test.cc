// The command line: --version, --help, usage errors, --check-config diagnostics, signals.
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "tests/e2e/dig.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

// 1-based line of the first line containing `needle`; 0 if none.
int lineOf(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(needle) != std::string::npos) {
      return n;
    }
  }
  return 0;
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

// A small valid configuration with one Weighted profile whose endpoint weights are given.
std::string smallConfig(const std::string& weight0, const std::string& weight1 = "1") {
  return "listen: [\"127.0.0.1:0\"]\n"
         "threads: 1\n"
         "zones:\n"
         "  - name: tm.example.test\n"
         "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 1,\n"
         "          refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}\n"
         "    ns: [ns1.tm.example.test]\n"
         "    records: [\"ns1 3600 IN A 192.0.2.53\"]\n"
         "    profiles:\n"
         "      - name: w\n"
         "        trafficRoutingMethod: Weighted\n"
         "        dnsConfig: {relativeName: w, ttl: 30}\n"
         "        monitorConfig: {protocol: TCP, port: 9}\n"
         "        endpoints:\n"
         "          - name: e0\n"
         "            type: Microsoft.Network/trafficManagerProfiles/externalEndpoints\n"
         "            target: 192.0.2.1\n"
         "            weight: " +
         weight0 +
         "\n"
         "          - name: e1\n"
         "            type: Microsoft.Network/trafficManagerProfiles/externalEndpoints\n"
         "            target: 192.0.2.2\n"
         "            weight: " +
         weight1 + "\n";
}

// Error lines: "FILE:LINE:COL: path: message" but not "FILE:LINE:COL: warning: ...".
const std::regex kErrorLine(R"(^(.+):(\d+):(\d+): (?!warning: |notice: )(\S+): (.+)$)");

std::vector<std::smatch> errorLines(const std::vector<std::string>& lines) {
  std::vector<std::smatch> out;
  for (const auto& l : lines) {
    std::smatch m;
    if (std::regex_match(l, m, kErrorLine)) {
      out.push_back(m);
    }
  }
  return out;
}

TEST(Cli, VersionPrintsNameAndVersion) {
  CommandResult r = runCommand({serverBinary(), "--version"});
  ASSERT_TRUE(r.startError.empty()) << r.startError;
  EXPECT_EQ(r.code(), 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(tmdns \d+\.\d+\.\d+\S*\n)"))) << r.out;
}

TEST(Cli, HelpPrintsUsageOnStdout) {
  CommandResult r = runCommand({serverBinary(), "--help"});
  EXPECT_EQ(r.code(), 0) << r.err;
  for (const char* option : {"--config", "--check-config", "--version", "--help"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option << " missing from:\n" << r.out;
  }
}

TEST(Cli, UnknownOptionIsAUsageError) {
  for (const char* bad : {"--no-such-option", "-Z"}) {
    CommandResult r = runCommand({serverBinary(), bad});
    EXPECT_EQ(r.code(), 2) << bad << "\n" << r.err;
    EXPECT_TRUE(std::regex_search(r.err, std::regex("usage", std::regex::icase))) << r.err;
  }
}

TEST(Cli, CheckConfigAcceptsTheStandardConfiguration) {
  Server s;
  s.writeStandardConfig();
  CommandResult r = runCommand({serverBinary(), "--check-config", s.configPath()});
  EXPECT_EQ(r.code(), 0) << r.err;
  const std::vector<std::string> lines = linesOf(r.err);
  const auto errors = errorLines(lines);
  EXPECT_TRUE(errors.empty()) << r.err;
}

TEST(Cli, CheckConfigAcceptsJson) {
  TempDir dir;
  const std::string json = R"({
  "listen": ["127.0.0.1:0"],
  "zones": [{
    "name": "tm.example.test",
    "soa": {"mname": "ns1.tm.example.test", "rname": "hostmaster.example.test"},
    "ns": ["ns1.tm.example.test"],
    "profiles": [{
      "name": "j", "trafficRoutingMethod": "Priority",
      "dnsConfig": {"relativeName": "j", "ttl": 30},
      "monitorConfig": {"protocol": "TCP", "port": 9},
      "endpoints": [{"name": "e", "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
                     "target": "j.example.test"}]
    }]
  }]
}
)";
  const std::string path = dir.write("tmdns.json", json);
  CommandResult r = runCommand({serverBinary(), "--check-config", path});
  EXPECT_EQ(r.code(), 0) << r.err;
}

TEST(Cli, CheckConfigReportsWeightZeroWithFileLineColumnAndPath) {
  TempDir dir;
  const std::string text = withProbesOff(smallConfig("0"));
  const std::string path = dir.write("bad.yaml", text);
  CommandResult r = runCommand({serverBinary(), "--check-config", path});
  EXPECT_EQ(r.code(), 1) << r.err;
  const std::regex shape(
      R"(^(.+):(\d+):(\d+): zones\[0\]\.profiles\[0\]\.endpoints\[0\]\.weight: .+$)");
  bool found = false;
  for (const auto& line : linesOf(r.err)) {
    std::smatch m;
    if (std::regex_match(line, m, shape)) {
      found = true;
      EXPECT_EQ(m[1].str(), path) << line;
      EXPECT_EQ(std::stoi(m[2]), lineOf(text, "weight: 0")) << line;
      EXPECT_GE(std::stoi(m[3]), 1) << line;
    }
  }
  EXPECT_TRUE(found) << "no weight error in:\n" << r.err;
  // Nothing was served: no listening line.
  EXPECT_EQ(r.err.find("tmdns: listening on"), std::string::npos) << r.err;
}

TEST(Cli, CheckConfigReportsEveryError) {
  TempDir dir;
  const std::string text = withProbesOff(smallConfig("0", "5000"));
  const std::string path = dir.write("bad.yaml", text);
  CommandResult r = runCommand({serverBinary(), "--check-config", path});
  EXPECT_EQ(r.code(), 1) << r.err;
  std::set<std::string> paths;
  // Named: the matches point into these lines (a temporary was gone before the loop body ran,
  // a heap-use-after-free found by the sanitizer build).
  const std::vector<std::string> lines = linesOf(r.err);
  for (const auto& m : errorLines(lines)) {
    paths.insert(m[4].str());
    if (m[4].str() == "zones[0].profiles[0].endpoints[1].weight") {
      EXPECT_EQ(std::stoi(m[2]), lineOf(text, "weight: 5000")) << m[0];
    }
  }
  EXPECT_TRUE(paths.count("zones[0].profiles[0].endpoints[0].weight")) << r.err;
  EXPECT_TRUE(paths.count("zones[0].profiles[0].endpoints[1].weight")) << r.err;
}

TEST(Cli, CheckConfigReportsErrorsInProfileFilesAtTheirPosition) {
  TempDir dir;
  const std::string profile = R"({
  "name": "from-file",
  "trafficRoutingMethod": "Weighted",
  "dnsConfig": {"relativeName": "from-file", "ttl": 30},
  "monitorConfig": {"protocol": "TCP", "port": 9},
  "endpoints": [
    {"name": "e0", "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
     "target": "192.0.2.1",
     "weight": 0}
  ]
}
)";
  const std::string profilePath = dir.write("profiles/bad.json", profile);
  const std::string config = withProbesOff(
      "listen: [\"127.0.0.1:0\"]\n"
      "zones:\n"
      "  - name: tm.example.test\n"
      "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test}\n"
      "    ns: [ns1.tm.example.test]\n"
      "    profile_files: [\"profiles/*.json\"]\n");
  const std::string path = dir.write("tmdns.yaml", config);
  CommandResult r = runCommand({serverBinary(), "--check-config", path});
  EXPECT_EQ(r.code(), 1) << r.err;
  // The path names the profile either by its index among the zone's profiles or by the file it
  // came from; either way it is one path, followed by ": message".
  const std::regex shape(
      R"(^(.+?):(\d+):(\d+): zones\[0\]\.(profiles\[0\]|profile_files\[0\] \(profiles/bad\.json\))\.endpoints\[0\]\.weight: .+$)");
  bool found = false;
  for (const auto& line : linesOf(r.err)) {
    std::smatch m;
    if (std::regex_match(line, m, shape)) {
      found = true;
      std::error_code ec;
      EXPECT_TRUE(std::filesystem::equivalent(std::filesystem::path(m[1].str()).is_absolute()
                                                  ? std::filesystem::path(m[1].str())
                                                  : std::filesystem::path(dir.path()) / m[1].str(),
                                              profilePath, ec))
          << line;
      EXPECT_EQ(std::stoi(m[2]), lineOf(profile, "\"weight\": 0")) << line;
    }
  }
  EXPECT_TRUE(found) << r.err;
}

TEST(Cli, CheckConfigReportsYamlSyntaxErrorsWithPosition) {
  TempDir dir;
  const std::string path =
      dir.write("broken.yaml", "listen: [\"127.0.0.1:0\"]\nzones:\n  - name: [unclosed\n");
  CommandResult r = runCommand({serverBinary(), "--check-config", path});
  EXPECT_EQ(r.code(), 1) << r.err;
  bool found = false;
  for (const auto& line : linesOf(r.err)) {
    if (line.rfind(path + ":", 0) == 0 &&
        std::regex_search(line.substr(path.size()), std::regex(R"(^:\d+:\d+: )"))) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "no '" << path << ":LINE:COL: ' line in:\n" << r.err;
}

TEST(Cli, CheckConfigOnAMissingFileFails) {
  TempDir dir;
  const std::string path = dir.file("does-not-exist.yaml");
  CommandResult r = runCommand({serverBinary(), "--check-config", path});
  EXPECT_EQ(r.code(), 1) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST(Cli, BrokenConfigurationIsFatalAtStartup) {
  TempDir dir;
  const std::string text = withProbesOff(smallConfig("0"));
  const std::string path = dir.write("bad.yaml", text);
  Process p;
  std::string error;
  ASSERT_TRUE(p.start({serverBinary(), "--config", path}, error)) << error;
  auto status = p.waitExit(10s);
  ASSERT_TRUE(status) << "still running with a broken configuration:\n" << p.stderrText();
  EXPECT_TRUE(status->exitCode && *status->exitCode != 0) << status->describe();
  p.waitOutputClosed(2s);
  EXPECT_NE(p.stderrText().find("zones[0].profiles[0].endpoints[0].weight: "), std::string::npos)
      << p.stderrText();
  EXPECT_EQ(p.stderrText().find("tmdns: serving generation"), std::string::npos) << p.stderrText();
}

class Signals : public ::testing::TestWithParam<int> {};

TEST_P(Signals, ExitsZeroAfterServing) {
  Server s;
  s.writeStandardConfig();
  ASSERT_TRUE(s.start());
  // It really serves before we stop it.
  EXPECT_TRUE(digMatches(dig(s.v4(), {kZone, "SOA"}), "NOERROR", {kApexSoa}, {}));
  ASSERT_TRUE(s.process().signal(GetParam()));
  auto status = s.process().waitExit(10s);
  ASSERT_TRUE(status) << "did not exit within 10 s of " << strsignal(GetParam()) << ":\n"
                      << s.log();
  EXPECT_TRUE(status->exitedWith(0)) << status->describe() << "\n" << s.log();
}

INSTANTIATE_TEST_SUITE_P(Cli, Signals, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGTERM ? "Sigterm" : "Sigint");
                         });

}  // namespace
}  // namespace tmdns::e2e
