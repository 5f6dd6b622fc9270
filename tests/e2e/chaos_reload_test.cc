// Load while changing: dnsperf drives a steady query rate while the configuration is reloaded
// every 500 ms (good and broken files in turn) and probed loopback backends flap; a verifying
// client checks every answer meanwhile. Nothing is lost, nothing is wrong, RSS stays flat.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/probe_harness.h"

// The sanitized build (-DTMDNS_SANITIZE=ON) instruments the test binary and tmdns alike: the
// server is several times slower, and ASan's quarantine holds freed memory back on purpose.
#if defined(__SANITIZE_ADDRESS__)
#define TMDNS_CHAOS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TMDNS_CHAOS_SANITIZED 1
#endif
#endif
#ifndef TMDNS_CHAOS_SANITIZED
#define TMDNS_CHAOS_SANITIZED 0
#endif

namespace tmdns::e2e {
namespace {

using Mode = HttpBackend::Mode;

constexpr bool kSanitized = TMDNS_CHAOS_SANITIZED != 0;
// A rate a loaded two-core machine answers without loss: dnsperf never has more than 100
// queries outstanding, so a server that is descheduled for a while delays answers instead of
// overflowing its socket buffer (measured on the project's 2-vCPU VM at load average 5: 30,000
// q/s without loss, 10,000 under ASan). TMDNS_CHAOS_QPS / TMDNS_CHAOS_SECONDS override.
constexpr int kDefaultQps = kSanitized ? 3000 : 20000;
constexpr int kDefaultSeconds = 30;
constexpr auto kReloadEvery = 500ms;
// One flapping backend is toggled about every second, 0.7 to 1.3 s apart in a fixed sequence:
// with a fixed period, flaps, reloads (a 2 s A/B cycle) and probes (every 2 s) lock into one
// phase, and every status change would land in the same file's half of the cycle.
Clock::duration flapGap(size_t k) {
  return std::chrono::milliseconds(700 + (k * 263) % 600);
}
// "Flat": how much RSS may grow over the run beyond the warm-up's high-water mark (measured: a
// few KiB either way, at about 15 MiB). At the defaults, a leak of 140 KiB per reload or 14 bytes
// per query would exceed it. ASan keeps up to 256 MiB of freed memory in quarantine (measured:
// 72 -> 111 MiB with it, 68 -> 70 MiB with quarantine_size_mb=0), so there the numbers are only
// reported; its leak checker judges leaks at exit.
constexpr long kRssGrowthLimitKib = 8 * 1024;

int envInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return fallback;
  }
  return std::max(1, std::atoi(value));
}

// Backends: 127.0.0.2 and ::1 are always healthy; the others flap.
const std::vector<std::string> kBackends = {"127.0.0.2", "127.0.0.3", "127.0.0.4",
                                            "127.0.0.5", "127.0.0.6", "::1"};
const std::vector<size_t> kFlapping = {1, 2, 3, 4};

constexpr uint32_t kSerial = 2024010101;

// The three files the test swaps between. A and B are both valid and differ in every answer
// (TTL, SOA serial, weights, endpoints, maxReturn); Broken is B with different TTL and serial
// (so that an answer from it would show) and a weight of 0, which the validator rejects.
enum class Variant { kA, kB, kBroken };

const char* variantName(Variant v) {
  switch (v) {
    case Variant::kA:
      return "A";
    case Variant::kB:
      return "B";
    case Variant::kBroken:
      return "broken";
  }
  return "?";
}

uint32_t ttlOf(Variant v) {
  return v == Variant::kA ? 30 : v == Variant::kB ? 40 : 50;
}

uint32_t serialOf(Variant v) {
  return kSerial + (v == Variant::kA ? 0 : v == Variant::kB ? 1 : 2);
}

