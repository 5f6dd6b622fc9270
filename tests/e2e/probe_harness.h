// Health-probe e2e helpers: configurations with probing on, loopback backend groups, status-line
// and answer waits with the §4.2 detection bound.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/harness.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::e2e {

using probes::testing::HttpBackend;
using probes::testing::TlsBackend;

// Every probe test probes at the validator's minimum interval with a one-second timeout.
inline constexpr int kInterval = 2;
inline constexpr int kTimeout = 1;
// Slack for a loaded two-core machine on top of the §4.2 worst case.
inline constexpr Clock::duration kMargin = 3s;

// §4.2 worst-case detection: interval × (tolerated + 1) + timeout, plus kMargin.
Clock::duration detectionBound(int tolerated);
// How long the helpers keep waiting before giving up: well past the bound, so that a slow
// transition is reported with its actual delay rather than as "never".
Clock::duration waitLimit(int tolerated);
double seconds(Clock::duration d);

// `monitorConfig: {...}` (YAML flow mapping) with kInterval, kTimeout and `tolerated`; `extra` is
// appended inside the braces (", path: /x, customHeaders: [...]").
std::string monitorYaml(const std::string& protocol, uint16_t port, int tolerated,
                        const std::string& extra = "");

// One external endpoint as a YAML flow mapping; `extra` goes inside its properties. Network
// safety: the target must be a loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z) or a name
// under probe.test (which only a loopback resolver of the test knows); anything else throws.
std::string endpointYaml(const std::string& name, const std::string& target,
                         const std::string& extra = "");

// One profile (ARM shape) answering at <name>.tm.example.test; `extraProperties` are lines of
// its properties ("maxReturn: 3").
std::string profileYaml(const std::string& name, const std::string& method,
                        const std::string& monitor, const std::vector<std::string>& endpoints,
                        const std::string& extraProperties = "", int ttl = 30);

// A configuration serving tm.example.test (the standard zone's SOA, so kNegativeSoa applies) on
// 127.0.0.1 with probing on. `probesExtra` is appended inside `probes: {...}` (", resolvers:
// [...]"); `records` are static record lines.
std::string probeConfig(const std::vector<std::string>& profiles,
                        const std::string& probesExtra = "",
                        const std::vector<std::string>& records = {});

// HTTP backends on several loopback addresses sharing one port, as a profile's endpoints share
// its monitorConfig.port. Index i listens on addresses[i].
class BackendGroup {
 public:
  explicit BackendGroup(std::vector<std::string> addresses);
  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  HttpBackend& operator[](size_t i) { return *backends_.at(i); }
  // Closes backend i (its address then refuses connections) / listens there again, afresh.
  void stop(size_t i) { backends_.at(i)->stop(); }
  ::testing::AssertionResult reopen(size_t i);
  // Requests received by backend i whose head contains `needle`.
  int requestsContaining(size_t i, const std::string& needle);

 private:
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<HttpBackend>> backends_;
  uint16_t port_ = 0;
};

// "tmdns: <profile>/<endpoint>: <from> -> <to> (<reason>)", as the server logs a status change.
std::string statusLine(const std::string& label, const std::string& from, const std::string& to,
                       const std::string& reason);
// Every logged status-change line of `label` ("profile/endpoint"), in order.
std::vector<std::string> statusLines(Server& server, const std::string& label);

// Waits (up to waitLimit(tolerated)) for the exact line `line` at index >= `from`, then checks
// that it came within detectionBound(tolerated) of `since`. `index` receives the line's index.
::testing::AssertionResult loggedWithin(Server& server, const std::string& line,
                                        Clock::time_point since, int tolerated, size_t from = 0,
                                        size_t* index = nullptr);

// One UDP query; the whole response must be NOERROR, AA, with exactly `answer` and nothing in
// the other sections.
::testing::AssertionResult answers(const Address& server, const std::string& name,
                                   ldns_rr_type type, const std::vector<Rr>& answer);
// The same for an empty answer with `authority` (NODATA / NXDOMAIN).
::testing::AssertionResult negative(const Address& server, const std::string& name,
                                    ldns_rr_type type, int rcode, const std::vector<Rr>& authority);

// Polls (every 20 ms) until the answer (NOERROR, AA, nothing but the answer section) is `to`.
// Fails at once on any response that is neither `from` nor `to` (a flap), and fails if `to` does
// not come within waitLimit(tolerated) or came later than detectionBound(tolerated) after `since`.
::testing::AssertionResult answerChangesWithin(const Address& server, const std::string& name,
                                               ldns_rr_type type, const std::vector<Rr>& from,
                                               const std::vector<Rr>& to, Clock::time_point since,
                                               int tolerated);

// `count` A queries over one UDP socket; returns how often each answer set was seen (the
// sorted rdatas joined by ","). Unanswered or non-NOERROR queries count under "<error>".
std::map<std::string, int> tally(const Address& server, const std::string& name, ldns_rr_type type,
                                 int count);

// A thread asking `name` A over UDP one query at a time until stopped; records every response's
// first A rdata (or a description of what was wrong with it).
class AnswerRecorder {
 public:
  AnswerRecorder(Address server, std::string name);
  ~AnswerRecorder();
  AnswerRecorder(const AnswerRecorder&) = delete;
  AnswerRecorder& operator=(const AnswerRecorder&) = delete;

  void stop();
  size_t count() const;
  // Distinct values seen, with how often.
  std::map<std::string, int> seen() const;

 private:
  void run();

  Address server_;
  std::string name_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<std::string, int> seen_;
  size_t count_ = 0;
  std::thread thread_;
};

}  // namespace tmdns::e2e
