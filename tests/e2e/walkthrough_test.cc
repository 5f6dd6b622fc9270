// The cross-region disaster-recovery walkthrough (docs/walkthrough.md), step by step through
// deploy/walkthrough/run.sh on free loopback ports, as a reader runs it.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/deploy_support.h"
#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/metrics_support.h"
#include "tests/e2e/probe_harness.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::e2e {
namespace {

using probes::testing::unusedPort;

const std::string kZone = "tm.example.test";
const std::string kWeu = "127.0.0.11";
const std::string kNeu = "127.0.0.12";
const std::string kEus = "127.0.0.13";
const std::vector<std::string> kProfiles = {"myvision", "myvision-weighted", "myvision-perf"};

std::string fqdn(const std::string& profile) {
  return profile + "." + kZone + ".";
}

std::vector<Rr> aRecord(const std::string& profile, const std::string& address) {
  return {Rr::of(fqdn(profile) + " 5 IN A " + address)};
}

// run.sh with this test's ports, binary and state directory.
class Walkthrough {
 public:
  Walkthrough()
      : script_(deploy::sourceDir() + "/deploy/walkthrough/run.sh"),
        dnsPort_(unusedPort()),
        httpPort_(unusedPort()),
        backendPort_(unusedPort(kWeu)) {}
  // Whatever happened, nothing the script started outlives the test.
  ~Walkthrough() { run("down"); }
  Walkthrough(const Walkthrough&) = delete;
  Walkthrough& operator=(const Walkthrough&) = delete;

  CommandResult run(const std::string& command, const std::string& region = "") {
    std::vector<std::string> argv = {"env",
                                     "TMDNS_BINARY=" + serverBinary(),
                                     "TMDNS_DNS_PORT=" + std::to_string(dnsPort_),
                                     "TMDNS_HTTP_PORT=" + std::to_string(httpPort_),
                                     "BACKEND_PORT=" + std::to_string(backendPort_),
                                     "WALKTHROUGH_STATE_DIR=" + dir_.file("state"),
                                     script_,
                                     command};
    if (!region.empty()) {
      argv.push_back(region);
    }
    return runCommand(argv, 30s);
  }

  // The step succeeded (exit 0) and printed `expected`.
  ::testing::AssertionResult step(const std::string& command, const std::string& region,
                                  const std::string& expected) {
    const CommandResult r = run(command, region);
    if (r.code() != 0 || r.out.find(expected) == std::string::npos) {
      return ::testing::AssertionFailure() << "run.sh " << command << " " << region << ": "
                                           << r.status.describe() << r.startError << "\nstdout:\n"
                                           << r.out << "stderr:\n"
                                           << r.err << "tmdns log:\n"
                                           << log();
    }
    return ::testing::AssertionSuccess();
  }

  Address dns() const { return Address{"127.0.0.1", dnsPort_}; }
  uint16_t httpPort() const { return httpPort_; }
  uint16_t backendPort() const { return backendPort_; }
  std::string log() const {
    const std::string path = dir_.file("state/tmdns.log");
    return std::ifstream(path).good() ? readFile(path) : "(none)";
  }

