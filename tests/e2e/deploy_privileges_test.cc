// `user:` / `group:`: tmdns started as root binds its sockets (port 53 included), then runs as the
// configured user with no capabilities; a user it cannot become stops it before serving. Also the
// systemd unit's model: started unprivileged with only CAP_NET_BIND_SERVICE, which it sheds.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <ostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e::deploy {
namespace {

namespace fs = std::filesystem;

const std::string kZone = R"(
zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 2024010101,
          refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.tm.example.test]
    records:
      - "ns1 3600 IN A 127.0.0.1"
    profiles:
      - name: app
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: app, ttl: 30}
          monitorConfig: {protocol: TCP, port: 9}
          endpoints:
            - {name: primary, type: externalEndpoints, properties: {target: 192.0.2.1}}
)";

const std::vector<std::string> kAppAnswer = {"app.tm.example.test. A 192.0.2.1"};

struct Ids {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string group;
};

// nobody and its primary group (nogroup on Debian).
Ids nobody() {
  Ids ids;
  const passwd* pw = getpwnam("nobody");
  if (pw == nullptr) {
    ADD_FAILURE() << "no user 'nobody' on this machine";
    return ids;
  }
  ids.uid = pw->pw_uid;
  ids.gid = pw->pw_gid;
  const group* gr = getgrgid(pw->pw_gid);
  ids.group = gr != nullptr ? gr->gr_name : std::to_string(pw->pw_gid);
  return ids;
}

// The "Key:\tvalue" lines of /proc/<pid>/task/<tid>/status for every thread of `pid`.
std::vector<std::map<std::string, std::string>> threadStatus(pid_t pid) {
  std::vector<std::map<std::string, std::string>> out;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::map<std::string, std::string> fields;
    std::istringstream in(readFile(task.path().string() + "/status"));
    std::string line;
    while (std::getline(in, line)) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) {
        continue;
      }
      std::string value = line.substr(colon + 1);
      value = std::regex_replace(value, std::regex(R"(^\s+|\s+$)"), "");
      value = std::regex_replace(value, std::regex(R"(\s+)"), " ");
      fields[line.substr(0, colon)] = value;
    }
    out.push_back(std::move(fields));
  }
  return out;
}

// Every thread (the probe engine's and the DNS workers' too) runs as `ids` with no capability;
// the supplementary groups are `groups` (tmdns sets exactly its group).
::testing::AssertionResult runsUnprivilegedAs(pid_t pid, const Ids& ids,
                                              const std::string& groups) {
  const auto threads = threadStatus(pid);
  if (threads.empty()) {
    return ::testing::AssertionFailure() << "no threads under /proc/" << pid << "/task";
  }
  const std::string uid = std::to_string(ids.uid);
  const std::string gid = std::to_string(ids.gid);
  const std::map<std::string, std::string> want = {{"Uid", uid + " " + uid + " " + uid + " " + uid},
                                                   {"Gid", gid + " " + gid + " " + gid + " " + gid},
                                                   {"Groups", groups},
                                                   {"CapInh", "0000000000000000"},
                                                   {"CapPrm", "0000000000000000"},
                                                   {"CapEff", "0000000000000000"},
                                                   {"CapAmb", "0000000000000000"}};
  for (const auto& fields : threads) {
    for (const auto& [key, value] : want) {
      const auto it = fields.find(key);
      const std::string got = it == fields.end() ? "<missing>" : it->second;
      if (got != value) {
        return ::testing::AssertionFailure()
               << "thread " << fields.at("Pid") << " (" << fields.at("Name") << "): " << key
               << " is '" << got << "', want '" << value << "'";
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// A copy of tmdns in `dir`: the user setpriv switches to must be able to execute it wherever the
// build tree is.
std::string copyOfBinary(const TempDir& dir) {
  const std::string copy = dir.file("tmdns");
  fs::copy_file(serverBinary(), copy, fs::copy_options::overwrite_existing);
  fs::permissions(copy, fs::perms(0755));
  return copy;
}

std::string runningAsLine(const Ids& ids, const std::string& user) {
  return "tmdns: running as user " + user + " (uid " + std::to_string(ids.uid) + "), group " +
         ids.group + " (gid " + std::to_string(ids.gid) + "), no capabilities";
}

bool logged(const Server& server, const std::string& line) {
  return server.log().find(line + "\n") != std::string::npos;
}

TEST(DeployPrivileges, RootDropsToConfiguredUserAfterBinding) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "dropping privileges needs a server started as root; running as uid "
                 << geteuid();
  }
  const Ids ids = nobody();
  Server server;
  server.writeConfig("user: nobody\nlisten: [\"127.0.0.1:0\"]\nthreads: 2\n" + kZone);
  makeReadable(server.dir());
  ASSERT_TRUE(server.start());
  EXPECT_TRUE(logged(server, runningAsLine(ids, "nobody"))) << server.log();
  EXPECT_TRUE(runsUnprivilegedAs(server.process().pid(), ids, std::to_string(ids.gid)));
  EXPECT_EQ(withoutTtl(dig(server.v4(), {"app.tm.example.test", "A"}).answer), kAppAnswer);

  // Reloading as nobody works (the file is readable) and does not change who runs.
  server.writeConfig("user: nobody\nlisten: [\"127.0.0.1:0\"]\nthreads: 2\n" +
                     replaceAll(kZone, "192.0.2.1", "192.0.2.9"));
  makeReadable(server.dir());
  ASSERT_EQ(server.reload(), std::optional<bool>(true)) << server.log();
  EXPECT_EQ(withoutTtl(dig(server.v4(), {"app.tm.example.test", "A"}).answer),
            std::vector<std::string>{"app.tm.example.test. A 192.0.2.9"});
  EXPECT_TRUE(runsUnprivilegedAs(server.process().pid(), ids, std::to_string(ids.gid)));
}

TEST(DeployPrivileges, ExplicitGroupByName) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "dropping privileges needs a server started as root; running as uid "
                 << geteuid();
  }
  const group* daemonGroup = getgrnam("daemon");
  ASSERT_NE(daemonGroup, nullptr) << "Debian always has the group 'daemon'";
  Ids ids = nobody();
  ids.gid = daemonGroup->gr_gid;
  ids.group = "daemon";
  Server server;
  server.writeConfig("user: nobody\ngroup: daemon\nlisten: [\"127.0.0.1:0\"]\n" + kZone);
  makeReadable(server.dir());
  ASSERT_TRUE(server.start());
  EXPECT_TRUE(logged(server, runningAsLine(ids, "nobody"))) << server.log();
  EXPECT_TRUE(runsUnprivilegedAs(server.process().pid(), ids, std::to_string(ids.gid)));
}

