// Shared helpers for the dns unit tests: ldns-made wire data, query builders, ldns decoding.
#pragma once

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/query_handler.h"
#include "dns/snapshot_builder.h"
#include "routing/health_table.h"
#include "routing/policy_factory.h"

namespace tmdns::dns::test {

using Bytes = std::vector<uint8_t>;

// Uncompressed wire name, case preserved, made by ldns.
inline Bytes wireName(const std::string& text) {
  ldns_rdf* rdf = ldns_dname_new_frm_str(text.c_str());
  EXPECT_NE(rdf, nullptr) << text;
  if (rdf == nullptr) {
    return {};
  }
  Bytes out(ldns_rdf_data(rdf), ldns_rdf_data(rdf) + ldns_rdf_size(rdf));
  ldns_rdf_deep_free(rdf);
  return out;
}

struct WireRecord {
  Bytes owner;
  uint16_t type = 0;
  uint32_t ttl = 0;
  Bytes rdata;  // uncompressed names
};

// Parses one record in presentation format with ldns and returns its wire parts.
inline WireRecord wireRecord(const std::string& text) {
  ldns_rr* rr = nullptr;
  const ldns_status status = ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr);
  EXPECT_EQ(status, LDNS_STATUS_OK) << text;
  WireRecord out;
  if (status != LDNS_STATUS_OK) {
    return out;
  }
  const ldns_rdf* owner = ldns_rr_owner(rr);
  out.owner.assign(ldns_rdf_data(owner), ldns_rdf_data(owner) + ldns_rdf_size(owner));
  out.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
  out.ttl = ldns_rr_ttl(rr);
  ldns_buffer* buffer = ldns_buffer_new(1024);
  EXPECT_EQ(ldns_rr_rdata2buffer_wire(buffer, rr), LDNS_STATUS_OK);
  out.rdata.assign(ldns_buffer_begin(buffer),
                   ldns_buffer_begin(buffer) + ldns_buffer_position(buffer));
  ldns_buffer_free(buffer);
  ldns_rr_free(rr);
  return out;
}

// Adds a zone whose SOA is "ns1.<apex> hostmaster.<apex> 1 3600 600 86400 <minimum>".
inline uint32_t addTestZone(SnapshotBuilder& builder, const std::string& apex, uint32_t soaTtl,
                            uint32_t minimum, const std::vector<std::string>& ns,
                            uint32_t nsTtl = 86400) {
  const WireRecord soa =
      wireRecord(apex + " " + std::to_string(soaTtl) + " IN SOA ns1." + apex + " hostmaster." +
                 apex + " 1 3600 600 86400 " + std::to_string(minimum));
  std::vector<Bytes> nsNames;
  for (const auto& n : ns) {
    nsNames.push_back(wireName(n));
  }
  std::string error;
  const uint32_t zone = builder.addZone(wireName(apex), soaTtl, soa.rdata, nsTtl, nsNames, error);
  EXPECT_NE(zone, kNoIndex) << error;
  return zone;
}

inline void addTestRecord(SnapshotBuilder& builder, uint32_t zone, const std::string& text) {
  const WireRecord rr = wireRecord(text);
  std::string error;
  EXPECT_TRUE(builder.addRecord(zone, rr.owner, rr.type, rr.ttl, rr.rdata, error))
      << text << ": " << error;
}

// --- queries --------------------------------------------------------------------------------

struct QueryOptions {
  uint16_t id = 0x1234;
  uint16_t flags = 0x0100;  // RD
  uint16_t qclass = 1;
  bool edns = false;
  uint16_t udpSize = 1232;
  uint8_t version = 0;
  bool dnssecOk = false;
  Bytes options;  // OPT RDATA
};

inline void putU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

inline void putU32(Bytes& out, uint32_t v) {
  putU16(out, static_cast<uint16_t>(v >> 16));
  putU16(out, static_cast<uint16_t>(v));
}

// An OPT RR (root owner) with the given fields.
inline Bytes optRecord(uint16_t udpSize, uint8_t version, bool dnssecOk, const Bytes& options) {
  Bytes out{0};
  putU16(out, 41);
  putU16(out, udpSize);
  putU32(out, (uint32_t{version} << 16) | (dnssecOk ? 0x8000u : 0u));
  putU16(out, static_cast<uint16_t>(options.size()));
  out.insert(out.end(), options.begin(), options.end());
  return out;
}