std::string configText(Variant v, uint16_t port) {
  const bool a = v == Variant::kA;
  const int ttl = static_cast<int>(ttlOf(v));
  const std::string monitor = monitorYaml("HTTP", port, 0);
  std::vector<std::string> prio = {endpointYaml("p1", "127.0.0.3", "priority: 1"),
                                   endpointYaml("p2", "127.0.0.2", "priority: 2")};
  std::vector<std::string> weighted;
  std::vector<std::string> multi = {
      endpointYaml("m1", "127.0.0.2"), endpointYaml("m2", "127.0.0.3"),
      endpointYaml("m3", "127.0.0.4"), endpointYaml("m4", "127.0.0.5"), endpointYaml("m6", "::1")};
  if (a) {
    weighted = {endpointYaml("w1", "127.0.0.2", "weight: 1"),
                endpointYaml("w2", "127.0.0.4", "weight: 3")};
  } else {
    prio.push_back(endpointYaml("p3", "127.0.0.5", "priority: 3"));
    weighted = {endpointYaml("w1", "127.0.0.2", v == Variant::kBroken ? "weight: 0" : "weight: 5"),
                endpointYaml("w2", "127.0.0.4", "weight: 3"),
                endpointYaml("w3", "127.0.0.5", "weight: 2")};
    multi.push_back(endpointYaml("m5", "127.0.0.6"));
  }
  std::string text = probeConfig({profileYaml("prio", "Priority", monitor, prio, "", ttl),
                                  profileYaml("weighted", "Weighted", monitor, weighted, "", ttl),
                                  profileYaml("multi", "MultiValue", monitor, multi,
                                              a ? "maxReturn: 2" : "maxReturn: 3", ttl)});
  return replaceAll(text, "serial: " + std::to_string(kSerial),
                    "serial: " + std::to_string(serialOf(v)));
}

// The queries dnsperf cycles through and the verifier asks, in this order.
struct Query {
  std::string name;
  ldns_rr_type type;
  const char* typeName;
};
const std::vector<Query> kQueries = {
    {inZone("prio"), LDNS_RR_TYPE_A, "A"},         // one of the Priority endpoints
    {inZone("weighted"), LDNS_RR_TYPE_A, "A"},     // one of the Weighted endpoints
    {inZone("multi"), LDNS_RR_TYPE_A, "A"},        // up to maxReturn IPv4 endpoints
    {inZone("multi"), LDNS_RR_TYPE_AAAA, "AAAA"},  // the IPv6 endpoint
    {inZone("prio"), LDNS_RR_TYPE_AAAA, "AAAA"},   // NODATA
    {inZone("nothing"), LDNS_RR_TYPE_A, "A"},      // NXDOMAIN
    {kZone, LDNS_RR_TYPE_SOA, "SOA"},              // the apex SOA
};
constexpr size_t kNxdomainQuery = 5;

std::string soaRdata(Variant v) {
  return "ns1.tm.example.test. hostmaster.example.test. " + std::to_string(serialOf(v)) +
         " 3600 600 86400 30";
}

// What a correct response to query `q` served from file `v` looks like.
struct Expected {
  int rcode = LDNS_RCODE_NOERROR;
  std::string type;            // of every answer record
  uint32_t ttl = 0;            // of every answer record
  std::set<std::string> pool;  // the rdatas the answer may hold (distinct)
  size_t minCount = 0;
  size_t maxCount = 0;
  std::vector<Rr> authority;
};