// The whole point: port 53 bound as root, served as nobody. In a namespace of the test's own so
// that port 53 is free whatever this machine runs.
TEST(DeployPrivileges, BindsPort53AsRootThenServesAsNobody) {
  NetNs ns;
  if (!ns.ok()) {
    GTEST_SKIP() << ns.error();
  }
  const Ids ids = nobody();
  Server server;
  server.writeConfig("user: nobody\nlisten: [\"127.0.0.1:53\"]\nthreads: 1\n" + kZone);
  makeReadable(server.dir());
  server.setBinary(ns.wrapperScript(server.dir(), "tmdns-in-netns.sh", serverBinary()));
  ASSERT_TRUE(server.start());
  EXPECT_EQ(server.v4().port, 53);
  EXPECT_TRUE(runsUnprivilegedAs(server.process().pid(), ids, std::to_string(ids.gid)));
  const DigResult r = resolve("127.0.0.1", 53, {"+norec", "app.tm.example.test", "A"}, &ns);
  EXPECT_EQ(withoutTtl(r.answer), kAppAnswer) << r.describe();
}

// deploy/systemd/tmdns.service's model: started as an unprivileged user with
// AmbientCapabilities=CAP_NET_BIND_SERVICE (setpriv does the same here), tmdns binds port 53 and
// then holds no capability at all.
TEST(DeployPrivileges, AmbientNetBindServiceIsShedAfterBinding) {
  NetNs ns;
  if (!ns.ok()) {
    GTEST_SKIP() << ns.error();
  }
  const std::string setpriv = findProgram("setpriv");
  ASSERT_FALSE(setpriv.empty()) << missingProgram("setpriv", "util-linux");
  const Ids ids = nobody();
  Server server;
  server.writeConfig("listen: [\"127.0.0.1:53\"]\nthreads: 1\n" + kZone);
  makeReadable(server.dir());
  server.setBinary(ns.wrapperScript(
      server.dir(), "tmdns-as-service.sh", copyOfBinary(server.dir()),
      {setpriv, "--reuid=" + std::to_string(ids.uid), "--regid=" + std::to_string(ids.gid),
       "--clear-groups", "--inh-caps=-all,+net_bind_service",
       "--ambient-caps=-all,+net_bind_service", "--bounding-set=-all,+net_bind_service"}));
  ASSERT_TRUE(server.start());
  EXPECT_EQ(server.v4().port, 53);
  EXPECT_TRUE(logged(server, "tmdns: running as uid " + std::to_string(ids.uid) + ", gid " +
                                 std::to_string(ids.gid) + ", no capabilities"))
      << server.log();
  // setpriv --clear-groups left none; tmdns, not root, does not touch them.
  EXPECT_TRUE(runsUnprivilegedAs(server.process().pid(), ids, ""));
  const DigResult r = resolve("127.0.0.1", 53, {"+norec", "app.tm.example.test", "A"}, &ns);
  EXPECT_EQ(withoutTtl(r.answer), kAppAnswer) << r.describe();
}

