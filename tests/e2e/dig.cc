// Runs the real dig and kdig against a server and parses what they print.
#include "tests/e2e/dig.h"

#include <regex>
#include <sstream>

namespace tmdns::e2e {

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

}  // namespace

std::string DigResult::describe() const {
  std::ostringstream os;
  os << "$ " << joinArgv(argv) << "\n[" << command.status.describe()
     << (command.timedOut ? ", timed out" : "") << "]\n"
     << command.out;
  if (!command.err.empty()) {
    os << "[stderr]\n" << command.err;
  }
  return os.str();
}

DigResult parseDigOutput(const std::string& out) {
  DigResult r;
  static const std::regex header(R"(->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;])");
  static const std::regex flagsLine(
      R"(^;; [Ff]lags: ([a-z ]*); QUERY: (\d+)[,;] ANSWER: (\d+)[,;] AUTHORITY: (\d+)[,;] ADDITIONAL: (\d+))");
  static const std::regex digEdns(R"(^; EDNS: version: (\d+), flags:[^;]*; udp: (\d+))");
  static const std::regex kdigEdns(R"(^;; Version: (\d+); flags: [^;]*; UDP size: (\d+) B)");
  static const std::regex section(R"(^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:)");
  static const std::regex digServer(R"(^;; SERVER: .*\((UDP|TCP)\))");
  static const std::regex kdigFrom(R"(^;; From .*\((UDP|TCP)\))");
  static const std::regex digSize(R"(^;; MSG SIZE\s+rcvd: (\d+))");
  static const std::regex kdigSize(R"(^;; Received (\d+) B)");
  static const std::regex clientSubnet(R"(^;;? CLIENT-SUBNET: (\S+)/(\d+)/(\d+)\s*$)");

  std::vector<Rr>* current = nullptr;
  for (const auto& line : lines(out)) {
    std::smatch m;
    if (line.find(";; Truncated, retrying in TCP mode.") != std::string::npos) {
      r.retriedTcp = true;
      continue;
    }
    if (std::regex_search(line, m, header)) {
      // A later header (dig's TCP retry) replaces everything parsed before it.
      DigResult fresh;
      fresh.retriedTcp = r.retriedTcp;
      r = fresh;
      r.gotHeader = true;
      r.opcode = m[1];
      r.status = m[2];
      current = nullptr;
      continue;
    }
    if (std::regex_search(line, m, flagsLine)) {
      std::istringstream fl(m[1].str());
      std::string f;
      while (fl >> f) {
        r.flags.insert(f);
      }
      r.qdcount = std::stoi(m[2]);
      r.ancount = std::stoi(m[3]);
      r.nscount = std::stoi(m[4]);
      r.arcount = std::stoi(m[5]);
      continue;
    }
    if (std::regex_search(line, m, digEdns) || std::regex_search(line, m, kdigEdns)) {
      r.hasEdns = true;
      r.ednsVersion = std::stoi(m[1]);
      r.ednsUdp = std::stoi(m[2]);
      continue;
    }
    if (std::regex_search(line, m, clientSubnet)) {
      r.hasEcs = true;
      r.ecsAddress = m[1];
      r.ecsSource = std::stoi(m[2]);
      r.ecsScope = std::stoi(m[3]);
      continue;
    }
    if (std::regex_search(line, m, section)) {
      const std::string s = m[1];
      current = s == "ANSWER"       ? &r.answer
                : s == "AUTHORITY"  ? &r.authority
                : s == "ADDITIONAL" ? &r.additional
                                    : nullptr;
      continue;
    }
    if (std::regex_search(line, m, digServer) || std::regex_search(line, m, kdigFrom)) {
      r.transport = m[1];
      continue;
    }
    if (std::regex_search(line, m, digSize) || std::regex_search(line, m, kdigSize)) {
      r.messageSize = std::stoi(m[1]);
      continue;
    }
    if (line.empty() || line[0] == ';') {
      if (line.empty()) {
        current = nullptr;
      }
      continue;
    }
    if (current != nullptr) {
      if (auto rr = Rr::parse(line)) {
        current->push_back(*rr);
      }
    }
  }
  return r;
}

DigResult runDig(std::vector<std::string> argv, Clock::duration timeout) {
  DigResult r;
  // dig (BIND 9.18) picks its UDP source port at random from the ephemeral range itself and
  // binds it with SO_REUSEPORT, so now and then it lands on the very port a test server holds
  // (tests listen on port 0, which the kernel also takes from that range). dig's socket is then
  // connected to itself and reads back its own query, which it flags as "query response not
  // set". That is the client talking to itself, not the server answering: ask again, from a
  // fresh random port. A server that really answered with QR clear would fail every attempt.
  for (int attempt = 0; attempt < 3; ++attempt) {
    CommandResult c = runCommand(argv, timeout);
    r = parseDigOutput(c.out);
    r.command = std::move(c);
    if (r.command.out.find(";; Warning: query response not set") == std::string::npos) {
      break;
    }
  }
  r.argv = std::move(argv);
  return r;
}

DigResult dig(const Address& server, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "dig",         "@" + server.host, "-p",       std::to_string(server.port),
      "+norec",      "+time=2",         "+tries=1", "+nocookie",
      "+noall",      "+comments",       "+answer",  "+authority",
      "+additional", "+stats"};
  argv.insert(argv.end(), args.begin(), args.end());
  return runDig(std::move(argv), 30s);
}

DigResult kdig(const Address& server, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "kdig",   "@" + server.host, "-p",      std::to_string(server.port),
      "+norec", "+time=2",         "+retry=0"};
  argv.insert(argv.end(), args.begin(), args.end());
  return runDig(std::move(argv), 30s);
}

std::vector<DigResult> allClients(const Address& server, const std::string& name,
                                  const std::string& type) {
  std::vector<DigResult> out;
  out.push_back(dig(server, {name, type}));
  out.push_back(dig(server, {"+tcp", name, type}));
  out.push_back(kdig(server, {name, type}));
  out.push_back(kdig(server, {"+tcp", name, type}));
  return out;
}

}  // namespace tmdns::e2e