Expected expected(Variant v, size_t q) {
  const bool a = v == Variant::kA;
  const Rr negativeSoa = Rr::of(kZone + " 30 IN SOA " + soaRdata(v));
  Expected e;
  switch (q) {
    case 0:
      // p2 (127.0.0.2) never fails and outranks B's p3: p3 is in B but never the answer.
      e = {LDNS_RCODE_NOERROR, "A", ttlOf(v), {"127.0.0.3", "127.0.0.2"}, 1, 1, {}};
      break;
    case 1:
      e = {LDNS_RCODE_NOERROR, "A", ttlOf(v), {"127.0.0.2", "127.0.0.4"}, 1, 1, {}};
      if (!a) {
        e.pool.insert("127.0.0.5");
      }
      break;
    case 2:
      e = {LDNS_RCODE_NOERROR,
           "A",
           ttlOf(v),
           {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"},
           1,
           a ? 2u : 3u,
           {}};
      if (!a) {
        e.pool.insert("127.0.0.6");
      }
      break;
    case 3:
      e = {LDNS_RCODE_NOERROR, "AAAA", ttlOf(v), {"::1"}, 1, 1, {}};
      break;
    case 4:
      e = {LDNS_RCODE_NOERROR, "", 0, {}, 0, 0, {negativeSoa}};
      break;
    case 5:
      e = {LDNS_RCODE_NXDOMAIN, "", 0, {}, 0, 0, {negativeSoa}};
      break;
    case 6:
      e = {LDNS_RCODE_NOERROR, "SOA", 3600, {soaRdata(v)}, 1, 1, {}};
      break;
  }
  return e;
}

// Empty when `m` is a correct response to query `q` with id `id` from file `v`, else what is
// wrong with it.
std::string mismatch(const Message& m, size_t q, uint16_t id, Variant v) {
  const Query& query = kQueries[q];
  const Expected e = expected(v, q);
  std::ostringstream why;
  if (m.id != id || !m.qr || !m.aa || m.tc || m.ra || m.z || m.opcode != 0) {
    why << "header: id " << m.id << " (sent " << id << "), qr " << m.qr << ", aa " << m.aa
        << ", tc " << m.tc << ", ra " << m.ra << ", z " << m.z << ", opcode " << m.opcode;
  } else if (m.qdcount != 1 || m.qname != query.name || m.qtype != query.type || m.qclass != 1) {
    why << "question: " << m.qdcount << " x " << m.qname << " type " << m.qtype << " class "
        << m.qclass;
  } else if (m.rcode != e.rcode) {
    why << "rcode " << m.rcode << ", expected " << e.rcode;
  } else if (m.ancount != m.answer.size() || m.nscount != m.authority.size() || m.arcount != 0 ||
             !m.additional.empty() || m.hasOpt) {
    why << "counts: an " << m.ancount << ", ns " << m.nscount << ", ar " << m.arcount;
  } else if (m.answer.size() < e.minCount || m.answer.size() > e.maxCount) {
    why << m.answer.size() << " answer records, expected " << e.minCount << ".." << e.maxCount;
  } else if (sorted(m.authority) != sorted(e.authority)) {
    why << "authority differs";
  } else {
    std::set<std::string> seen;
    for (const Rr& rr : m.answer) {
      if (rr.name != query.name || rr.cls != "IN" || rr.type != e.type || rr.ttl != e.ttl ||
          !e.pool.count(rr.rdata) || !seen.insert(rr.rdata).second) {
        why << "answer record not allowed: " << rr;
        break;
      }
    }
  }
  if (why.tellp() == 0) {
    return "";
  }
  std::ostringstream out;
  out << query.name << " " << query.typeName << " (as file " << variantName(v)
      << " says): " << why.str() << "; answer:";
  for (const Rr& rr : m.answer) {
    out << " [" << rr << "]";
  }
  return out.str();
}

// Sends one query and waits up to 2 s for the response with its id; answers to earlier queries
// that arrive late are skipped.
std::optional<Message> exchange(UdpSocket& socket, size_t q, uint16_t id) {
  QueryOptions o;
  o.id = id;
  if (!socket.send(buildQuery(kQueries[q].name, kQueries[q].type, o))) {
    return std::nullopt;
  }
  const auto deadline = Clock::now() + 2s;
  while (auto wire = socket.receive(deadline)) {
    std::string error;
    auto m = decode(*wire, error);
    if (m && m->id == id) {
      return m;
    }
  }
  return std::nullopt;
}

// What the verifier saw.
struct Verified {
  size_t checks = 0;
  size_t wrong = 0;
  size_t lost = 0;
  size_t fromA = 0;
  size_t fromB = 0;
  size_t switches = 0;                // changes between A and B from one response to the next
  std::vector<std::string> problems;  // the first few
};

// A client asking every query of kQueries in turn, about one per millisecond, one at a time,
// checking each response against files A and B: every response must be exactly right for one
// of them. Since queries go one at a time, the file a response comes from may only change when
// a good reload happened in between.
class Verifier {
 public:
  explicit Verifier(Address server) : server_(std::move(server)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Verifier() { finish(); }
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Stops the client; what it saw.
  const Verified& finish() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
    return seen_;
  }

 private:
  void problem(const std::string& what) {
    if (seen_.problems.size() < 10) {
      seen_.problems.push_back(what);
    }
  }

  void run() {
    UdpSocket socket(server_);
    uint16_t id = 0;
    std::optional<Variant> last;
    auto next = Clock::now();
    for (size_t i = 0; !stop_; ++i) {
      next += 1ms;
      std::this_thread::sleep_until(next);
      const size_t q = i % kQueries.size();
      ++id;
      auto m = exchange(socket, q, id);
      ++seen_.checks;
      if (!m) {
        ++seen_.lost;
        problem(kQueries[q].name + " " + kQueries[q].typeName + ": no response within 2 s");
        next = Clock::now();
        continue;
      }
      std::optional<Variant> from;
      std::string whyA = mismatch(*m, q, id, Variant::kA);
      if (whyA.empty()) {
        from = Variant::kA;
        ++seen_.fromA;
      } else if (mismatch(*m, q, id, Variant::kB).empty()) {
        from = Variant::kB;
        ++seen_.fromB;
      } else {
        ++seen_.wrong;
        problem(whyA + " / " + mismatch(*m, q, id, Variant::kB));
        continue;
      }
      if (last && *last != *from) {
        ++seen_.switches;
      }
      last = from;
    }
  }

  Address server_;
  std::atomic<bool> stop_{false};
  Verified seen_;  // written by the thread only until finish() joins it
  std::thread thread_;
};

long rssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atol(line.c_str() + 6);
    }
  }
  return -1;
}

