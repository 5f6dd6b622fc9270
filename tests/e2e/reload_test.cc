// SIGHUP reloads under a steady stream of UDP queries: good files change answers, broken files
// are rejected with file:line:col, and no query is ever dropped.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

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

// Polls `done` every 10 ms until it holds or `timeout` passes.
template <typename F>
bool eventually(F done, Clock::duration timeout = 10s) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// One query per millisecond, one at a time, to `name` A over UDP; every query must be answered
// within 2 s (no retry), with NOERROR and AA. Records the first A of each answer in order.
class QueryStream {
 public:
  QueryStream(Address server, std::string name)
      : server_(std::move(server)), name_(std::move(name)) {}
  ~QueryStream() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  // Lets the stream run until at least `minQueries` were sent in total, then joins it.
  void finish(size_t minQueries) {
    minQueries_ = minQueries;
    stop_ = true;
    thread_.join();
  }

  size_t sent() const { return sent_; }
  size_t lost() const { return lost_; }
  size_t bad() const { return bad_; }
  bool seen(const std::string& rdata) const {
    std::lock_guard lock(mu_);
    for (const auto& a : answers_) {
      if (a == rdata) {
        return true;
      }
    }
    return false;
  }
  std::vector<std::string> answers() const {
    std::lock_guard lock(mu_);
    return answers_;
  }
  std::string firstProblem() const {
    std::lock_guard lock(mu_);
    return firstProblem_;
  }

 private:
  void problem(const std::string& what) {
    std::lock_guard lock(mu_);
    if (firstProblem_.empty()) {
      firstProblem_ = what;
    }
  }

  void run() {
    UdpSocket socket(server_);
    auto next = Clock::now();
    const auto hardStop = Clock::now() + 60s;
    uint16_t id = 0;
    while (!(stop_ && sent_ >= minQueries_) && Clock::now() < hardStop) {
      next += 1ms;
      std::this_thread::sleep_until(next);
      ++id;
      QueryOptions o;
      o.id = id;
      if (!socket.send(buildQuery(name_, LDNS_RR_TYPE_A, o))) {
        problem("send failed");
        ++lost_;
        ++sent_;
        continue;
      }
      ++sent_;
      std::optional<Message> answer;
      const auto deadline = Clock::now() + 2s;
      while (auto wire = socket.receive(deadline)) {
        std::string error;
        auto m = decode(*wire, error);
        if (m && m->id == id) {
          answer = std::move(m);
          break;
        }
      }
      if (!answer) {
        problem("query " + std::to_string(sent_) + " (id " + std::to_string(id) +
                ") got no response within 2 s");
        ++lost_;
        next = Clock::now();
        continue;
      }
      if (answer->rcode != LDNS_RCODE_NOERROR || !answer->aa || answer->tc ||
          answer->answer.size() != 1) {
        problem("query " + std::to_string(sent_) + ": rcode " + std::to_string(answer->rcode) +
                ", aa " + std::to_string(answer->aa) + ", " +
                std::to_string(answer->answer.size()) + " answer records");
        ++bad_;
        continue;
      }
      std::lock_guard lock(mu_);
      answers_.push_back(answer->answer[0].rdata);
    }
  }

  Address server_;
  std::string name_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> minQueries_{0};
  std::atomic<size_t> sent_{0};
  std::atomic<size_t> lost_{0};
  std::atomic<size_t> bad_{0};
  mutable std::mutex mu_;
  std::vector<std::string> answers_;
  std::string firstProblem_;
};

const char* const kFreshProfile = R"({
  "dnsConfig": {
    "relativeName": "fresh",
    "ttl": 15
  },
  "endpoints": [
    {
      "endpointStatus": "Enabled",
      "name": "fresh-1",
      "priority": 1,
      "target": "fresh.example.test",
      "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
      "weight": 1
    }
  ],
  "location": "global",
  "monitorConfig": {
    "port": 9,
    "protocol": "TCP"
  },
  "name": "fresh",
  "profileStatus": "Enabled",
  "trafficRoutingMethod": "Priority",
  "type": "Microsoft.Network/trafficManagerProfiles"
}
)";

const Rr kReload100 = Rr::of("reload.tm.example.test. 300 IN A 192.0.2.100");
const Rr kReload101 = Rr::of("reload.tm.example.test. 300 IN A 192.0.2.101");
const Rr kArmApp = Rr::of("arm-app.tm.example.test. 35 IN CNAME arm-primary.example.test.");
const Rr kFresh = Rr::of("fresh.tm.example.test. 15 IN CNAME fresh.example.test.");

