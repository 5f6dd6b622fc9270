// deploy/docker/Dockerfile, checked without a container engine: two stages on Debian 12, a
// non-root user, nothing fetched but Debian packages, runtime packages that exist and cover every
// library the binary links against, and a configuration that loads as laid out in the image.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e::deploy {
namespace {

namespace fs = std::filesystem;

struct Instruction {
  std::string keyword;  // upper case
  std::string args;     // continuation lines joined
  int stage = -1;       // index of the FROM it belongs to
};

std::string trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t");
  const size_t last = s.find_last_not_of(" \t");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) {
    out.push_back(w);
  }
  return out;
}

// Instructions in order, with `\` continuations joined and comments dropped.
std::vector<Instruction> parseDockerfile(const std::string& text) {
  std::vector<Instruction> out;
  std::istringstream in(text);
  std::string line;
  std::string pending;
  int stage = -1;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') {
      continue;
    }
    if (t.back() == '\\') {
      pending += t.substr(0, t.size() - 1) + " ";
      continue;
    }
    const std::string full = pending + t;
    pending.clear();
    const size_t space = full.find(' ');
    Instruction i;
    i.keyword = full.substr(0, space);
    std::transform(i.keyword.begin(), i.keyword.end(), i.keyword.begin(), ::toupper);
    i.args = space == std::string::npos ? "" : trim(full.substr(space + 1));
    if (i.keyword == "FROM") {
      ++stage;
    }
    i.stage = stage;
    out.push_back(i);
  }
  return out;
}

const std::vector<Instruction>& dockerfile() {
  static const std::vector<Instruction> parsed =
      parseDockerfile(readFile(sourceDir() + "/deploy/docker/Dockerfile"));
  return parsed;
}

std::vector<Instruction> all(const std::string& keyword, int stage = -2) {
  std::vector<Instruction> out;
  for (const Instruction& i : dockerfile()) {
    if (i.keyword == keyword && (stage == -2 || i.stage == stage)) {
      out.push_back(i);
    }
  }
  return out;
}

int lastStage() {
  return static_cast<int>(all("FROM").size()) - 1;
}

// The packages the runtime stage installs with apt-get install.
std::vector<std::string> runtimePackages() {
  std::vector<std::string> out;
  for (const Instruction& run : all("RUN", lastStage())) {
    const std::vector<std::string> w = words(run.args);
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      if (w[i] != "install" || i == 0 || w[i - 1] != "apt-get") {
        continue;
      }
      for (size_t j = i + 1; j < w.size() && w[j] != "&&"; ++j) {
        if (w[j][0] != '-') {
          out.push_back(w[j]);
        }
      }
    }
  }
  return out;
}

TEST(DeployDocker, TwoStagesOnDebian12) {
  const auto froms = all("FROM");
  ASSERT_EQ(froms.size(), 2u);
  EXPECT_EQ(words(froms[0].args), (std::vector<std::string>{"debian:12", "AS", "build"}));
  EXPECT_EQ(words(froms[1].args), std::vector<std::string>{"debian:12-slim"});
  // The build stage installs exactly what CI does, for building.
  bool installDeps = false;
  for (const Instruction& run : all("RUN", 0)) {
    installDeps |= run.args.find("scripts/install-deps.sh --build-only") != std::string::npos;
  }
  EXPECT_TRUE(installDeps) << "the build stage must use scripts/install-deps.sh";
  // Only the binary crosses from the build stage.
  const auto copies = all("COPY", 1);
  std::vector<std::string> fromBuild;
  for (const Instruction& copy : copies) {
    if (copy.args.rfind("--from=", 0) == 0) {
      fromBuild.push_back(copy.args);
    }
  }
  EXPECT_EQ(fromBuild, std::vector<std::string>{"--from=build /build/tmdns /usr/bin/tmdns"});
}

TEST(DeployDocker, RunsAsNonRootUser) {
  const auto users = all("USER", lastStage());
  ASSERT_FALSE(users.empty()) << "the runtime stage must set USER";
  EXPECT_EQ(users.back().args, "tmdns");
  bool created = false;
  for (const Instruction& run : all("RUN", lastStage())) {
    created |= std::regex_search(run.args, std::regex(R"(useradd [^&]*--system [^&]*\btmdns\s*$)"));
  }
  EXPECT_TRUE(created) << "the runtime stage must create the user tmdns";
  // The entry point serves the image's configuration.
  EXPECT_EQ(all("ENTRYPOINT").back().args, R"(["/usr/bin/tmdns"])");
  EXPECT_EQ(all("CMD").back().args, R"(["--config", "/etc/tmdns/tmdns.yaml"])");
}

TEST(DeployDocker, ExposesDnsAndHttp) {
  std::set<std::string> exposed;
  for (const Instruction& expose : all("EXPOSE")) {
    for (const std::string& port : words(expose.args)) {
      exposed.insert(port);
    }
  }
  EXPECT_EQ(exposed, (std::set<std::string>{"53/udp", "53/tcp", "9153/tcp"}));
}

