// 10,000 profiles x 5 endpoints (bench/gen_bench.py large): check, serve, answer, and reload the
// same file three times without the resident set growing; then a reload that changes one profile.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/harness.h"

// The sanitizer build (scripts/test.sh, build-asan/) runs tmdns at -O0 under AddressSanitizer:
// a tenth of the profiles keeps the test within a minute there, and the resident set measures
// ASan's allocator (freed blocks wait in its quarantine), not tmdns, so it is only printed.
#if defined(__SANITIZE_ADDRESS__)
#define TMDNS_BIG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TMDNS_BIG_SANITIZED 1
#endif
#endif
#ifndef TMDNS_BIG_SANITIZED
#define TMDNS_BIG_SANITIZED 0
#endif

namespace tmdns::e2e {
namespace {

constexpr bool kSanitized = TMDNS_BIG_SANITIZED != 0;
constexpr int kEndpoints = 5;
constexpr const char* kZone = "bench.test";
// One load takes about 2 s here (1 s for the sanitizer build's tenth): room for a busy machine.
constexpr Clock::duration kLoadTimeout = 120s;

// $TMDNS_BIG_PROFILES (a multiple of 4: the last profile is a Geographic one), else 10,000
// (1,000 in the sanitizer build).
int profileCount() {
  if (const char* env = std::getenv("TMDNS_BIG_PROFILES"); env != nullptr && *env != '\0') {
    return std::atoi(env);
  }
  return kSanitized ? 1000 : 10000;
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A field of /proc/PID/status in KiB (VmRSS: resident now, VmHWM: the peak); 0 when unreadable.
long statusKiB(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::atol(line.c_str() + field.size() + 1);
    }
  }
  return 0;
}

long residentKiB(pid_t pid) {
  return statusKiB(pid, "VmRSS");
}

// A reload of the same file may leave the server this much bigger than it started: 10 %, and
// 4 MiB for what the first reload touches that start-up did not (the serving threads' stacks).
// Before reloads gave their memory back, 10,000 profiles started at 460 MiB and were 600 MiB
// after one reload, 612 MiB after three.
long reloadLimitKiB(long startKiB) {
  return startKiB + startKiB / 10 + 4096;
}

std::string mib(long kib) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(kib) / 1024);
  return text;
}

std::string secs(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", seconds);
  return text;
}

// The benchmark's generator, so that the test and bench/README.md load the same shape:
// profiles p0..pN-1 in bench.test, Priority, Weighted, MultiValue and Geographic in turn, probes
// off. Writes tmdns.yaml (and profiles/pN.json with --profile-files) and geo.csv into `dir`.
::testing::AssertionResult generate(const std::string& dir, int profiles, bool profileFiles) {
  std::vector<std::string> argv = {"python3",
                                   std::string(TMDNS_SOURCE_DIR) + "/bench/gen_bench.py",
                                   "large",
                                   "--out",
                                   dir,
                                   "--port",
                                   "0",
                                   "--profiles",
                                   std::to_string(profiles),
                                   "--endpoints",
                                   std::to_string(kEndpoints)};
  if (profileFiles) {
    argv.push_back("--profile-files");
  }
  const CommandResult r = runCommand(argv, 300s);
  if (r.code() != 0) {
    return ::testing::AssertionFailure()
           << joinArgv(argv) << ": " << r.status.describe() << " " << r.startError << "\n"
           << r.err;
  }
  return ::testing::AssertionSuccess();
}

std::string fqdn(int profile) {
  return "p" + std::to_string(profile) + "." + kZone + ".";
}

// The answer to `name` A: its rcode and answer records, sorted.
struct Answer {
  int rcode = -1;
  bool aa = false;
  std::vector<Rr> records;
};

Answer askA(const Address& server, const std::string& name) {
  Answer out;
  if (std::optional<Message> m = ask(server, name, LDNS_RR_TYPE_A)) {
    out.rcode = m->rcode;
    out.aa = m->aa;
    out.records = sorted(m->answer);
  }
  return out;
}

std::vector<Rr> cname(int profile, const std::string& target) {
  return {Rr::of(fqdn(profile) + " 30 IN CNAME " + target + ".")};
}