TEST(Reload, GoodAndBrokenReloadsUnderSteadyUdpLoad) {
  Server s;
  s.writeStandardConfig();
  ASSERT_TRUE(s.start());
  const std::string original = readFile(dataDir() + "/standard.yaml");
  const std::string firstSha = s.configSha();
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("reload"), "A"}), "NOERROR", {kReload100}, {}));

  QueryStream stream(s.v4(), inZone("reload"));
  stream.start();
  ASSERT_TRUE(eventually([&] { return stream.sent() >= 300; })) << stream.firstProblem();

  // 1. A good configuration: a changed record, a profile file removed, one added.
  s.writeConfig(replaceAll(original, "192.0.2.100", "192.0.2.101"));
  std::filesystem::remove(s.dir().file("profiles/arm-app.json"));
  s.dir().write("profiles/fresh.json", kFreshProfile);
  auto good = s.reload();
  ASSERT_TRUE(good.has_value());
  EXPECT_TRUE(*good) << s.log();
  EXPECT_EQ(s.generation(), 2u);
  EXPECT_NE(s.configSha(), firstSha);
  EXPECT_TRUE(eventually([&] { return stream.seen("192.0.2.101"); }, 5s));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("reload"), "A"}), "NOERROR", {kReload101}, {}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("arm-app"), "A"}), "NXDOMAIN", {}, {kNegativeSoa}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("fresh"), "A"}), "NOERROR", {kFresh}, {}));
  const size_t afterGood = stream.sent();
  ASSERT_TRUE(eventually([&] { return stream.sent() >= afterGood + 300; }))
      << stream.firstProblem();

  // 2. A broken configuration (weight 0 on the Weighted profile's first endpoint) that would
  // also change the record: rejected as a whole, generation 2 keeps serving.
  const std::string broken =
      replaceAll(replaceAll(original, "192.0.2.100", "192.0.2.102"),
                 "target: 198.51.100.1, weight: 1}", "target: 198.51.100.1, weight: 0}");
  s.writeConfig(broken);
  const std::string written = readFile(s.configPath());
  size_t firstLine = 0;
  auto bad = s.reload(10s, &firstLine);
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(*bad) << s.log();
  EXPECT_EQ(s.generation(), 2u);
  auto rejected = s.process().waitForStderr(std::regex(kRejectedPattern), 1s, firstLine);
  ASSERT_TRUE(rejected) << s.log();
  EXPECT_GE(std::stoi((*rejected)[1]), 1);
  EXPECT_EQ((*rejected)[2], "2");
  size_t errorIndex = 0;
  auto error = s.process().waitForStderr(
      std::regex(R"((\S+):(\d+):(\d+): zones\[0\]\.profiles\[3\]\.endpoints\[0\]\.weight: )"), 1s,
      firstLine, &errorIndex);
  ASSERT_TRUE(error) << "no weight error logged after the SIGHUP:\n" << s.log();
  const std::string file = (*error)[1];
  EXPECT_TRUE(
      file.size() >= s.configPath().size() &&
      file.compare(file.size() - s.configPath().size(), std::string::npos, s.configPath()) == 0)
      << file;
  EXPECT_EQ(std::stoi((*error)[2]), lineOf(written, "target: 198.51.100.1, weight: 0}"));
  size_t rejectedIndex = 0;
  s.process().waitForStderr(std::regex(kRejectedPattern), 1s, firstLine, &rejectedIndex);
  EXPECT_LT(errorIndex, rejectedIndex) << "the error lines come before the rejection line";

  const size_t afterBad = stream.sent();
  ASSERT_TRUE(eventually([&] { return stream.sent() >= afterBad + 300; })) << stream.firstProblem();
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("reload"), "A"}), "NOERROR", {kReload101}, {}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("fresh"), "A"}), "NOERROR", {kFresh}, {}));

  stream.finish(2000);
  EXPECT_GE(stream.sent(), 2000u);
  EXPECT_EQ(stream.lost(), 0u) << stream.firstProblem();
  EXPECT_EQ(stream.bad(), 0u) << stream.firstProblem();
  // Answers move from .100 to .101 once and never back; .102 (the rejected file) never shows.
  const auto answers = stream.answers();
  size_t switched = 0;
  bool sawOld = false;
  bool regressed = false;
  for (const auto& a : answers) {
    if (a == "192.0.2.100") {
      sawOld = true;
      regressed = regressed || switched > 0;
    } else if (a == "192.0.2.101") {
      ++switched;
    } else {
      ADD_FAILURE() << "unexpected answer " << a;
      break;
    }
  }
  EXPECT_TRUE(sawOld);
  EXPECT_GT(switched, 0u);
  EXPECT_FALSE(regressed) << "an answer from generation 1 came after one from generation 2";
  EXPECT_TRUE(s.process().running());
}

