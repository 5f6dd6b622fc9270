// Deployment e2e helpers: real resolvers (unbound, dnsmasq) and a parent zone (NSD) in front of
// tmdns, network namespaces the test makes itself, and recursive queries through them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e::deploy {

// The source tree (TMDNS_SOURCE_DIR).
std::string sourceDir();

// Absolute path of `name` from PATH, /usr/sbin or /sbin (daemons live there and a non-root PATH
// often lacks them); "" when it is not installed.
std::string findProgram(const std::string& name);

// Makes `dir` and everything in it readable (and directories searchable) by every user: a server
// that drops to `user: nobody` reads its configuration again on reload.
void makeReadable(const TempDir& dir);

// A message for a missing program: which Debian package scripts/install-deps.sh installs it from.
std::string missingProgram(const std::string& name, const std::string& package);

// A network namespace made by this test: its own loopback (127.0.0.0/8, up) and nothing else,
// so whatever runs inside can reach no other machine. Deleted by the destructor; namespaces left
// by an earlier test process that died are deleted on creation. Needs root (CAP_SYS_ADMIN).
class NetNs {
 public:
  NetNs();
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  bool ok() const { return !name_.empty(); }
  // Why there is no namespace (for GTEST_SKIP).
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

  // argv run inside the namespace: ip netns exec <name> argv...
  std::vector<std::string> wrap(const std::vector<std::string>& argv) const;
  // Writes an executable script `rel` in `dir` that execs `prefix... program "$@"` inside the
  // namespace (for Server::setBinary, which runs `binary --config FILE`); returns its path.
  std::string wrapperScript(const TempDir& dir, const std::string& rel, const std::string& program,
                            const std::vector<std::string>& prefix = {}) const;

 private:
  std::string name_;
  std::string error_;
};

// A recursive query (RD set, unlike e2e::dig) to a resolver at host:port, optionally from inside
// a namespace: dig @host -p port +time=2 +tries=1 +nocookie +noall +comments +answer +authority
// +stats args...
DigResult resolve(const std::string& host, uint16_t port, const std::vector<std::string>& args,
                  const NetNs* ns = nullptr);

// "name TYPE rdata" of each record, in order: answers through a caching resolver carry TTLs that
// count down, so comparisons leave them out.
std::vector<std::string> withoutTtl(const std::vector<Rr>& rrs);

// Polls `query` every 100 ms until its answer section (without TTLs) equals `want` or `limit`
// passes. Returns the last result.
DigResult waitForAnswer(const std::function<DigResult()>& query,
                        const std::vector<std::string>& want, Clock::duration limit);

// unbound(8) in the foreground with a configuration of its own: no root hints from the
// internet (a stub or hints file of the test's choosing for "."), no DNSSEC, logging every
// upstream it queries (verbosity 3) to stderr.
struct UnboundOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  // zone -> "addr@port" stub addresses.
  std::vector<std::pair<std::string, std::string>> stubs;
  // A root hints file's text; empty = none (then a stub for "." must be given).
  std::string rootHints;
  // ECS (RFC 7871): the subnetcache module, sending client subnets to these upstream addresses.
  std::vector<std::string> sendClientSubnet;
};

class Unbound {
 public:
  // Writes unbound.conf into `dir`, checks it with unbound-checkconf and starts unbound, waiting
  // for "start of service". `ns`: run inside that namespace.
  ::testing::AssertionResult start(const TempDir& dir, const UnboundOptions& options,
                                   const NetNs* ns = nullptr);
  // Every upstream unbound sent a query to, as logged: "addr#port".
  std::vector<std::string> upstreams() const;
  std::string log() const { return process_.stderrText(); }
  const std::string& config() const { return config_; }

 private:
  Process process_;
  std::string config_;
};

// dnsmasq(8) in the foreground as a forwarder for one zone only: no /etc/resolv.conf, no hosts
// file, no configuration file, queries logged to stderr.
class Dnsmasq {
 public:
  // `extra`: more options, e.g. "--add-subnet=198.51.100.0/24".
  ::testing::AssertionResult start(uint16_t port, const std::string& zone, const Address& upstream,
                                   const std::vector<std::string>& extra = {});
  std::string log() const { return process_.stderrText(); }

 private:
  Process process_;
};

// nsd(8) in the foreground serving the given zones (name -> zone file text) on `address`:53
// inside `ns`. Waits until every zone answers its SOA.
class Nsd {
 public:
  ::testing::AssertionResult start(const TempDir& dir, const NetNs& ns, const std::string& address,
                                   const std::vector<std::pair<std::string, std::string>>& zones);
  std::string log() const;

 private:
  Process process_;
  std::string logFile_;
};

}  // namespace tmdns::e2e::deploy