// dnsperf's closing statistics.
struct PerfStats {
  long sent = -1;
  long completed = -1;
  long lost = -1;
  double qps = 0;
  std::map<std::string, long> rcodes;
};

std::optional<PerfStats> parseDnsperf(const std::string& out) {
  PerfStats s;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"(Queries sent:\s+(\d+))"))) {
    s.sent = std::stol(m[1]);
  }
  if (std::regex_search(out, m, std::regex(R"(Queries completed:\s+(\d+))"))) {
    s.completed = std::stol(m[1]);
  }
  if (std::regex_search(out, m, std::regex(R"(Queries lost:\s+(\d+))"))) {
    s.lost = std::stol(m[1]);
  }
  if (std::regex_search(out, m, std::regex(R"(Queries per second:\s+([0-9.]+))"))) {
    s.qps = std::stod(m[1]);
  }
  if (std::regex_search(out, m, std::regex(R"(Response codes:\s+([^\n]*))"))) {
    const std::string list = m[1];
    const std::regex item(R"(([A-Z]+) (\d+) \()");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), item);
         it != std::sregex_iterator(); ++it) {
      s.rcodes[(*it)[1]] = std::stol((*it)[2]);
    }
  }
  if (s.sent < 0 || s.completed < 0 || s.lost < 0) {
    return std::nullopt;
  }
  return s;
}

// One reload of the loop: what was written and what the server said.
struct Reload {
  Variant wrote;
  std::optional<bool> outcome;
};

// What one phase (dnsperf run with reloads and flapping around it) saw.
struct Phase {
  std::optional<PerfStats> perf;
  std::string perfOutput;
  std::vector<Reload> reloads;
  size_t staleAfterReload = 0;  // an SOA right after a reload not from the file now served
  std::vector<std::string> staleProblems;
  int flaps = 0;
  long peakRssKib = 0;
};

class ChaosRun {
 public:
  ChaosRun(Server& server, BackendGroup& backends, std::string queryFile)
      : server_(server), backends_(backends), queryFile_(std::move(queryFile)) {}

  Variant served() const { return served_; }

