// deploy/systemd: the unit passes `systemd-analyze verify`, is hardened as documented (and scores
// low on `systemd-analyze security`), and the sysusers.d entry creates the account it runs as.
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e::deploy {
namespace {

std::string unitPath() {
  return sourceDir() + "/deploy/systemd/tmdns.service";
}

// The unit as installed, but with ExecStart and friends pointing at the binary under test:
// `systemd-analyze verify` checks that every command exists and is executable.
std::string installedCopy(const TempDir& dir) {
  return dir.write("tmdns.service",
                   replaceAll(readFile(unitPath()), "/usr/bin/tmdns", serverBinary()));
}

// key -> every value given for it (ExecReload appears twice), for one section of the unit.
std::multimap<std::string, std::string> section(const std::string& name) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(readFile(unitPath()));
  std::string line;
  std::string current;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      current = line.substr(1, line.size() - 2);
      continue;
    }
    const size_t eq = line.find('=');
    if (current == name && eq != std::string::npos) {
      out.emplace(line.substr(0, eq), line.substr(eq + 1));
    }
  }
  return out;
}

std::vector<std::string> values(const std::multimap<std::string, std::string>& keys,
                                const std::string& key) {
  std::vector<std::string> out;
  for (auto [it, end] = keys.equal_range(key); it != end; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::string systemdAnalyze() {
  const std::string program = findProgram("systemd-analyze");
  EXPECT_FALSE(program.empty()) << missingProgram("systemd-analyze", "systemd");
  return program;
}

TEST(DeploySystemd, UnitPassesSystemdAnalyzeVerify) {
  const std::string analyze = systemdAnalyze();
  ASSERT_FALSE(analyze.empty());
  TempDir dir;
  const CommandResult r = runCommand({analyze, "verify", "--man=no", installedCopy(dir)}, 60s);
  if (r.code() == 0 && r.err.empty()) {
    return;
  }
  // Tell "this unit is wrong" from "systemd-analyze cannot work here" with a unit that is
  // certainly right.
  const std::string control =
      dir.write("control.service", "[Unit]\nDescription=control\n[Service]\nExecStart=/bin/true\n");
  const CommandResult c = runCommand({analyze, "verify", "--man=no", control}, 60s);
  if (c.code() != 0 || !c.err.empty()) {
    GTEST_SKIP() << "systemd-analyze verify cannot run on this machine (it rejects a trivial "
                    "unit too): "
                 << c.err << c.startError;
  }
  FAIL() << "systemd-analyze verify: " << r.status.describe() << "\n" << r.out << r.err;
}

TEST(DeploySystemd, UnitRunsUnprivilegedAndHardened) {
  const auto service = section("Service");
  const std::map<std::string, std::string> expected = {
      {"Type", "exec"},
      {"User", "tmdns"},
      {"Group", "tmdns"},
      {"ExecStart", "/usr/bin/tmdns --config /etc/tmdns/tmdns.yaml"},
      {"ExecStartPre", "/usr/bin/tmdns --check-config /etc/tmdns/tmdns.yaml"},
      {"Restart", "on-failure"},
      // Only binding port 53; tmdns sheds even that once bound.
      {"AmbientCapabilities", "CAP_NET_BIND_SERVICE"},
      {"CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"},
      {"NoNewPrivileges", "yes"},
      {"ProtectSystem", "strict"},
      {"ProtectHome", "yes"},
      {"PrivateTmp", "yes"},
      {"PrivateDevices", "yes"},
      {"ProtectKernelTunables", "yes"},
      {"ProtectKernelModules", "yes"},
      {"ProtectControlGroups", "yes"},
      {"RestrictNamespaces", "yes"},
      {"RestrictSUIDSGID", "yes"},
      {"LockPersonality", "yes"},
      {"MemoryDenyWriteExecute", "yes"},
      {"SystemCallArchitectures", "native"},
  };
  for (const auto& [key, value] : expected) {
    EXPECT_EQ(values(service, key), std::vector<std::string>{value}) << key;
  }
  // `systemctl reload`: check first (a broken file fails the reload visibly), then SIGHUP.
  EXPECT_EQ(values(service, "ExecReload"),
            (std::vector<std::string>{"/usr/bin/tmdns --check-config /etc/tmdns/tmdns.yaml",
                                      "/bin/kill -HUP $MAINPID"}));
  EXPECT_EQ(values(section("Install"), "WantedBy"), std::vector<std::string>{"multi-user.target"});
}

// systemd's own exposure score (0 = locked down, 10 = wide open): at most 2.0 ("OK").
TEST(DeploySystemd, SecurityExposureIsLow) {
  const std::string analyze = systemdAnalyze();
  ASSERT_FALSE(analyze.empty());
  TempDir dir;
  const std::string unit = installedCopy(dir);
  const CommandResult r =
      runCommand({analyze, "security", "--offline=yes", "--threshold=20", unit}, 60s);
  if (r.code() != 0 && r.out.find("Overall exposure level") == std::string::npos) {
    GTEST_SKIP() << "systemd-analyze security --offline cannot run here: " << r.err;
  }
  EXPECT_EQ(r.code(), 0) << r.out << r.err;
}

// The sysusers.d entry creates the system user and group `tmdns` with no login.
TEST(DeploySystemd, SysusersCreatesTheServiceAccount) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "systemd-sysusers --root writes account files owned by root; running as uid "
                 << geteuid();
  }
  const std::string sysusers = findProgram("systemd-sysusers");
  ASSERT_FALSE(sysusers.empty()) << missingProgram("systemd-sysusers", "systemd");
  TempDir root;
  root.write("etc/.keep", "");
  const CommandResult r = runCommand(
      {sysusers, "--root=" + root.path(), sourceDir() + "/deploy/systemd/tmdns.sysusers"}, 60s);
  ASSERT_EQ(r.code(), 0) << r.out << r.err;
  const std::string passwd = readFile(root.file("etc/passwd"));
  const std::string group = readFile(root.file("etc/group"));
  EXPECT_TRUE(std::regex_search(
      passwd, std::regex(R"((^|\n)tmdns:x:(\d+):(\d+):[^:]*:/nonexistent:/usr/sbin/nologin\n)")))
      << passwd;
  EXPECT_TRUE(std::regex_search(group, std::regex(R"((^|\n)tmdns:x:\d+:)"))) << group;
}

}  // namespace
}  // namespace tmdns::e2e::deploy
