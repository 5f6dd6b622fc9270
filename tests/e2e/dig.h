// Runs the real dig and kdig against a server and parses what they print.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {

// What dig/kdig printed, parsed. Sections hold the records printed under their headers.
struct DigResult {
  CommandResult command;
  std::vector<std::string> argv;
  bool gotHeader = false;  // a ->>HEADER<<- line was printed
  std::string opcode;
  std::string status;  // NOERROR, NXDOMAIN, REFUSED, BADVERS, ...
  std::set<std::string> flags;
  int qdcount = -1, ancount = -1, nscount = -1, arcount = -1;  // as printed
  std::vector<Rr> answer, authority, additional;
  bool hasEdns = false;
  int ednsVersion = -1;
  int ednsUdp = -1;
  bool retriedTcp = false;  // dig printed ";; Truncated, retrying in TCP mode."
  std::string transport;    // "UDP" or "TCP" of the answer printed (dig +stats, kdig "From")
  int messageSize = -1;     // "MSG SIZE  rcvd:" (dig) / "Received N B" (kdig)
  // The EDNS Client Subnet option of the answer (RFC 7871), as dig ("; CLIENT-SUBNET: a/s/S") and
  // kdig (";; CLIENT-SUBNET: a/s/S") print it: address, SOURCE and SCOPE PREFIX-LENGTH.
  bool hasEcs = false;
  std::string ecsAddress;
  int ecsSource = -1;
  int ecsScope = -1;

  bool flag(const std::string& f) const { return flags.count(f) > 0; }
  // The full argv and output, for failure messages.
  std::string describe() const;
};

// Parses dig or kdig output (both use ";; ->>HEADER<<-", ";; X SECTION:" and master-file
// records; they differ in separators and the EDNS line).
DigResult parseDigOutput(const std::string& out);

// Runs a dig or kdig command line and parses its output; asks again when dig read back its own
// query (see dig.cc).
DigResult runDig(std::vector<std::string> argv, Clock::duration timeout);

// dig @server -p port +norec +time=2 +tries=1 +nocookie +noall +comments +answer +authority
// +additional +stats <args...>. dig prints its comments in the order it receives answers, so with a
// TCP retry the header parsed is the last one printed (the TCP answer).
DigResult dig(const Address& server, const std::vector<std::string>& args);

// kdig @server -p port +norec +time=2 +retry=0 <args...>.
DigResult kdig(const Address& server, const std::vector<std::string>& args);

// The same question through dig (EDNS) and kdig (no EDNS), each over UDP and over TCP.
std::vector<DigResult> allClients(const Address& server, const std::string& name,
                                  const std::string& type);

}  // namespace tmdns::e2e