  // dnsperf for `runSeconds` at `qps`; meanwhile a reload every kReloadEvery (broken, B, broken,
  // A, ...) and one flapping backend toggled after each flapGap().
  Phase run(int runSeconds, int qps) {
    Phase phase;
    Process perf;
    std::string error;
    const auto began = Clock::now();
    const std::vector<std::string> argv = {"dnsperf",
                                           "-s",
                                           server_.v4().host,
                                           "-p",
                                           std::to_string(server_.v4().port),
                                           "-d",
                                           queryFile_,
                                           "-l",
                                           std::to_string(runSeconds),
                                           "-Q",
                                           std::to_string(qps),
                                           "-T",
                                           "1",
                                           "-c",
                                           "4",
                                           "-q",
                                           "100",
                                           "-t",
                                           "2"};
    if (!perf.start(argv, error)) {
      ADD_FAILURE() << "cannot start dnsperf (scripts/install-deps.sh installs it): " << error;
      return phase;
    }
    std::atomic<bool> stopFlapping{false};
    std::thread flapper([&] {
      // In turn: each flapping backend changes about every 4 s, two probe intervals, so every
      // change is seen by a probe.
      auto next = Clock::now();
      for (size_t k = flapCursor_; !stopFlapping; ++k) {
        next += flapGap(k);
        while (!stopFlapping && Clock::now() < next) {
          std::this_thread::sleep_for(20ms);
        }
        if (stopFlapping) {
          flapCursor_ = k;
          break;
        }
        const size_t b = kFlapping[k % kFlapping.size()];
        down_[b] = !down_[b];
        backends_[b].setMode(down_[b] ? Mode::k503 : Mode::k200);
        ++phase.flaps;
      }
    });
    const auto end = began + std::chrono::seconds(runSeconds);
    UdpSocket socket(server_.v4());
    for (int i = 1;; ++i) {
      const auto tick = began + i * kReloadEvery;
      if (tick >= end) {
        break;
      }
      std::this_thread::sleep_until(tick);
      ++reloadCount_;
      const Variant wrote = reloadCount_ % 2 == 1   ? Variant::kBroken
                            : reloadCount_ % 4 == 2 ? Variant::kB
                                                    : Variant::kA;
      server_.writeConfig(configText(wrote, backends_.port()));
      const auto outcome = server_.reload(10s);
      phase.reloads.push_back({wrote, outcome});
      if (outcome && *outcome) {
        served_ = wrote;
      }
      // The "reloaded" line is logged once the new snapshot is published, and a rejected file
      // leaves the old one: either way the next answer comes from served_.
      const uint16_t id = static_cast<uint16_t>(reloadCount_);
      auto m = exchange(socket, 6, id);
      const std::string why =
          m ? mismatch(*m, 6, id, served_) : std::string("no response within 2 s");
      if (!why.empty()) {
        ++phase.staleAfterReload;
        if (phase.staleProblems.size() < 10) {
          phase.staleProblems.push_back("after reload " + std::to_string(reloadCount_) + " (" +
                                        variantName(wrote) + "): " + why);
        }
      }
      phase.peakRssKib = std::max(phase.peakRssKib, rssKib(server_.process().pid()));
    }
    const auto status = perf.waitExit(std::chrono::seconds(runSeconds) + 30s);
    stopFlapping = true;
    flapper.join();
    if (!status) {
      ADD_FAILURE() << "dnsperf did not finish";
      perf.kill();
    }
    perf.waitOutputClosed(5s);
    phase.perfOutput = perf.stdoutText() + perf.stderrText();
    if (status && !status->exitedWith(0)) {
      ADD_FAILURE() << "dnsperf " << status->describe() << ":\n" << phase.perfOutput;
    }
    phase.perf = parseDnsperf(phase.perfOutput);
    return phase;
  }

 private:
  Server& server_;
  BackendGroup& backends_;
  std::string queryFile_;
  Variant served_ = Variant::kA;
  int reloadCount_ = 0;
  size_t flapCursor_ = 0;
  std::vector<bool> down_ = std::vector<bool>(kBackends.size(), false);
};