TEST(Reload, BrokenProfileFileIsRejectedWithItsPosition) {
  Server s;
  s.writeStandardConfig();
  ASSERT_TRUE(s.start());
  // A JSON syntax error (missing comma) on a known line of a new profile file.
  const std::string broken =
      replaceAll(kFreshProfile, "\"ttl\": 15\n", "\"ttl\": 15\n  \"oops\"\n");
  s.dir().write("profiles/fresh.json", broken);
  size_t firstLine = 0;
  auto outcome = s.reload(10s, &firstLine);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(*outcome) << s.log();
  EXPECT_EQ(s.generation(), 1u);
  auto error =
      s.process().waitForStderr(std::regex(R"((\S*fresh\.json):(\d+):(\d+): )"), 1s, firstLine);
  ASSERT_TRUE(error) << "no fresh.json:LINE:COL error after the SIGHUP:\n" << s.log();
  const int line = std::stoi((*error)[2]);
  // The parser may point at the unexpected token or the end of the line before it.
  EXPECT_TRUE(line == lineOf(broken, "\"oops\"") || line == lineOf(broken, "\"ttl\": 15"))
      << (*error)[0];
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("fresh"), "A"}), "NXDOMAIN", {}, {kNegativeSoa}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("arm-app"), "A"}), "NOERROR", {kArmApp}, {}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("reload"), "A"}), "NOERROR", {kReload100}, {}));

  // Fixing the file and reloading again works.
  s.dir().write("profiles/fresh.json", kFreshProfile);
  auto fixed = s.reload();
  ASSERT_TRUE(fixed.has_value());
  EXPECT_TRUE(*fixed) << s.log();
  EXPECT_GT(s.generation(), 1u);
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("fresh"), "A"}), "NOERROR", {kFresh}, {}));
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("arm-app"), "A"}), "NOERROR", {kArmApp}, {}));
}

TEST(Reload, ServesTcpAndIpv6AfterAReload) {
  Server s;
  s.writeStandardConfig();
  ASSERT_TRUE(s.start());
  const std::vector<Address> before = s.listeners();
  s.writeConfig(replaceAll(readFile(dataDir() + "/standard.yaml"), "192.0.2.100", "192.0.2.101"));
  auto outcome = s.reload();
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(*outcome) << s.log();
  // The sockets stay: the same ports answer, over both transports and both families.
  for (const auto& a : before) {
    for (const auto& r : allClients(a, inZone("reload"), "A")) {
      EXPECT_TRUE(digMatches(r, "NOERROR", {kReload101}, {}));
    }
  }
}

// Sockets and threads are set up once: a reload that asks for other ones is served otherwise and
// says that those settings wait for a restart, every time it still asks, and not once it no
// longer does (the comparison is with what was bound, not with the last reload).
TEST(Reload, ListenerChangesAreNotedUntilTheyMatchWhatWasBound) {
  const std::string kNote =
      "note: listen, threads and http changes take effect at the next restart";
  Server s;
  s.writeStandardConfig();
  ASSERT_TRUE(s.start());
  const std::string standard = readFile(dataDir() + "/standard.yaml");
  const auto reloadAndCountNotes = [&](const std::string& yaml) {
    s.writeConfig(yaml);
    size_t firstLine = 0;
    auto outcome = s.reload(10s, &firstLine);
    EXPECT_TRUE(outcome.has_value() && *outcome) << s.log();
    const std::vector<std::string> lines = s.process().stderrLines();
    int notes = 0;
    for (size_t i = firstLine; i < lines.size(); ++i) {
      notes += lines[i].find(kNote) != std::string::npos ? 1 : 0;
    }
    return notes;
  };
  const std::string threeThreads = replaceAll(standard, "threads: 2\n", "threads: 3\n");
  EXPECT_EQ(reloadAndCountNotes(threeThreads), 1);
  // Still not what was bound: said again.
  EXPECT_EQ(reloadAndCountNotes(replaceAll(threeThreads, "192.0.2.100", "192.0.2.101")), 1);
  // Back to what was bound: nothing to say.
  EXPECT_EQ(reloadAndCountNotes(standard), 0);
  EXPECT_TRUE(digMatches(dig(s.v4(), {inZone("reload"), "A"}), "NOERROR", {kReload100}, {}));
}

}  // namespace
}  // namespace tmdns::e2e