// What the generator's profiles answer a client without ECS from 127.0.0.1 (geo.csv does not
// place it: Geographic routing falls to WORLD, endpoint e4).
void expectGeneratedAnswers(const Server& server, int profiles) {
  const Address v4 = server.v4();
  // p0, Priority: the priority-1 endpoint, a name.
  const Answer p0 = askA(v4, fqdn(0));
  EXPECT_EQ(p0.rcode, LDNS_RCODE_NOERROR);
  EXPECT_TRUE(p0.aa);
  EXPECT_EQ(p0.records, cname(0, "e0.p0.backend.example"));
  // p1, Weighted: one of its five names.
  const Answer p1 = askA(v4, fqdn(1));
  EXPECT_EQ(p1.rcode, LDNS_RCODE_NOERROR);
  ASSERT_EQ(p1.records.size(), 1u);
  EXPECT_EQ(p1.records[0].type, "CNAME");
  EXPECT_TRUE(std::set<std::string>({"e0.p1.backend.example.", "e1.p1.backend.example.",
                                     "e2.p1.backend.example.", "e3.p1.backend.example.",
                                     "e4.p1.backend.example."})
                  .count(p1.records[0].rdata))
      << p1.records[0];
  // p2, MultiValue (maxReturn 2): two of 127.1.0.10 .. 127.1.0.14.
  const Answer p2 = askA(v4, fqdn(2));
  EXPECT_EQ(p2.rcode, LDNS_RCODE_NOERROR);
  ASSERT_EQ(p2.records.size(), 2u);
  const std::set<std::string> addresses = {"127.1.0.10", "127.1.0.11", "127.1.0.12", "127.1.0.13",
                                           "127.1.0.14"};
  for (const Rr& rr : p2.records) {
    EXPECT_EQ(rr.type, "A");
    EXPECT_EQ(rr.name, fqdn(2));
    EXPECT_TRUE(addresses.count(rr.rdata)) << rr;
  }
  EXPECT_NE(p2.records[0].rdata, p2.records[1].rdata);
  // The last profile (Geographic when the count is a multiple of 4): WORLD.
  const int last = profiles - 1;
  ASSERT_EQ(last % 4, 3) << "the profile count must be a multiple of 4";
  const Answer lastAnswer = askA(v4, fqdn(last));
  EXPECT_EQ(lastAnswer.rcode, LDNS_RCODE_NOERROR);
  EXPECT_EQ(lastAnswer.records, cname(last, "e4.p" + std::to_string(last) + ".backend.example"));
  // One past the last: no such profile.
  const Answer none = askA(v4, fqdn(profiles));
  EXPECT_EQ(none.rcode, LDNS_RCODE_NXDOMAIN);
  EXPECT_TRUE(none.records.empty());
}

// --check-config on the server's configuration: exit 0 and "OK"; returns the seconds it took.
double checkConfig(Server& server) {
  const auto start = Clock::now();
  const CommandResult r =
      runCommand({serverBinary(), "--check-config", server.configPath()}, kLoadTimeout);
  const double seconds = secondsSince(start);
  EXPECT_EQ(r.code(), 0) << r.status.describe() << "\n" << r.err.substr(0, 4000);
  EXPECT_NE((r.out + r.err).find(": OK (config sha256 "), std::string::npos);
  return seconds;
}

// Sends SIGHUP and waits for "reloaded"; returns the seconds it took.
double reloadOk(Server& server) {
  const uint64_t before = server.generation();
  const auto start = Clock::now();
  const std::optional<bool> ok = server.reload(kLoadTimeout);
  const double seconds = secondsSince(start);
  EXPECT_EQ(ok, std::optional<bool>(true));
  EXPECT_EQ(server.generation(), before + 1);
  return seconds;
}