 private:
  TempDir dir_;
  std::string script_;
  uint16_t dnsPort_;
  uint16_t httpPort_;
  uint16_t backendPort_;
};

// /status as YAML (JSON is YAML); null when it cannot be fetched or parsed.
YAML::Node status(uint16_t port) {
  const HttpReply reply = httpGet(port, "/status");
  if (!reply.ok()) {
    return YAML::Node();
  }
  try {
    return YAML::Load(reply.body);
  } catch (const YAML::Exception&) {
    return YAML::Node();
  }
}

YAML::Node profileStatus(const YAML::Node& root, const std::string& name) {
  if (root && root["zones"]) {
    for (const auto& zone : root["zones"]) {
      for (const auto& profile : zone["profiles"]) {
        if (profile["name"].as<std::string>() == name) {
          return profile;
        }
      }
    }
  }
  return YAML::Node();
}

YAML::Node endpointStatus(const YAML::Node& profile, const std::string& name) {
  if (profile && profile["endpoints"]) {
    for (const auto& endpoint : profile["endpoints"]) {
      if (endpoint["name"].as<std::string>() == name) {
        return endpoint;
      }
    }
  }
  return YAML::Node();
}

// Each profile's `region` endpoint and the profile itself show the expected monitor statuses.
::testing::AssertionResult regionShows(uint16_t port, const std::string& region,
                                       const std::string& endpointMonitor,
                                       const std::string& profileMonitor,
                                       const std::string& reason) {
  const YAML::Node root = status(port);
  for (const std::string& name : kProfiles) {
    const YAML::Node profile = profileStatus(root, name);
    const YAML::Node endpoint = endpointStatus(profile, region);
    if (!endpoint) {
      return ::testing::AssertionFailure() << "no " << name << "/" << region << " in /status";
    }
    const std::string got = endpoint["endpointMonitorStatus"].as<std::string>();
    const std::string gotProfile = profile["profileMonitorStatus"].as<std::string>();
    const std::string gotReason = endpoint["lastChange"]["reason"].as<std::string>("");
    if (got != endpointMonitor || gotProfile != profileMonitor || gotReason != reason) {
      return ::testing::AssertionFailure()
             << name << "/" << region << ": endpoint " << got << " (reason '" << gotReason
             << "'), profile " << gotProfile << "; want " << endpointMonitor << " ('" << reason
             << "'), " << profileMonitor;
    }
  }
  return ::testing::AssertionSuccess();
}

// Polls /status until regionShows() holds; it must within detectionBound(tolerated) of `since`.
::testing::AssertionResult regionShowsWithin(uint16_t port, const std::string& region,
                                             const std::string& endpointMonitor,
                                             const std::string& profileMonitor,
                                             const std::string& reason, Clock::time_point since,
                                             int tolerated) {
  ::testing::AssertionResult last = ::testing::AssertionFailure();
  while (Clock::now() - since < waitLimit(tolerated)) {
    last = regionShows(port, region, endpointMonitor, profileMonitor, reason);
    if (last) {
      const auto elapsed = Clock::now() - since;
      if (elapsed > detectionBound(tolerated)) {
        return ::testing::AssertionFailure() << "/status changed after " << seconds(elapsed)
                                             << " s, bound " << seconds(detectionBound(tolerated));
      }
      return last;
    }
    std::this_thread::sleep_for(100ms);
  }
  return last;
}

// The metric line for `profile`/`region` with `value`, exactly as /metrics prints it.
std::string upLine(const std::string& profile, const std::string& region, int value) {
  return "tmdns_endpoint_up{zone=\"" + kZone + "\",profile=\"" + profile + "\",endpoint=\"" +
         region + "\"} " + std::to_string(value) + "\n";
}

::testing::AssertionResult metricsShowUp(uint16_t port, const std::string& region, int value) {
  const HttpReply reply = httpGet(port, "/metrics");
  if (!reply.ok()) {
    return ::testing::AssertionFailure() << "/metrics: " << reply.status;
  }
  for (const std::string& profile : kProfiles) {
    if (reply.body.find(upLine(profile, region, value)) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "no '" << upLine(profile, region, value) << "' in /metrics:\n"
             << reply.body;
    }
  }
  return ::testing::AssertionSuccess();
}

// dig +subnet=<subnet> (or from 127.0.0.1 without one) for myvision-perf: exactly `address`.
::testing::AssertionResult perfAnswers(const Address& server, const std::string& subnet,
                                       const std::string& address) {
  std::vector<std::string> args = {fqdn("myvision-perf"), "A"};
  if (!subnet.empty()) {
    args.push_back("+subnet=" + subnet);
  }
  const DigResult r = dig(server, args);
  if (r.status != "NOERROR" || r.answer != aRecord("myvision-perf", address)) {
    return ::testing::AssertionFailure() << "subnet '" << subnet << "': want " << address << "\n"
                                         << r.describe();
  }
  return ::testing::AssertionSuccess();
}

// The set of answers seen in `count` Weighted queries (rdatas; "<error>" for failures).
std::set<std::string> weightedAnswers(const Address& server, int count) {
  std::set<std::string> seen;
  for (const auto& [answer, n] : tally(server, fqdn("myvision-weighted"), LDNS_RR_TYPE_A, count)) {
    seen.insert(answer);
  }
  return seen;
}

TEST(Walkthrough, CrossRegionDisasterRecovery) {
  // The detection bound below is the documented one only if the walkthrough's monitorConfig
  // is what the probe helpers assume: interval 2 s, timeout 1 s, one tolerated failure.
  const YAML::Node config = YAML::LoadFile(deploy::sourceDir() + "/deploy/walkthrough/tmdns.yaml");
  for (const auto& profile : config["zones"][0]["profiles"]) {
    const YAML::Node monitor = profile["properties"]["monitorConfig"];
    ASSERT_EQ(monitor["intervalInSeconds"].as<int>(), kInterval);
    ASSERT_EQ(monitor["timeoutInSeconds"].as<int>(), kTimeout);
    ASSERT_EQ(monitor["toleratedNumberOfFailures"].as<int>(), 1);
  }
  constexpr int kTolerated = 1;

  Walkthrough w;
  const Address dns = w.dns();
  const uint16_t http = w.httpPort();

  // Step 1: start; the primary region answers.
  ASSERT_TRUE(w.step("start", "", "tmdns ready"));
  EXPECT_TRUE(answers(dns, fqdn("myvision"), LDNS_RR_TYPE_A, aRecord("myvision", kWeu)));
  for (const char* region : {"weu", "neu", "eus"}) {
    EXPECT_TRUE(regionShows(http, region, "Online", "Online", "HTTP 200"));
    EXPECT_TRUE(metricsShowUp(http, region, 1));
  }
  EXPECT_EQ(weightedAnswers(dns, 300), (std::set<std::string>{kWeu, kNeu, kEus}));
  EXPECT_TRUE(perfAnswers(dns, "", kWeu));
  EXPECT_TRUE(perfAnswers(dns, "203.0.113.7/24", kWeu));
  EXPECT_TRUE(perfAnswers(dns, "198.51.100.7/24", kNeu));
  EXPECT_TRUE(perfAnswers(dns, "192.0.2.7/24", kEus));

  // Step 2: West Europe goes down; within interval x (tolerated + 1) + timeout the answer is
  // North Europe, and /status and /metrics say why.
  const Clock::time_point stopped = Clock::now();
  ASSERT_TRUE(w.step("stop-region", "weu", "region weu (West Europe) stopped"));
  ASSERT_TRUE(answerChangesWithin(dns, fqdn("myvision"), LDNS_RR_TYPE_A, aRecord("myvision", kWeu),
                                  aRecord("myvision", kNeu), stopped, kTolerated));
  ASSERT_TRUE(regionShowsWithin(http, "weu", "Degraded", "Degraded", "connect refused", stopped,
                                kTolerated));
  EXPECT_TRUE(regionShows(http, "neu", "Online", "Degraded", "HTTP 200"));
  EXPECT_TRUE(metricsShowUp(http, "weu", 0));
  EXPECT_TRUE(metricsShowUp(http, "neu", 1));
  const CommandResult shown = w.run("status");
  EXPECT_NE(shown.out.find("weu  127.0.0.11  Degraded         connect refused"), std::string::npos)
      << shown.out << shown.err;
  EXPECT_NE(shown.out.find("weu  West Europe   127.0.0.11:" + std::to_string(w.backendPort()) +
                           " stopped\n"),
            std::string::npos)
      << shown.out;

  // The Weighted variant never returns the stopped region; the Performance variant sends its
  // clients to their next closest region.
  EXPECT_TRUE(answers(dns, fqdn("myvision"), LDNS_RR_TYPE_A, aRecord("myvision", kNeu)));
  EXPECT_EQ(weightedAnswers(dns, 300), (std::set<std::string>{kNeu, kEus}));
  EXPECT_TRUE(perfAnswers(dns, "", kNeu));
  EXPECT_TRUE(perfAnswers(dns, "203.0.113.7/24", kNeu));
  EXPECT_TRUE(perfAnswers(dns, "198.51.100.7/24", kNeu));
  EXPECT_TRUE(perfAnswers(dns, "192.0.2.7/24", kEus));

  // Step 3: West Europe comes back; Online at the first successful probe, so within one
  // interval + timeout the answer is West Europe again.
  const Clock::time_point restarted = Clock::now();
  ASSERT_TRUE(w.step("start-region", "weu", "region weu (West Europe) up"));
  ASSERT_TRUE(answerChangesWithin(dns, fqdn("myvision"), LDNS_RR_TYPE_A, aRecord("myvision", kNeu),
                                  aRecord("myvision", kWeu), restarted, 0));
  ASSERT_TRUE(regionShowsWithin(http, "weu", "Online", "Online", "HTTP 200", restarted, 0));
  EXPECT_TRUE(metricsShowUp(http, "weu", 1));
  EXPECT_TRUE(perfAnswers(dns, "203.0.113.7/24", kWeu));
  EXPECT_TRUE(perfAnswers(dns, "", kWeu));
  EXPECT_EQ(weightedAnswers(dns, 300), (std::set<std::string>{kWeu, kNeu, kEus}));

  // Step 4: down stops everything.
  EXPECT_TRUE(w.step("down", "", "stopped"));
  EXPECT_FALSE(httpGet(http, "/healthz").ok());
}

}  // namespace
}  // namespace tmdns::e2e
