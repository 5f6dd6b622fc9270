// Health-probe e2e helpers: configurations with probing on, loopback backend groups, status-line
// and answer waits with the §4.2 detection bound.
#include "tests/e2e/probe_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "tests/e2e/expect.h"

namespace tmdns::e2e {
namespace {

std::string regexEscape(const std::string& text) {
  static const std::string special = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : text) {
    if (special.find(c) != std::string::npos) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string describe(const Message& m) {
  std::ostringstream os;
  os << "rcode " << m.rcode << ", answer:";
  for (const auto& rr : m.answer) {
    os << "\n  " << rr;
  }
  if (m.answer.empty()) {
    os << " (none)";
  }
  return os.str();
}

// The answer section's rdatas, sorted and joined by ",".
std::string answerKey(const Message& m) {
  std::vector<std::string> rdatas;
  for (const auto& rr : m.answer) {
    rdatas.push_back(rr.rdata);
  }
  std::sort(rdatas.begin(), rdatas.end());
  std::string key;
  for (const auto& r : rdatas) {
    key += (key.empty() ? "" : ",") + r;
  }
  return key;
}

bool loopbackTarget(const std::string& target) {
  in_addr v4{};
  if (inet_pton(AF_INET, target.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, target.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  const std::string zone = ".probe.test";
  return target.size() > zone.size() &&
         target.compare(target.size() - zone.size(), zone.size(), zone) == 0;
}

}  // namespace

Clock::duration detectionBound(int tolerated) {
  return std::chrono::seconds(kInterval * (tolerated + 1) + kTimeout) + kMargin;
}

Clock::duration waitLimit(int tolerated) {
  return 2 * detectionBound(tolerated) + 10s;
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string monitorYaml(const std::string& protocol, uint16_t port, int tolerated,
                        const std::string& extra) {
  return "{protocol: " + protocol + ", port: " + std::to_string(port) +
         ", intervalInSeconds: " + std::to_string(kInterval) +
         ", timeoutInSeconds: " + std::to_string(kTimeout) +
         ", toleratedNumberOfFailures: " + std::to_string(tolerated) + extra + "}";
}

std::string endpointYaml(const std::string& name, const std::string& target,
                         const std::string& extra) {
  if (!loopbackTarget(target)) {
    throw std::invalid_argument("probe target " + target + " is not on loopback");
  }
  return "{name: " + name + ", type: externalEndpoints, properties: {target: \"" + target + "\"" +
         (extra.empty() ? "" : ", " + extra) + "}}";
}

std::string profileYaml(const std::string& name, const std::string& method,
                        const std::string& monitor, const std::vector<std::string>& endpoints,
                        const std::string& extraProperties, int ttl) {
  std::string out = "      - name: " + name + "\n        properties:\n";
  out += "          trafficRoutingMethod: " + method + "\n";
  out += "          dnsConfig: {relativeName: " + name + ", ttl: " + std::to_string(ttl) + "}\n";
  out += "          monitorConfig: " + monitor + "\n";
  std::istringstream extra(extraProperties);
  for (std::string line; std::getline(extra, line);) {
    out += "          " + line + "\n";
  }
  out += "          endpoints:\n";
  for (const auto& e : endpoints) {
    out += "            - " + e + "\n";
  }
  return out;
}

std::string probeConfig(const std::vector<std::string>& profiles, const std::string& probesExtra,
                        const std::vector<std::string>& records) {
  // Network safety: every probe target of these tests is a loopback address or a name that
  // only a loopback resolver (given in probesExtra) knows.
  std::string out =
      "listen: [\"127.0.0.1:0\"]\n"
      "threads: 1\n"
      "probes: {enabled: true, user_agent: tmdns-e2e-probe" +
      probesExtra +
      "}\n"
      "zones:\n"
      "  - name: tm.example.test\n"
      "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 2024010101,\n"
      "          refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}\n"
      "    ns: [ns1.tm.example.test, ns2.tm.example.test]\n";
  if (!records.empty()) {
    out += "    records:\n";
    for (const auto& r : records) {
      out += "      - \"" + r + "\"\n";
    }
  }
  out += "    profiles:\n";
  for (const auto& p : profiles) {
    out += p;
  }
  return out;
}

BackendGroup::BackendGroup(std::vector<std::string> addresses) : addresses_(std::move(addresses)) {
  // The first address picks a free port; the others must get the same one. Another process may
  // hold it on one of them, so try a few times.
  for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
    backends_.clear();
    backends_.push_back(std::make_unique<HttpBackend>(addresses_.at(0), 0));
    const uint16_t port = backends_[0]->port();
    bool all = port != 0;
    for (size_t i = 1; all && i < addresses_.size(); ++i) {
      backends_.push_back(std::make_unique<HttpBackend>(addresses_[i], port));
      all = backends_.back()->port() == port;
    }
    if (all) {
      port_ = port;
    }
  }
}

::testing::AssertionResult BackendGroup::reopen(size_t i) {
  backends_.at(i) = std::make_unique<HttpBackend>(addresses_.at(i), port_);
  if (backends_[i]->port() != port_) {
    return ::testing::AssertionFailure()
           << "cannot listen on " << addresses_[i] << ":" << port_ << " again";
  }
  return ::testing::AssertionSuccess();
}

int BackendGroup::requestsContaining(size_t i, const std::string& needle) {
  int n = 0;
  for (const auto& r : backends_.at(i)->requests()) {
    if (r.find(needle) != std::string::npos) {
      ++n;
    }
  }
  return n;
}

std::string statusLine(const std::string& label, const std::string& from, const std::string& to,
                       const std::string& reason) {
  return "tmdns: " + label + ": " + from + " -> " + to + " (" + reason + ")";
}

std::vector<std::string> statusLines(Server& server, const std::string& label) {
  const std::string prefix = "tmdns: " + label + ": ";
  std::vector<std::string> out;
  for (const auto& line : server.process().stderrLines()) {
    if (line.rfind(prefix, 0) == 0 && line.find(" -> ") != std::string::npos) {
      out.push_back(line);
    }
  }
  return out;
}

::testing::AssertionResult loggedWithin(Server& server, const std::string& line,
                                        Clock::time_point since, int tolerated, size_t from,
                                        size_t* index) {
  const std::regex pattern("^" + regexEscape(line) + "$");
  const auto remaining = since + waitLimit(tolerated) - Clock::now();
  auto m = server.process().waitForStderr(pattern, std::max<Clock::duration>(remaining, 0s), from,
                                          index);
  const auto elapsed = Clock::now() - since;
  if (!m) {
    return ::testing::AssertionFailure()
           << "'" << line << "' not logged within " << seconds(elapsed) << " s; stderr:\n"
           << server.log();
  }
  if (elapsed > detectionBound(tolerated)) {
    return ::testing::AssertionFailure()
           << "'" << line << "' logged after " << seconds(elapsed) << " s, more than interval "
           << kInterval << " s x (tolerated " << tolerated << " + 1) + timeout " << kTimeout
           << " s + margin " << seconds(kMargin) << " s = " << seconds(detectionBound(tolerated))
           << " s";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult answers(const Address& server, const std::string& name,
                                   ldns_rr_type type, const std::vector<Rr>& answer) {
  auto m = ask(server, name, type);
  if (!m) {
    return ::testing::AssertionFailure() << "no usable response for " << name;
  }
  auto r = messageMatches(*m, LDNS_RCODE_NOERROR, answer, {});
  if (!r) {
    return ::testing::AssertionFailure() << name << " type " << type << ": " << r.message();
  }
  return r;
}

::testing::AssertionResult negative(const Address& server, const std::string& name,
                                    ldns_rr_type type, int rcode,
                                    const std::vector<Rr>& authority) {
  auto m = ask(server, name, type);
  if (!m) {
    return ::testing::AssertionFailure() << "no usable response for " << name;
  }
  auto r = messageMatches(*m, rcode, {}, authority);
  if (!r) {
    return ::testing::AssertionFailure() << name << " type " << type << ": " << r.message();
  }
  return r;
}

::testing::AssertionResult answerChangesWithin(const Address& server, const std::string& name,
                                               ldns_rr_type type, const std::vector<Rr>& from,
                                               const std::vector<Rr>& to, Clock::time_point since,
                                               int tolerated) {
  const auto deadline = since + waitLimit(tolerated);
  auto show = [](const std::vector<Rr>& rrs) {
    std::ostringstream os;
    for (const auto& rr : rrs) {
      os << "\n  " << rr;
    }
    return os.str();
  };
  for (;;) {
    auto wire = exchangeUdp(server, buildQuery(name, type), 2s);
    if (!wire) {
      return ::testing::AssertionFailure() << name << ": no response within 2 s";
    }
    std::string error;
    auto m = decode(*wire, error);
    if (!m) {
      return ::testing::AssertionFailure() << name << ": undecodable response: " << error;
    }
    if (messageMatches(*m, LDNS_RCODE_NOERROR, to, {})) {
      const auto elapsed = Clock::now() - since;
      if (elapsed > detectionBound(tolerated)) {
        return ::testing::AssertionFailure()
               << name << ": the answer changed after " << seconds(elapsed)
               << " s, more than the bound " << seconds(detectionBound(tolerated)) << " s";
      }
      return ::testing::AssertionSuccess();
    }
    if (!messageMatches(*m, LDNS_RCODE_NOERROR, from, {})) {
      return ::testing::AssertionFailure() << name << ": while changing from" << show(from)
                                           << "\nto" << show(to) << "\ngot " << describe(*m);
    }
    if (Clock::now() >= deadline) {
      return ::testing::AssertionFailure()
             << name << ": still" << show(from) << "\nafter " << seconds(Clock::now() - since)
             << " s, expected" << show(to);
    }
    std::this_thread::sleep_for(20ms);
  }
}

std::map<std::string, int> tally(const Address& server, const std::string& name, ldns_rr_type type,
                                 int count) {
  std::map<std::string, int> counts;
  UdpSocket socket(server);
  for (int i = 0; i < count; ++i) {
    QueryOptions o;
    o.id = static_cast<uint16_t>(i);
    if (!socket.send(buildQuery(name, type, o))) {
      ++counts["<error>"];
      continue;
    }
    std::optional<Message> m;
    const auto deadline = Clock::now() + 2s;
    while (auto wire = socket.receive(deadline)) {
      std::string error;
      m = decode(*wire, error);
      if (m && m->id == o.id) {
        break;
      }
      m.reset();  // a late answer to an earlier query
    }
    if (!m || m->rcode != LDNS_RCODE_NOERROR || !m->aa) {
      ++counts["<error>"];
      continue;
    }
    ++counts[answerKey(*m)];
  }
  return counts;
}

AnswerRecorder::AnswerRecorder(Address server, std::string name)
    : server_(std::move(server)), name_(std::move(name)) {
  thread_ = std::thread([this] { run(); });
}

AnswerRecorder::~AnswerRecorder() {
  stop();
}

void AnswerRecorder::stop() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

size_t AnswerRecorder::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

std::map<std::string, int> AnswerRecorder::seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

void AnswerRecorder::run() {
  UdpSocket socket(server_);
  uint16_t id = 0;
  while (!stop_) {
    ++id;
    QueryOptions o;
    o.id = id;
    std::string what;
    if (!socket.send(buildQuery(name_, LDNS_RR_TYPE_A, o))) {
      what = "<send failed>";
    } else {
      std::optional<Message> m;
      const auto deadline = Clock::now() + 2s;
      while (auto wire = socket.receive(deadline)) {
        std::string error;
        m = decode(*wire, error);
        if (m && m->id == id) {
          break;
        }
        m.reset();
      }
      if (!m) {
        what = "<no response>";
      } else if (m->rcode != LDNS_RCODE_NOERROR || !m->aa || m->answer.size() != 1) {
        what = "<rcode " + std::to_string(m->rcode) + ", " + std::to_string(m->answer.size()) +
               " answers>";
      } else {
        what = m->answer[0].type + " " + m->answer[0].rdata;
      }
    }
    {
      std::lock_guard lock(mu_);
      ++seen_[what];
      ++count_;
    }
    std::this_thread::sleep_for(2ms);
  }
}

}  // namespace tmdns::e2e