// Inline profiles, as one YAML file: the shape bench/run.sh measures.
TEST(BigConfig, InlineProfilesLoadServeAndReloadWithoutGrowing) {
  const int profiles = profileCount();
  Server server;
  ASSERT_TRUE(generate(server.dir().path(), profiles, false));
  const std::string yaml = readFile(server.configPath());

  const double check = checkConfig(server);
  const auto started = Clock::now();
  ASSERT_TRUE(server.start(kLoadTimeout));
  const double start = secondsSince(started);
  const pid_t pid = server.process().pid();
  const long rssStart = residentKiB(pid);
  expectGeneratedAnswers(server, profiles);

  // The same file three times: each reload builds a complete new generation beside the served
  // one and frees the old; what it leaves behind would show as growth from reload to reload.
  std::vector<double> reloads;
  std::vector<long> rss;
  const std::string sha = server.configSha();
  for (int i = 0; i < 3; ++i) {
    reloads.push_back(reloadOk(server));
    rss.push_back(residentKiB(pid));
    EXPECT_EQ(server.configSha(), sha);
  }
  expectGeneratedAnswers(server, profiles);
  if (!kSanitized) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_LE(rss[i], reloadLimitKiB(rssStart))
          << "resident set at start " << rssStart << " KiB, after reloads 1, 2, 3: " << rss[0]
          << ", " << rss[1] << ", " << rss[2] << " KiB";
    }
    // No growth from reload to reload either.
    EXPECT_LE(rss[2], rss[0] + rss[0] / 10);
  }

  // One profile changed: the new generation is the one served.
  const std::string moved = replaceAll(yaml, "{target: e0.p0.backend.example, priority: 1}",
                                       "{target: moved.p0.backend.example, priority: 1}");
  writeFile(server.configPath(), moved);
  const double changed = reloadOk(server);
  EXPECT_NE(server.configSha(), sha);
  const Answer p0 = askA(server.v4(), fqdn(0));
  EXPECT_EQ(p0.rcode, LDNS_RCODE_NOERROR);
  EXPECT_EQ(p0.records, cname(0, "moved.p0.backend.example"));
  EXPECT_EQ(askA(server.v4(), fqdn(4)).records, cname(4, "e0.p4.backend.example"));

  std::printf(
      "big config: %d profiles x %d endpoints inline (%s MiB of YAML)%s: check-config %s s, "
      "start to serving %s s, RSS %s MiB; reloads %s / %s / %s s, RSS %s / %s / %s MiB; "
      "reload with one profile changed %s s, RSS %s MiB; peak RSS %s MiB\n",
      profiles, kEndpoints, mib(static_cast<long>(yaml.size()) / 1024).c_str(),
      kSanitized ? " [sanitizer build]" : "", secs(check).c_str(), secs(start).c_str(),
      mib(rssStart).c_str(), secs(reloads[0]).c_str(), secs(reloads[1]).c_str(),
      secs(reloads[2]).c_str(), mib(rss[0]).c_str(), mib(rss[1]).c_str(), mib(rss[2]).c_str(),
      secs(changed).c_str(), mib(residentKiB(pid)).c_str(), mib(statusKiB(pid, "VmHWM")).c_str());
  std::fflush(stdout);
}

// One JSON file per profile, named by a glob, as exports from `az ... show -o json` are kept.
TEST(BigConfig, ProfileFilesLoadServeAndReload) {
  const int profiles = profileCount();
  Server server;
  ASSERT_TRUE(generate(server.dir().path(), profiles, true));

  const double check = checkConfig(server);
  const auto started = Clock::now();
  ASSERT_TRUE(server.start(kLoadTimeout));
  const double start = secondsSince(started);
  const pid_t pid = server.process().pid();
  const long rssStart = residentKiB(pid);
  expectGeneratedAnswers(server, profiles);

  const double same = reloadOk(server);
  const long rssSame = residentKiB(pid);
  if (!kSanitized) {
    EXPECT_LE(rssSame, reloadLimitKiB(rssStart))
        << "resident set at start " << rssStart << " KiB, after a reload " << rssSame << " KiB";
  }
  // One file changed: p0's first endpoint moves.
  const std::string file = server.dir().file("profiles/p0.json");
  writeFile(file, replaceAll(readFile(file), "\"e0.p0.backend.example\"",
                             "\"moved.p0.backend.example\""));
  const double changed = reloadOk(server);
  EXPECT_EQ(askA(server.v4(), fqdn(0)).records, cname(0, "moved.p0.backend.example"));
  EXPECT_EQ(askA(server.v4(), fqdn(4)).records, cname(4, "e0.p4.backend.example"));

  std::printf(
      "big config: %d profiles x %d endpoints in %d profile files%s: check-config %s s, start "
      "to serving %s s, RSS %s MiB; reload %s s, RSS %s MiB; reload with one file changed %s s, "
      "RSS %s MiB; peak RSS %s MiB\n",
      profiles, kEndpoints, profiles, kSanitized ? " [sanitizer build]" : "", secs(check).c_str(),
      secs(start).c_str(), mib(rssStart).c_str(), secs(same).c_str(), mib(rssSame).c_str(),
      secs(changed).c_str(), mib(residentKiB(pid)).c_str(), mib(statusKiB(pid, "VmHWM")).c_str());
  std::fflush(stdout);
}

}  // namespace
}  // namespace tmdns::e2e
