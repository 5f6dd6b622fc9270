// A small DNS client for exact wire checks: ldns-built queries over UDP/TCP, raw bytes, decoding.
#pragma once

// Before ldns: with __bool_true_false_are_defined set, ldns/common.h does not #define bool, true
// and false, which would break <optional> and friends included after it.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"

namespace tmdns::e2e {

using Bytes = std::vector<uint8_t>;

// One resource record in presentation form, comparable whatever printed it (dig, kdig, ldns).
// The owner is lower-cased (names compare case-insensitively); rdata tokens are joined by one
// space.
struct Rr {
  std::string name;
  uint32_t ttl = 0;
  std::string cls;
  std::string type;
  std::string rdata;

  // Parses "owner TTL CLASS TYPE rdata..."; nullopt when the line is not a record.
  static std::optional<Rr> parse(const std::string& line);
  // Like parse() but for literals in tests: aborts the test binary on a typo.
  static Rr of(const std::string& line);

  bool operator==(const Rr& o) const = default;
  auto operator<=>(const Rr& o) const = default;
};
std::ostream& operator<<(std::ostream& os, const Rr& rr);
// Sorted copy, for comparing RRsets whose order is not specified.
std::vector<Rr> sorted(std::vector<Rr> rrs);

struct QueryOptions {
  uint16_t id = 0x4d2e;
  bool rd = false;
  bool cd = false;
  ldns_pkt_opcode opcode = LDNS_PACKET_QUERY;
  bool edns = false;
  uint16_t udpSize = 1232;
  uint8_t ednsVersion = 0;
  bool dnssecOk = false;
  Bytes ednsOptions;  // raw EDNS options (code, length, data)...
};

// Builds a query with ldns (ldns_pkt_query_new, ldns_pkt2wire).
Bytes buildQuery(const std::string& name, ldns_rr_type type, const QueryOptions& options = {});

// RFC 7871 client subnet option for an IPv4 address and source prefix length.
Bytes ecsOptionV4(const std::string& address, uint8_t sourcePrefix);

// RFC 7871 client subnet option exactly as given (also malformed ones): OPTION-CODE 8, FAMILY,
// SOURCE and SCOPE PREFIX-LENGTH, then `address` as the ADDRESS octets.
Bytes ecsOptionRaw(uint16_t family, uint8_t sourcePrefix, uint8_t scopePrefix,
                   const Bytes& address);
// A well-formed client subnet option for an IPv4 or IPv6 address (FAMILY 1 or 2 from its form):
// the address masked to `sourcePrefix` bits and truncated to ceil(sourcePrefix / 8) octets.
Bytes ecsOption(const std::string& address, uint8_t sourcePrefix);

// One client subnet option read back from an OPT RDATA.
struct ClientSubnetOption {
  uint16_t family = 0;
  uint8_t sourcePrefix = 0;
  uint8_t scopePrefix = 0;
  Bytes address;  // the ADDRESS octets as sent

  bool operator==(const ClientSubnetOption& o) const = default;
};
std::ostream& operator<<(std::ostream& os, const ClientSubnetOption& o);
// Every client subnet option (code 8) in `optData`; nullopt when the options do not exactly
// fill it.
std::optional<std::vector<ClientSubnetOption>> clientSubnetOptions(const Bytes& optData);

// A decoded response: the header straight from the wire, the sections via ldns_wire2pkt.
struct Message {
  Bytes wire;
  uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  bool z = false;
  int opcode = 0;
  int rcode = 0;  // 12-bit: header rcode plus the OPT extended rcode (BADVERS = 16)
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;  // as on the wire
  std::string qname;  // exactly as on the wire (case preserved), with trailing dot
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  std::vector<Rr> answer, authority, additional;  // additional without the OPT record
  bool hasOpt = false;
  int optCount = 0;
  uint16_t optUdpSize = 0;
  uint8_t optVersion = 0;
  bool optDo = false;
  Bytes optData;  // the OPT RDATA (options)
};

// Decodes a response; nullopt with `error` set when ldns cannot parse it.
std::optional<Message> decode(const Bytes& wire, std::string& error);

// A connected UDP socket to one server address.
class UdpSocket {
 public:
  explicit UdpSocket(const Address& server);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  bool send(const Bytes& message);
  // The next datagram, or nullopt when none arrives before `deadline`.
  std::optional<Bytes> receive(Clock::time_point deadline);

 private:
  int fd_ = -1;
};

// Sends `message` and returns the first datagram back (nullopt on timeout).
std::optional<Bytes> exchangeUdp(const Address& server, const Bytes& message,
                                 Clock::duration timeout = 2s);
// Sends `message` with a two-byte length prefix (RFC 1035 §4.2.2) on a new TCP connection and
// returns the first response (nullopt on timeout or close).
std::optional<Bytes> exchangeTcp(const Address& server, const Bytes& message,
                                 Clock::duration timeout = 2s);

enum class Via { kUdp, kTcp };

// buildQuery + exchange + decode; fails the test (ADD_FAILURE) and returns nullopt when there is
// no parseable response.
std::optional<Message> ask(const Address& server, const std::string& name, ldns_rr_type type,
                           const QueryOptions& options = {}, Via via = Via::kUdp);

// Convenience: the rdata of every answer record of `type`.
std::vector<std::string> rdatasOf(const std::vector<Rr>& rrs, const std::string& type);

}  // namespace tmdns::e2e