// Nothing comes from outside Debian's packages and the source tree.
TEST(DeployDocker, FetchesNothingButDebianPackages) {
  for (const Instruction& i : dockerfile()) {
    EXPECT_NE(i.keyword, "ADD") << "use COPY; ADD can fetch URLs and unpack archives: " << i.args;
    if (i.keyword == "RUN") {
      EXPECT_FALSE(std::regex_search(i.args, std::regex(R"(\b(curl|wget|git clone)\b|https?://)")))
          << i.args;
    }
    if (i.keyword == "COPY" && i.args.rfind("--from=", 0) != 0) {
      // Every source (all words but the destination) exists in the repository.
      const std::vector<std::string> w = words(i.args);
      for (size_t k = 0; k + 1 < w.size(); ++k) {
        EXPECT_TRUE(w[k] == "." || fs::exists(sourceDir() + "/" + w[k])) << "COPY " << i.args;
      }
    }
  }
}

TEST(DeployDocker, RuntimePackagesExistInDebian) {
  const std::vector<std::string> packages = runtimePackages();
  ASSERT_FALSE(packages.empty());
  // One apt-cache run for all of them: loading the package cache is the slow part.
  std::vector<std::string> argv = {"apt-cache", "show", "--no-all-versions"};
  argv.insert(argv.end(), packages.begin(), packages.end());
  const CommandResult r = runCommand(argv, 120s);
  EXPECT_EQ(r.code(), 0) << joinArgv(argv) << ": " << r.err;
  for (const std::string& package : packages) {
    EXPECT_NE(r.out.find("Package: " + package + "\n"), std::string::npos)
        << package << " is not a Debian package known to apt-cache";
  }
}

// Every library tmdns links against directly comes from a package the runtime stage installs
// (or from debian:12-slim itself).
TEST(DeployDocker, RuntimePackagesCoverTheBinary) {
  const std::string objdump = findProgram("objdump");
  ASSERT_FALSE(objdump.empty()) << missingProgram("objdump", "binutils");
  const CommandResult headers = runCommand({objdump, "-p", serverBinary()}, 60s);
  ASSERT_EQ(headers.code(), 0) << headers.err;
  std::vector<std::string> needed;
  std::smatch m;
  std::string rest = headers.out;
  while (std::regex_search(rest, m, std::regex(R"(NEEDED\s+(\S+))"))) {
    needed.push_back(m[1]);
    rest = m.suffix();
  }
  ASSERT_FALSE(needed.empty()) << headers.out;
  const CommandResult ldd = runCommand({"ldd", serverBinary()}, 60s);
  ASSERT_EQ(ldd.code(), 0) << ldd.err;

  const std::vector<std::string> listed = runtimePackages();
  std::set<std::string> available(listed.begin(), listed.end());
  // Essential in debian:12-slim (apt itself needs them).
  available.insert({"libc6", "libgcc-s1", "libstdc++6"});
  for (const std::string& soname : needed) {
    std::smatch where;
    ASSERT_TRUE(std::regex_search(
        ldd.out, where,
        std::regex(std::regex_replace(soname, std::regex(R"([.+])"), R"(\$&)") + R"( => (\S+))")))
        << soname << " not resolved by ldd:\n"
        << ldd.out;
    // dpkg knows a library under the path its package installed it at, which on a merged-/usr
    // system may be the /lib or the /usr/lib spelling.
    const std::string path = where[1].str();
    const std::string real = fs::canonical(path).string();
    std::vector<std::string> candidates = {path, real};
    for (const std::string& p : {path, real}) {
      candidates.push_back(p.rfind("/usr/", 0) == 0 ? p.substr(4) : "/usr" + p);
    }
    CommandResult owner;
    for (const std::string& candidate : candidates) {
      owner = runCommand({"dpkg", "-S", candidate}, 60s);
      if (owner.code() == 0) {
        break;
      }
    }
    ASSERT_EQ(owner.code(), 0) << "no Debian package owns " << path << ": " << owner.err;
    const std::string package = owner.out.substr(0, owner.out.find(':'));
    EXPECT_EQ(available.count(package), 1u)
        << soname << " comes from " << package
        << ", which deploy/docker/Dockerfile's runtime stage does not install";
  }
}

// The image's /etc/tmdns: deploy/docker/tmdns.yaml beside deploy/example/profiles/*.json.
TEST(DeployDocker, ImageConfigurationLoads) {
  TempDir etc;
  etc.write("tmdns.yaml", readFile(sourceDir() + "/deploy/docker/tmdns.yaml"));
  for (const auto& entry : fs::directory_iterator(sourceDir() + "/deploy/example/profiles")) {
    etc.write(entry.path().filename().string(), readFile(entry.path().string()));
  }
  const CommandResult r = runCommand({serverBinary(), "--check-config", etc.file("tmdns.yaml")});
  EXPECT_EQ(r.code(), 0) << r.out << r.err;
  // Both example profiles were found by the glob.
  EXPECT_EQ(r.err.find("matches no file"), std::string::npos) << r.err;
  // Answers on every address of the container, port 53, and serves HTTP on 9153.
  const std::string config = readFile(etc.file("tmdns.yaml"));
  EXPECT_NE(config.find("\nlisten: [\"0.0.0.0:53\"]\n"), std::string::npos);
  EXPECT_NE(config.find("\nhttp: \"0.0.0.0:9153\""), std::string::npos);
}

}  // namespace
}  // namespace tmdns::e2e::deploy