// Every expectation on one phase's dnsperf run and reloads.
void expectPhase(const Phase& phase, int qps, int runSeconds, const char* what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(phase.perf.has_value()) << "cannot parse dnsperf's output:\n" << phase.perfOutput;
  const PerfStats& p = *phase.perf;
  EXPECT_EQ(p.lost, 0) << phase.perfOutput;
  EXPECT_EQ(p.completed, p.sent) << phase.perfOutput;
  // The run really was load: at least half the asked rate went out (dnsperf holds back only
  // when 100 queries are outstanding, i.e. when the server falls behind).
  EXPECT_GE(p.sent, static_cast<long>(qps) * runSeconds / 2) << phase.perfOutput;
  // dnsperf sends the file's lines in order, round and round: the k-th query (from 0) is line
  // k mod 7, and only line kNxdomainQuery is NXDOMAIN.
  const long n = static_cast<long>(kQueries.size());
  const long nxdomain = p.sent / n + (p.sent % n > static_cast<long>(kNxdomainQuery) ? 1 : 0);
  EXPECT_EQ(p.rcodes,
            (std::map<std::string, long>{{"NOERROR", p.sent - nxdomain}, {"NXDOMAIN", nxdomain}}))
      << phase.perfOutput;
  EXPECT_EQ(phase.staleAfterReload, 0u) << ::testing::PrintToString(phase.staleProblems);
  for (size_t i = 0; i < phase.reloads.size(); ++i) {
    const Reload& r = phase.reloads[i];
    ASSERT_TRUE(r.outcome.has_value()) << "reload " << i;
    EXPECT_EQ(*r.outcome, r.wrote != Variant::kBroken)
        << "reload " << i << " of file " << variantName(r.wrote);
  }
}

