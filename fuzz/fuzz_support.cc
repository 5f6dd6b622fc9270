// The fuzzers' sample snapshot and the response oracle; see fuzz_support.h.
#include "fuzz/fuzz_support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "config/compiler.h"
#include "config/diagnostics.h"
#include "config/loader.h"
#include "dns/wire_types.h"

// Last: ldns/common.h defines `bool`, `true` and `false` as macros unless <stdbool.h> came
// first, which breaks C++ headers included after it (clang).
#include <ldns/ldns.h>

namespace tmdns::fuzz {

namespace {

using Bytes = std::vector<uint8_t>;

uint16_t u16(std::span<const uint8_t> wire, size_t at) {
  return static_cast<uint16_t>((wire[at] << 8) | wire[at + 1]);
}

struct PacketDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Packet = std::unique_ptr<ldns_pkt, PacketDeleter>;

// One EDNS Client Subnet option as sent (RFC 7871 §6).
struct Ecs {
  bool present = false;
  uint16_t family = 0;
  uint8_t source = 0;
  uint8_t scope = 0;
  Bytes address;
};

// The first ECS option in an OPT RDATA, read with no validation beyond bounds.
Ecs firstEcs(std::span<const uint8_t> rdata) {
  Ecs ecs;
  size_t pos = 0;
  while (rdata.size() - pos >= 4) {
    const uint16_t code = u16(rdata, pos);
    const uint16_t length = u16(rdata, pos + 2);
    pos += 4;
    if (rdata.size() - pos < length) {
      break;
    }
    if (code == dns::kOptionEcs && length >= 4) {
      ecs.present = true;
      ecs.family = u16(rdata, pos);
      ecs.source = rdata[pos + 2];
      ecs.scope = rdata[pos + 3];
      ecs.address.assign(rdata.begin() + static_cast<long>(pos) + 4,
                         rdata.begin() + static_cast<long>(pos + length));
      return ecs;
    }
    pos += length;
  }
  return ecs;
}

// What the oracle knows about a query, read with ldns's name decompression and plain offsets:
// deliberately not with dns::parseQuery, whose behaviour is what is under test.
struct QueryFacts {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0;
  bool questionParsed = false;  // the first question's name, type and class are all present
  Bytes qname;                  // uncompressed, as ldns decompressed it (case kept)
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  int optsInAdditional = 0;  // OPT RRs found in the additional section
  uint16_t optPayload = 0;   // CLASS of the first of them
  Ecs ecs;                   // the first ECS option of the first of them
};

bool readName(std::span<const uint8_t> wire, size_t& pos, Bytes* out) {
  ldns_rdf* name = nullptr;
  if (ldns_wire2dname(&name, wire.data(), wire.size(), &pos) != LDNS_STATUS_OK) {
    return false;
  }
  if (out != nullptr) {
    out->assign(ldns_rdf_data(name), ldns_rdf_data(name) + ldns_rdf_size(name));
  }
  ldns_rdf_deep_free(name);
  return true;
}

QueryFacts readQuery(std::span<const uint8_t> query) {
  QueryFacts facts;
  facts.id = u16(query, 0);
  facts.flags = u16(query, 2);
  facts.qdcount = u16(query, 4);
  const uint16_t counts[3] = {u16(query, 6), u16(query, 8), u16(query, 10)};
  size_t pos = dns::kHeaderSize;
  for (uint16_t i = 0; i < facts.qdcount; ++i) {
    if (!readName(query, pos, i == 0 ? &facts.qname : nullptr) || query.size() - pos < 4) {
      return facts;
    }
    if (i == 0) {
      facts.questionParsed = true;
      facts.qtype = u16(query, pos);
      facts.qclass = u16(query, pos + 2);
    }
    pos += 4;
  }
  for (int section = 0; section < 3; ++section) {
    for (uint16_t i = 0; i < counts[section]; ++i) {
      if (!readName(query, pos, nullptr) || query.size() - pos < 10) {
        return facts;
      }
      const uint16_t type = u16(query, pos);
      const uint16_t cls = u16(query, pos + 2);
      const uint16_t rdlength = u16(query, pos + 8);
      pos += 10;
      if (query.size() - pos < rdlength) {
        return facts;
      }
      if (section == 2 && type == dns::kTypeOpt) {
        if (++facts.optsInAdditional == 1) {
          facts.optPayload = cls;
          facts.ecs = firstEcs(query.subspan(pos, rdlength));
        }
      }
      pos += rdlength;
    }
  }
  return facts;
}

std::string hex(std::span<const uint8_t> bytes) {
  std::string out;
  char buf[4];
  for (const uint8_t b : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    out += buf;
  }
  return out;
}

}  // namespace

void fail(const std::string& what) {
  std::fprintf(stderr, "tmdns fuzz invariant: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string sampleDirectory() {
  return std::string(TMDNS_SOURCE_DIR) + "/fuzz/sample";
}

std::unique_ptr<dns::Snapshot> loadSampleSnapshot() {
  const std::string path = sampleDirectory() + "/tmdns.yaml";
  config::Diagnostics diags;
  std::unique_ptr<dns::Snapshot> snapshot;
  if (const std::optional<config::Config> config = config::loadConfig(path, diags)) {
    if (!diags.hasErrors()) {
      snapshot = config::compile(*config, diags);
    }
  }
  if (snapshot == nullptr || diags.hasErrors()) {
    for (const config::Diagnostic& d : diags.items()) {
      std::fprintf(stderr, "%s\n", d.format().c_str());
    }
    fail("the sample configuration " + path + " does not compile");
  }
  return snapshot;
}

routing::HealthTable makeHealth(const dns::Snapshot& snapshot, uint64_t salt) {
  static constexpr routing::MonitorStatus kStates[4] = {
      routing::MonitorStatus::kOnline, routing::MonitorStatus::kDegraded,
      routing::MonitorStatus::kCheckingEndpoint, routing::MonitorStatus::kStopped};
  routing::HealthTable health;
  health.status.assign(snapshot.routing.endpoints.size(), routing::MonitorStatus::kOnline);
  if (salt != 0) {
    for (size_t i = 0; i < health.status.size(); ++i) {
      health.status[i] = kStates[(salt >> ((2 * i) % 64)) & 3];
    }
  }
  return health;
}

void checkResponse(std::span<const uint8_t> query, std::span<const uint8_t> response,
                   dns::Transport transport, uint16_t maxUdpPayload) {
  const bool udp = transport == dns::Transport::kUdp;
  // RFC 1035 §4.1.1: responses are never answered; a runt has no ID to answer with.
  const bool mustBeSilent = query.size() < dns::kHeaderSize || (query[2] & 0x80) != 0;
  if (response.empty()) {
    if (!mustBeSilent) {
      fail("no response to a query: " + hex(query));
    }
    return;
  }
  if (mustBeSilent) {
    fail("a response to a response or a runt: " + hex(query));
  }
  const QueryFacts q = readQuery(query);

  ldns_pkt* raw = nullptr;
  const ldns_status status = ldns_wire2pkt(&raw, response.data(), response.size());
  if (status != LDNS_STATUS_OK) {
    fail(std::string("the response does not parse: ") + ldns_get_errorstr_by_id(status) +
         "; response " + hex(response));
  }
  const Packet r(raw);

  if (ldns_pkt_id(r.get()) != q.id) {
    fail("the response ID is not the query's");
  }
  if (!ldns_pkt_qr(r.get())) {
    fail("QR is not set");
  }
  if (ldns_pkt_ra(r.get())) {
    fail("RA is set: tmdns never recurses");
  }
  const uint16_t opcode = (q.flags >> dns::kOpcodeShift) & dns::kOpcodeMask;
  if (static_cast<uint16_t>(ldns_pkt_get_opcode(r.get())) != opcode) {
    fail("the OPCODE is not the query's");
  }
  if (ldns_pkt_rd(r.get()) != ((q.flags & dns::kFlagRd) != 0)) {
    fail("RD is not copied from the query");
  }
  const auto rcode = static_cast<uint16_t>(ldns_pkt_get_rcode(r.get()));
  if (opcode != dns::kOpcodeQuery && rcode != dns::kRcodeNotImp) {
    fail("an OPCODE other than QUERY is not answered NOTIMP");
  }
  if (opcode == dns::kOpcodeQuery && q.qdcount != 1 && rcode != dns::kRcodeFormErr) {
    fail("QDCOUNT other than 1 is not answered FORMERR (RFC 9619)");
  }
  if (ldns_pkt_aa(r.get()) && rcode != dns::kRcodeNoError && rcode != dns::kRcodeNxDomain) {
    fail("AA on a response that is neither data, NODATA nor NXDOMAIN");
  }

  // The question: echoed exactly, or absent only when the query could not be read.
  const uint16_t rawQd = u16(response, 4);
  if (rawQd > 1) {
    fail("more than one question in the response");
  }
  if (rawQd == 1) {
    if (q.qdcount != 1 || !q.questionParsed) {
      fail("a question echoed for a query without exactly one readable question");
    }
    const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(r.get()), 0);
    const ldns_rdf* owner = ldns_rr_owner(question);
    const Bytes echoed(ldns_rdf_data(owner), ldns_rdf_data(owner) + ldns_rdf_size(owner));
    if (echoed != q.qname) {
      fail("the echoed question name " + hex(echoed) + " is not the query's " + hex(q.qname));
    }
    if (static_cast<uint16_t>(ldns_rr_get_type(question)) != q.qtype ||
        static_cast<uint16_t>(ldns_rr_get_class(question)) != q.qclass) {
      fail("the echoed question type or class is not the query's");
    }
  } else if (rcode != dns::kRcodeFormErr && rcode != dns::kRcodeNotImp) {
    fail("a response without the question that is neither FORMERR nor NOTIMP");
  }

  // OPT and ECS (RFC 6891 §7, RFC 7871 §7.2.1). Our OPT always advertises at least 512, so a
  // non-zero payload size is how an OPT shows in ldns.
  const bool hasOpt = ldns_pkt_edns_udp_size(r.get()) != 0;
  if (hasOpt && q.optsInAdditional == 0) {
    fail("an OPT in the response to a query without one");
  }
  if (const ldns_rdf* data = ldns_pkt_edns_data(r.get()); hasOpt && data != nullptr) {
    const Ecs ecs = firstEcs({ldns_rdf_data(data), ldns_rdf_size(data)});
    if (ecs.present) {
      if (!q.ecs.present || ecs.family != q.ecs.family || ecs.source != q.ecs.source ||
          ecs.address != q.ecs.address) {
        fail("the ECS option is not the query's echoed");
      }
      if (ecs.scope > ecs.source) {
        fail("the ECS SCOPE PREFIX-LENGTH exceeds the SOURCE PREFIX-LENGTH");
      }
    }
  }

  // Size and truncation.
  size_t limit = dns::kMaxMessage;
  if (udp) {
    limit = dns::kMaxUdpWithoutEdns;  // RFC 1035 §4.2.1
    if (q.optsInAdditional == 1) {
      // RFC 6891 §6.2.5: the requester's size, at least 512, capped by what we send.
      const size_t requested = std::max<size_t>(dns::kMaxUdpWithoutEdns, q.optPayload);
      const size_t ours = std::max<size_t>(dns::kMaxUdpWithoutEdns, maxUdpPayload);
      limit = std::min(requested, ours);
    }
  }
  if (response.size() > limit) {
    fail("a response of " + std::to_string(response.size()) + " octets exceeds the limit of " +
         std::to_string(limit));
  }
  if (ldns_pkt_tc(r.get())) {
    if (!udp) {
      fail("TC over TCP");
    }
    // RFC 2181 §9: no partial RRsets; tmdns sends header, question and OPT only.
    if (u16(response, 6) != 0 || u16(response, 8) != 0 || u16(response, 10) > (hasOpt ? 1 : 0)) {
      fail("a truncated response carries records");
    }
  }
}

}  // namespace tmdns::fuzz