// A query built by hand so that every field (and every malformation) is under test control.
inline Bytes makeQuery(const std::string& name, uint16_t qtype, const QueryOptions& o = {}) {
  Bytes out;
  putU16(out, o.id);
  putU16(out, o.flags);
  putU16(out, 1);
  putU16(out, 0);
  putU16(out, 0);
  putU16(out, o.edns ? 1 : 0);
  const Bytes qname = wireName(name);
  out.insert(out.end(), qname.begin(), qname.end());
  putU16(out, qtype);
  putU16(out, o.qclass);
  if (o.edns) {
    const Bytes opt = optRecord(o.udpSize, o.version, o.dnssecOk, o.options);
    out.insert(out.end(), opt.begin(), opt.end());
  }
  return out;
}

// The ECS option (code 8) with the given payload fields (RFC 7871 §6).
inline Bytes ecsOption(uint16_t family, uint8_t source, uint8_t scope, const Bytes& address) {
  Bytes out;
  putU16(out, 8);
  putU16(out, static_cast<uint16_t>(4 + address.size()));
  putU16(out, family);
  out.push_back(source);
  out.push_back(scope);
  out.insert(out.end(), address.begin(), address.end());
  return out;
}

// --- responses ------------------------------------------------------------------------------

struct PacketDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Packet = std::unique_ptr<ldns_pkt, PacketDeleter>;

inline Packet decode(const Bytes& wire) {
  ldns_pkt* pkt = nullptr;
  const ldns_status status = ldns_wire2pkt(&pkt, wire.data(), wire.size());
  EXPECT_EQ(status, LDNS_STATUS_OK) << ldns_get_errorstr_by_id(status);
  return Packet(pkt);
}

// Each record of a section as "owner ttl class type rdata" (ldns presentation, single spaces).
inline std::vector<std::string> section(const ldns_pkt* pkt, ldns_pkt_section which) {
  std::vector<std::string> out;
  ldns_rr_list* list = nullptr;
  switch (which) {
    case LDNS_SECTION_QUESTION:
      list = ldns_pkt_question(pkt);
      break;
    case LDNS_SECTION_ANSWER:
      list = ldns_pkt_answer(pkt);
      break;
    case LDNS_SECTION_AUTHORITY:
      list = ldns_pkt_authority(pkt);
      break;
    default:
      list = ldns_pkt_additional(pkt);
      break;
  }
  for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
    char* text = ldns_rr2str(ldns_rr_list_rr(list, i));
    std::string s(text);
    free(text);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
      s.pop_back();
    }
    for (char& c : s) {
      if (c == '\t') {
        c = ' ';
      }
    }
    out.push_back(s);
  }
  return out;
}

inline std::vector<std::string> answers(const Packet& p) {
  return section(p.get(), LDNS_SECTION_ANSWER);
}
inline std::vector<std::string> authority(const Packet& p) {
  return section(p.get(), LDNS_SECTION_AUTHORITY);
}
inline std::vector<std::string> additional(const Packet& p) {
  return section(p.get(), LDNS_SECTION_ADDITIONAL);
}

inline uint16_t rawU16(const Bytes& wire, size_t offset) {
  return static_cast<uint16_t>((wire[offset] << 8) | wire[offset + 1]);
}

// The OPT RDATA ldns extracted from a response (empty when there was none or it was empty).
inline Bytes optData(const Packet& p) {
  const ldns_rdf* data = ldns_pkt_edns_data(p.get());
  if (data == nullptr) {
    return {};
  }
  return Bytes(ldns_rdf_data(data), ldns_rdf_data(data) + ldns_rdf_size(data));
}

// --- routing --------------------------------------------------------------------------------

// Makes a Table's policies with routing::makePolicy once profiles and endpoints are in place.
inline void attachPolicies(routing::Table& table) {
  for (routing::ProfileId id = 0; id < table.profiles.size(); ++id) {
    std::string error;
    auto policy = routing::makePolicy(table, id, routing::PolicyInputs{}, error);
    EXPECT_NE(policy, nullptr) << error;
    table.profiles[id].policy = policy.get();
    table.policies.push_back(std::move(policy));
  }
}

inline routing::ClientInfo ipv4Source(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  routing::ClientInfo info;
  info.family = 4;
  info.sourcePrefix = 32;
  info.addr[0] = a;
  info.addr[1] = b;
  info.addr[2] = c;
  info.addr[3] = d;
  return info;
}

}  // namespace tmdns::dns::test
