// Deployment e2e helpers: real resolvers (unbound, dnsmasq) and a parent zone (NSD) in front of
// tmdns, network namespaces the test makes itself, and recursive queries through them.
#include "tests/e2e/deploy_support.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

namespace tmdns::e2e::deploy {

namespace {

// Namespaces are named after the test process, so one left by a process that died can be told
// apart from one a concurrently running test still uses.
constexpr const char* kNetNsPrefix = "tmdns-deploy-";

std::string quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string describe(const CommandResult& r) {
  return "[" + r.status.describe() + (r.timedOut ? ", timed out" : "") + "] " + r.startError +
         r.out + r.err;
}

void removeStaleNamespaces(const std::string& ip) {
  const CommandResult list = runCommand({ip, "netns", "list"}, 10s);
  std::istringstream in(list.out);
  std::string line;
  const std::regex ours(std::string("^") + kNetNsPrefix + R"((\d+)-\d+$)");
  while (std::getline(in, line)) {
    const std::string name = line.substr(0, line.find(' '));
    std::smatch m;
    if (!std::regex_match(name, m, ours)) {
      continue;
    }
    const pid_t owner = static_cast<pid_t>(std::stol(m[1]));
    if (owner != getpid() && ::kill(owner, 0) != 0 && errno == ESRCH) {
      runCommand({ip, "netns", "del", name}, 10s);
    }
  }
}

}  // namespace

std::string sourceDir() {
  return TMDNS_SOURCE_DIR;
}

std::string findProgram(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::istringstream in(path);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      if (!dir.empty()) {
        dirs.push_back(dir);
      }
    }
  }
  for (const char* dir : {"/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    dirs.push_back(dir);
  }
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

void makeReadable(const TempDir& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::permissions(dir.path(), fs::perms(0755), ec);
  for (const auto& entry : fs::recursive_directory_iterator(dir.path(), ec)) {
    const bool searchable = entry.is_directory() || (entry.status().permissions() &
                                                     fs::perms::owner_exec) != fs::perms::none;
    fs::permissions(entry.path(), searchable ? fs::perms(0755) : fs::perms(0644), ec);
  }
}

std::string missingProgram(const std::string& name, const std::string& package) {
  return name + " is not installed: scripts/install-deps.sh installs it (Debian package " +
         package + ")";
}

NetNs::NetNs() {
  if (geteuid() != 0) {
    error_ =
        "network namespaces need root (ip netns add); running as uid " + std::to_string(geteuid());
    return;
  }
  const std::string ip = findProgram("ip");
  if (ip.empty()) {
    error_ = missingProgram("ip", "iproute2");
    return;
  }
  removeStaleNamespaces(ip);
  static std::atomic<int> counter{0};
  const std::string name =
      kNetNsPrefix + std::to_string(getpid()) + "-" + std::to_string(counter++);
  const CommandResult add = runCommand({ip, "netns", "add", name}, 10s);
  if (add.code() != 0) {
    error_ = "cannot create a network namespace (ip netns add " + name + "): " + describe(add);
    return;
  }
  const CommandResult up = runCommand({ip, "-n", name, "link", "set", "lo", "up"}, 10s);
  if (up.code() != 0) {
    runCommand({ip, "netns", "del", name}, 10s);
    error_ = "cannot bring up lo in " + name + ": " + describe(up);
    return;
  }
  name_ = name;
}

NetNs::~NetNs() {
  if (!name_.empty()) {
    runCommand({findProgram("ip"), "netns", "del", name_}, 10s);
  }
}

std::vector<std::string> NetNs::wrap(const std::vector<std::string>& argv) const {
  std::vector<std::string> out = {findProgram("ip"), "netns", "exec", name_};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::string NetNs::wrapperScript(const TempDir& dir, const std::string& rel,
                                 const std::string& program,
                                 const std::vector<std::string>& prefix) const {
  std::string command = "exec";
  std::vector<std::string> argv = prefix;
  argv.push_back(program);
  for (const std::string& arg : wrap(argv)) {
    command += " " + quote(arg);
  }
  const std::string path = dir.write(rel, "#!/bin/sh\n" + command + " \"$@\"\n");
  chmod(path.c_str(), 0755);
  return path;
}

DigResult resolve(const std::string& host, uint16_t port, const std::vector<std::string>& args,
                  const NetNs* ns) {
  std::vector<std::string> argv = {"dig",       "@" + host, "-p",         std::to_string(port),
                                   "+time=2",   "+tries=1", "+nocookie",  "+noall",
                                   "+comments", "+answer",  "+authority", "+stats"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (ns != nullptr) {
    argv = ns->wrap(argv);
  }
  return runDig(std::move(argv), 20s);
}

std::vector<std::string> withoutTtl(const std::vector<Rr>& rrs) {
  std::vector<std::string> out;
  for (const Rr& rr : rrs) {
    out.push_back(rr.name + " " + rr.type + " " + rr.rdata);
  }
  return out;
}

DigResult waitForAnswer(const std::function<DigResult()>& query,
                        const std::vector<std::string>& want, Clock::duration limit) {
  const Clock::time_point deadline = Clock::now() + limit;
  for (;;) {
    DigResult r = query();
    if ((r.status == "NOERROR" && withoutTtl(r.answer) == want) || Clock::now() >= deadline) {
      return r;
    }
    std::this_thread::sleep_for(100ms);
  }
}

::testing::AssertionResult Unbound::start(const TempDir& dir, const UnboundOptions& options,
                                          const NetNs* ns) {
  const std::string unbound = findProgram("unbound");
  const std::string checkconf = findProgram("unbound-checkconf");
  if (unbound.empty() || checkconf.empty()) {
    return ::testing::AssertionFailure() << missingProgram("unbound", "unbound");
  }
  std::ostringstream conf;
  conf << "server:\n"
       << "  interface: " << options.address << "@" << options.port << "\n"
       << "  port: " << options.port << "\n"
       << "  do-daemonize: no\n"
       << "  username: \"\"\n"
       << "  chroot: \"\"\n"
       << "  directory: \"" << dir.path() << "\"\n"
       << "  pidfile: \"" << dir.file("unbound.pid") << "\"\n"
       << "  logfile: \"\"\n"
       << "  use-syslog: no\n"
       // 3: logs "sending to target: <zone> addr#port" for every upstream query.
       << "  verbosity: 3\n"
       << "  num-threads: 1\n"
       << "  so-reuseport: no\n"
       << "  do-ip6: no\n"
       // Our upstreams are on loopback, which unbound refuses to query by default.
       << "  do-not-query-localhost: no\n"
       << "  access-control: 127.0.0.0/8 allow\n"
       // RFC 6761: unbound answers .test itself (NXDOMAIN) unless told not to.
       << "  local-zone: \"test.\" nodefault\n"
       // No validator: there is no trust anchor to fetch or to validate with.
       << "  module-config: \""
       << (options.sendClientSubnet.empty() ? "iterator" : "subnetcache iterator") << "\"\n";
  if (!options.rootHints.empty()) {
    conf << "  root-hints: \"" << dir.write("root.hints", options.rootHints) << "\"\n";
  }
  for (const std::string& upstream : options.sendClientSubnet) {
    conf << "  send-client-subnet: " << upstream << "\n";
  }
  if (!options.sendClientSubnet.empty()) {
    conf << "  max-client-subnet-ipv4: 24\n";
  }
  conf << "remote-control:\n  control-enable: no\n";
  for (const auto& [zone, address] : options.stubs) {
    conf << "stub-zone:\n  name: \"" << zone << "\"\n  stub-addr: " << address << "\n";
  }
  config_ = conf.str();
  const std::string file = dir.write("unbound.conf", config_);
  const CommandResult check = runCommand({checkconf, file}, 20s);
  if (check.code() != 0) {
    return ::testing::AssertionFailure()
           << "unbound-checkconf rejects the test configuration: " << describe(check) << "\n"
           << config_;
  }
  std::vector<std::string> argv = {unbound, "-d", "-c", file};
  if (ns != nullptr) {
    argv = ns->wrap(argv);
  }
  std::string error;
  if (!process_.start(argv, error)) {
    return ::testing::AssertionFailure() << error;
  }
  if (!process_.waitForStderr(std::regex("start of service"), 10s)) {
    return ::testing::AssertionFailure() << "unbound did not start; stderr:\n" << log();
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> Unbound::upstreams() const {
  static const std::regex target(R"(sending to target: <[^>]*> (\S+))");
  std::vector<std::string> out;
  for (const std::string& line : process_.stderrLines()) {
    std::smatch m;
    if (std::regex_search(line, m, target)) {
      out.push_back(m[1]);
    }
  }
  return out;
}

::testing::AssertionResult Dnsmasq::start(uint16_t port, const std::string& zone,
                                          const Address& upstream,
                                          const std::vector<std::string>& extra) {
  const std::string dnsmasq = findProgram("dnsmasq");
  if (dnsmasq.empty()) {
    return ::testing::AssertionFailure() << missingProgram("dnsmasq", "dnsmasq-base");
  }
  std::vector<std::string> argv = {
      dnsmasq,
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      "--keep-in-foreground",
      "--bind-interfaces",
      "--listen-address=127.0.0.1",
      "--port=" + std::to_string(port),
      "--server=/" + zone + "/" + upstream.host + "#" + std::to_string(upstream.port),
      "--pid-file=",
      "--log-queries",
      "--log-facility=-"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::string error;
  if (!process_.start(argv, error)) {
    return ::testing::AssertionFailure() << error;
  }
  if (!process_.waitForStderr(std::regex("started, version"), 10s)) {
    return ::testing::AssertionFailure() << "dnsmasq did not start; stderr:\n" << log();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Nsd::start(
    const TempDir& dir, const NetNs& ns, const std::string& address,
    const std::vector<std::pair<std::string, std::string>>& zones) {
  const std::string nsd = findProgram("nsd");
  const std::string checkconf = findProgram("nsd-checkconf");
  if (nsd.empty() || checkconf.empty()) {
    return ::testing::AssertionFailure() << missingProgram("nsd", "nsd");
  }
  logFile_ = dir.file("nsd.log");
  std::ostringstream conf;
  conf << "server:\n"
       << "  ip-address: " << address << "@53\n"
       << "  do-ip6: no\n"
       << "  username: \"\"\n"
       << "  chroot: \"\"\n"
       << "  zonesdir: \"" << dir.path() << "\"\n"
       << "  database: \"\"\n"
       << "  zonelistfile: \"" << dir.file("nsd.zonelist") << "\"\n"
       << "  xfrdfile: \"" << dir.file("nsd.xfrd") << "\"\n"
       << "  xfrdir: \"" << dir.path() << "\"\n"
       << "  pidfile: \"" << dir.file("nsd.pid") << "\"\n"
       << "  logfile: \"" << logFile_ << "\"\n"
       << "  server-count: 1\n"
       << "  verbosity: 1\n"
       << "remote-control:\n  control-enable: no\n";
  for (size_t i = 0; i < zones.size(); ++i) {
    const std::string file = "zone" + std::to_string(i) + ".zone";
    dir.write(file, zones[i].second);
    conf << "zone:\n  name: \"" << zones[i].first << "\"\n  zonefile: \"" << file << "\"\n";
  }
  const std::string file = dir.write("nsd.conf", conf.str());
  const CommandResult check = runCommand({checkconf, file}, 20s);
  if (check.code() != 0) {
    return ::testing::AssertionFailure()
           << "nsd-checkconf rejects the test configuration: " << describe(check);
  }
  std::string error;
  if (!process_.start(ns.wrap({nsd, "-d", "-c", file}), error)) {
    return ::testing::AssertionFailure() << error;
  }
  // Ready when every zone answers its SOA with AA.
  for (const auto& zone : zones) {
    const Clock::time_point deadline = Clock::now() + 10s;
    for (;;) {
      const DigResult r = resolve(address, 53, {"+norec", zone.first, "SOA"}, &ns);
      if (r.status == "NOERROR" && r.flag("aa") && !r.answer.empty()) {
        break;
      }
      if (Clock::now() >= deadline || !process_.running()) {
        return ::testing::AssertionFailure() << "nsd does not serve " << zone.first << ":\n"
                                             << r.describe() << "\nnsd log:\n"
                                             << log();
      }
      std::this_thread::sleep_for(100ms);
    }
  }
  return ::testing::AssertionSuccess();
}

std::string Nsd::log() const {
  std::string text;
  if (!logFile_.empty() && access(logFile_.c_str(), R_OK) == 0) {
    text = readFile(logFile_);
  }
  return text + process_.stderrText();
}

}  // namespace tmdns::e2e::deploy