TEST(ChaosReload, SteadyLoadWhileReloadingAndFlapping) {
  const int qps = envInt("TMDNS_CHAOS_QPS", kDefaultQps);
  const int runSeconds = envInt("TMDNS_CHAOS_SECONDS", kDefaultSeconds);
  const auto testBegan = Clock::now();

  BackendGroup backends(kBackends);
  ASSERT_TRUE(backends.ok()) << "cannot listen on one port of 127.0.0.2-6 and ::1";
  Server s;
  s.writeConfig(configText(Variant::kA, backends.port()));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  const uint64_t firstGeneration = s.generation();
  for (const std::string label : {"prio/p1", "prio/p2", "weighted/w1", "weighted/w2", "multi/m1",
                                  "multi/m2", "multi/m3", "multi/m4", "multi/m6"}) {
    ASSERT_TRUE(
        loggedWithin(s, statusLine(label, "CheckingEndpoint", "Online", "HTTP 200"), started, 0));
  }
  for (size_t q = 0; q < kQueries.size(); ++q) {
    auto m = ask(s.v4(), kQueries[q].name, kQueries[q].type);
    ASSERT_TRUE(m);
    EXPECT_EQ(mismatch(*m, q, m->id, Variant::kA), "");
  }

  std::string queries;
  for (const Query& q : kQueries) {
    queries += q.name + " " + q.typeName + "\n";
  }
  const std::string queryFile = s.dir().write("queries.txt", queries);
  ChaosRun chaos(s, backends, queryFile);
  const pid_t pid = s.process().pid();

  // Warm-up: the same mix for a few seconds, so that allocator arenas, probe state and socket
  // buffers have reached their working size before RSS is read.
  const int warmupSeconds = 4;
  Verifier warmupVerifier(s.v4());
  const Phase warmup = chaos.run(warmupSeconds, qps);
  const Verified& warmupSeen = warmupVerifier.finish();
  expectPhase(warmup, qps, warmupSeconds, "warm-up");
  EXPECT_EQ(warmupSeen.wrong, 0u) << ::testing::PrintToString(warmupSeen.problems);
  EXPECT_EQ(warmupSeen.lost, 0u) << ::testing::PrintToString(warmupSeen.problems);
  const long rssBefore = rssKib(pid);
  const long peakBefore = std::max(rssBefore, warmup.peakRssKib);
  const size_t logFrom = s.process().stderrLines().size();

  Verifier verifier(s.v4());
  const Phase main = chaos.run(runSeconds, qps);
  const Verified& verified = verifier.finish();
  const long rssAfter = rssKib(pid);
  ASSERT_TRUE(s.process().running()) << s.log();
  expectPhase(main, qps, runSeconds, "main run");

  // Every response the verifier saw was right for file A or file B, none went missing, and the
  // file it came from changed no more often than a good reload happened (a stale generation
  // after a newer one would add changes).
  size_t good = 0;
  size_t rejected = 0;
  for (const Reload& r : main.reloads) {
    (r.wrote == Variant::kBroken ? rejected : good) += 1;
  }
  EXPECT_EQ(verified.wrong, 0u) << ::testing::PrintToString(verified.problems);
  EXPECT_EQ(verified.lost, 0u) << ::testing::PrintToString(verified.problems);
  EXPECT_GE(verified.checks, static_cast<size_t>(runSeconds) * 100);
  EXPECT_GT(verified.fromA, 0u);
  EXPECT_GT(verified.fromB, 0u);
  EXPECT_LE(verified.switches, good);
  // A reload every 500 ms, half of them broken.
  const size_t planned = static_cast<size_t>(runSeconds) * 2 - 1;
  EXPECT_GE(main.reloads.size() + 2, planned);
  EXPECT_LE(rejected, good + 1);
  EXPECT_GE(rejected + 1, good);

  // The log agrees: every reload's outcome line in order, each rejection with one error (the
  // weight) and the generation of the last good reload still serving.
  const auto lines = s.process().stderrLines();
  const std::regex reloaded(kReloadedPattern);
  const std::regex rejectedLine(kRejectedPattern);
  std::vector<bool> outcomes;
  uint64_t generation = firstGeneration;
  size_t weightErrors = 0;
  size_t degradedLines = 0;
  size_t onlineLines = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_search(lines[i], m, reloaded)) {
      const uint64_t g = std::stoull(m[1]);
      EXPECT_EQ(g, generation + 1) << lines[i];
      generation = g;
      if (i >= logFrom) {
        outcomes.push_back(true);
      }
    } else if (std::regex_search(lines[i], m, rejectedLine)) {
      EXPECT_EQ(m[1].str(), "1") << lines[i];
      EXPECT_EQ(std::stoull(m[2]), generation) << lines[i];
      if (i >= logFrom) {
        outcomes.push_back(false);
      }
    } else if (i >= logFrom && lines[i].find("weight: must be 1..1000") != std::string::npos) {
      ++weightErrors;
    } else if (i >= logFrom && lines[i].find(" -> Degraded (") != std::string::npos) {
      ++degradedLines;
    } else if (i >= logFrom && lines[i].find(" -> Online (") != std::string::npos) {
      ++onlineLines;
    }
  }
  std::vector<bool> wanted;
  for (const Reload& r : main.reloads) {
    wanted.push_back(r.wrote != Variant::kBroken);
  }
  EXPECT_EQ(outcomes, wanted);
  EXPECT_EQ(generation, s.generation());
  EXPECT_EQ(weightErrors, rejected) << s.log();
  // The backends really flapped and the prober saw it.
  EXPECT_GE(degradedLines, 3u) << s.log();
  EXPECT_GE(onlineLines, 3u) << s.log();

  // Memory: flat over the run.
  ASSERT_GT(rssBefore, 0);
  ASSERT_GT(rssAfter, 0);
  if (!kSanitized) {
    EXPECT_LT(rssAfter - peakBefore, kRssGrowthLimitKib)
        << "RSS " << rssBefore << " KiB after the warm-up (peak " << peakBefore << " KiB), "
        << rssAfter << " KiB after the run";
  }

  // Every backend healthy again: the file served last answers exactly as it says.
  for (size_t b = 0; b < kBackends.size(); ++b) {
    backends[b].setMode(Mode::k200);
  }
  const Variant last = chaos.served();
  const Expected multi = expected(last, 2);
  // Endpoints with the same target and monitor settings share one probe, and a reload keeps the
  // probe's status: B's p3 and w3 (127.0.0.5) take m4's and their changes are logged under
  // their names only while B is served, so m4's lines tell 127.0.0.5's status. 127.0.0.6 is
  // only in B: m5's probe starts afresh (CheckingEndpoint, served) with every B.
  std::vector<std::string> labels = {"prio/p1",     "prio/p2",  "weighted/w1",
                                     "weighted/w2", "multi/m1", "multi/m2",
                                     "multi/m3",    "multi/m4", "multi/m6"};
  if (last == Variant::kB) {
    labels.push_back("multi/m5");
  }
  // Healed: no probe's last logged change is to Degraded. A 503 answered just before the reset
  // may still be logged a moment later: look after every probe then in flight has timed out.
  std::this_thread::sleep_for(std::chrono::seconds(kTimeout) + 1s);
  auto healed = [&] {
    for (const auto& label : labels) {
      const auto changes = statusLines(s, label);
      if (!changes.empty() && changes.back().find("-> Degraded") != std::string::npos) {
        return false;
      }
    }
    return true;
  };
  const auto deadline = Clock::now() + waitLimit(0);
  while (!healed() && Clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(healed()) << s.log();
  const std::string t = std::to_string(ttlOf(last));
  EXPECT_TRUE(answers(s.v4(), inZone("prio"), LDNS_RR_TYPE_A,
                      {Rr::of(inZone("prio") + " " + t + " IN A 127.0.0.3")}));
  EXPECT_TRUE(answers(s.v4(), inZone("multi"), LDNS_RR_TYPE_AAAA,
                      {Rr::of(inZone("multi") + " " + t + " IN AAAA ::1")}));
  EXPECT_TRUE(
      answers(s.v4(), kZone, LDNS_RR_TYPE_SOA, {Rr::of(kZone + " 3600 IN SOA " + soaRdata(last))}));
  EXPECT_TRUE(negative(s.v4(), inZone("nothing"), LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN,
                       {Rr::of(kZone + " 30 IN SOA " + soaRdata(last))}));
  UdpSocket socket(s.v4());
  std::map<std::string, int> weighted;
  std::map<size_t, int> multiCounts;
  for (uint16_t id = 1; id <= 400; ++id) {
    for (const size_t q : {size_t{1}, size_t{2}}) {
      auto m = exchange(socket, q, id);
      ASSERT_TRUE(m) << kQueries[q].name << ": no response";
      ASSERT_EQ(mismatch(*m, q, id, last), "");
      if (q == 1) {
        ++weighted[m->answer[0].rdata];
      } else {
        ++multiCounts[m->answer.size()];
      }
    }
  }
  // Every weighted endpoint of the file turns up (the least likely one, weight 1 of 4 or 2 of
  // 10, misses 400 queries with a probability below 1e-38), and MultiValue always answers
  // maxReturn of its healthy addresses.
  EXPECT_EQ(weighted.size(), expected(last, 1).pool.size()) << ::testing::PrintToString(weighted);
  EXPECT_EQ(multiCounts, (std::map<size_t, int>{{multi.maxCount, 400}}));

  std::ostringstream summary;
  PerfStats perf = main.perf.value_or(PerfStats{});
  summary << "chaos summary: " << runSeconds << " s at -Q " << qps << (kSanitized ? " (ASan)" : "")
          << ": dnsperf sent " << perf.sent << ", completed " << perf.completed << ", lost "
          << perf.lost << ", " << static_cast<long>(perf.qps) << " q/s (NOERROR "
          << perf.rcodes["NOERROR"] << ", NXDOMAIN " << perf.rcodes["NXDOMAIN"] << "); reloads "
          << main.reloads.size() << " (" << good << " reloaded, " << rejected
          << " rejected), served file checked after each: " << main.staleAfterReload
          << " stale; backend flips " << main.flaps << " (" << degradedLines << " -> Degraded, "
          << onlineLines << " -> Online); verifier " << verified.checks << " checks, "
          << verified.wrong << " wrong, " << verified.lost << " lost (" << verified.fromA
          << " from A, " << verified.fromB << " from B, " << verified.switches << " switches); RSS "
          << rssBefore << " KiB before, " << rssAfter << " KiB after (warm-up peak " << peakBefore
          << ", run peak " << main.peakRssKib << "); wall time "
          << static_cast<int>(seconds(Clock::now() - testBegan)) << " s";
  std::cout << summary.str() << std::endl;
  RecordProperty("chaos_summary", summary.str());
  RecordProperty("rss_before_kib", std::to_string(rssBefore));
  RecordProperty("rss_after_kib", std::to_string(rssAfter));
}

}  // namespace
}  // namespace tmdns::e2e