// Start-up errors are fatal, before anything is served.
struct FatalCase {
  std::string name;
  std::string yaml;
  std::string line;  // the log line that says why
  bool needsRoot = false;
};

// Test names (and CTest's) show the case name, not the struct's bytes.
void PrintTo(const FatalCase& c, std::ostream* os) {
  *os << c.name;
}

class DeployPrivilegesFatal : public ::testing::TestWithParam<FatalCase> {};

TEST_P(DeployPrivilegesFatal, RefusesToServe) {
  const FatalCase& c = GetParam();
  if (c.needsRoot && geteuid() != 0) {
    GTEST_SKIP() << "this case needs a server started as root; running as uid " << geteuid();
  }
  Server server;
  server.writeConfig(c.yaml + "listen: [\"127.0.0.1:0\"]\n" + kZone);
  makeReadable(server.dir());
  std::string error;
  ASSERT_TRUE(server.process().start({serverBinary(), "--config", server.configPath()}, error))
      << error;
  const auto status = server.process().waitExit(10s);
  ASSERT_TRUE(status.has_value()) << "still running; stderr:\n" << server.log();
  server.process().waitOutputClosed(2s);
  EXPECT_TRUE(status->exitedWith(1)) << status->describe() << "\n" << server.log();
  EXPECT_TRUE(logged(server, c.line)) << server.log();
  EXPECT_EQ(server.log().find("serving generation"), std::string::npos) << server.log();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DeployPrivilegesFatal,
    ::testing::Values(
        FatalCase{"UnknownUser", "user: tmdns-no-such-user\n",
                  "tmdns: user 'tmdns-no-such-user' does not exist (`user:`); not serving"},
        FatalCase{"UnknownGroup", "user: nobody\ngroup: tmdns-no-such-group\n",
                  "tmdns: group 'tmdns-no-such-group' does not exist (`group:`); not serving"},
        FatalCase{"NumericUserWithoutPasswdEntry", "user: 4000000000\n",
                  "tmdns: user id 4000000000 has no passwd entry, so no primary group: set "
                  "`group:`; not serving",
                  true}),
    [](const ::testing::TestParamInfo<FatalCase>& info) { return info.param.name; });

// Not started as root and asked to become someone else: refused rather than served as whoever
// started it.
TEST(DeployPrivileges, UnprivilegedStartCannotSwitchUser) {
  Server server;
  server.writeConfig("user: daemon\nlisten: [\"127.0.0.1:0\"]\n" + kZone);
  makeReadable(server.dir());
  std::vector<std::string> argv = {copyOfBinary(server.dir()), "--config", server.configPath()};
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (geteuid() == 0) {
    const Ids ids = nobody();
    uid = ids.uid;
    gid = ids.gid;
    const std::string setpriv = findProgram("setpriv");
    ASSERT_FALSE(setpriv.empty()) << missingProgram("setpriv", "util-linux");
    argv.insert(argv.begin(), {setpriv, "--reuid=" + std::to_string(uid),
                               "--regid=" + std::to_string(gid), "--clear-groups"});
  }
  std::string error;
  ASSERT_TRUE(server.process().start(argv, error)) << error;
  const auto status = server.process().waitExit(10s);
  ASSERT_TRUE(status.has_value()) << "still running; stderr:\n" << server.log();
  server.process().waitOutputClosed(2s);
  EXPECT_TRUE(status->exitedWith(1)) << status->describe() << "\n" << server.log();
  const passwd* daemon = getpwnam("daemon");
  ASSERT_NE(daemon, nullptr);
  const group* daemonGroup = getgrgid(daemon->pw_gid);
  ASSERT_NE(daemonGroup, nullptr);
  EXPECT_TRUE(logged(server, "tmdns: cannot switch to user daemon (uid " +
                                 std::to_string(daemon->pw_uid) + "), group " +
                                 daemonGroup->gr_name + " (gid " + std::to_string(daemon->pw_gid) +
                                 "): not started as root (running as uid " + std::to_string(uid) +
                                 ", gid " + std::to_string(gid) + "); not serving"))
      << server.log();
}

}  // namespace
}  // namespace tmdns::e2e::deploy
