// Query message parsing for the query path; see query_parser.h.
#include "dns/query_parser.h"

#include <cstring>

#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

enum class Simple : uint8_t { kWellFormed, kMalformed, kNotSimple };

uint16_t u16At(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

// The shape nearly every query has: one question whose name is not compressed, no answer or
// authority records, at most one additional record. Read in one pass with no per-field bounds
// checks (each check covers a whole fixed-size part), with the same result parseQuery's general
// loop gives; anything else is kNotSimple and `out` is left as it was.
Simple parseSimple(std::span<const uint8_t> message, ParsedQuery& out) noexcept {
  const uint8_t* m = message.data();
  const size_t size = message.size();
  if (size < kHeaderSize || u16At(m + 4) != 1 || u16At(m + 6) != 0 || u16At(m + 8) != 0 ||
      u16At(m + 10) > 1) {
    return Simple::kNotSimple;
  }
  size_t pos = kHeaderSize;
  for (;;) {
    if (pos >= size || m[pos] > kMaxLabelLength) {
      return Simple::kNotSimple;  // truncated, compressed or an extended label type
    }
    if (m[pos] == 0) {
      break;
    }
    pos += size_t{1} + m[pos];
    if (pos - kHeaderSize >= kMaxNameLength) {
      return Simple::kNotSimple;  // too long: the general path says how
    }
  }
  const size_t nameLength = pos + 1 - kHeaderSize;
  pos += 1;
  if (size - pos < 4) {
    return Simple::kNotSimple;
  }
  Edns edns;
  bool hasOpt = false;
  bool optParsed = true;
  const size_t question = pos;
  pos += 4;
  if (u16At(m + 10) == 1) {
    // Only a root-owned record is handled here: RFC 6891 §6.1.2's OPT, or a record that the
    // general path would skip (and any other owner is left to it).
    if (size - pos < 11 || m[pos] != 0) {
      return Simple::kNotSimple;
    }
    const uint16_t type = u16At(m + pos + 1);
    const uint16_t cls = u16At(m + pos + 3);
    const uint32_t ttl = (uint32_t{u16At(m + pos + 5)} << 16) | u16At(m + pos + 7);
    const uint16_t rdlength = u16At(m + pos + 9);
    if (size - pos - 11 < rdlength) {
      return Simple::kNotSimple;
    }
    if (type == kTypeOpt) {
      hasOpt = true;
      optParsed = parseOpt(cls, ttl, message.subspan(pos + 11, rdlength), edns);
    }
  }
  out.header.id = u16At(m);
  out.header.flags = u16At(m + 2);
  out.header.qdcount = 1;
  out.header.ancount = 0;
  out.header.nscount = 0;
  out.header.arcount = u16At(m + 10);
  out.opcode = static_cast<uint8_t>((out.header.flags >> kOpcodeShift) & kOpcodeMask);
  std::memcpy(out.question.name, m + kHeaderSize, nameLength);
  out.question.nameLength = static_cast<uint8_t>(nameLength);
  out.question.type = u16At(m + question);
  out.question.cls = u16At(m + question + 2);
  out.hasQuestion = true;
  out.hasOpt = hasOpt;
  if (hasOpt) {
    out.edns = edns;
  }
  return optParsed ? Simple::kWellFormed : Simple::kMalformed;
}

}  // namespace

bool parseQuery(std::span<const uint8_t> message, ParsedQuery& out) noexcept {
  if (const Simple simple = parseSimple(message, out); simple != Simple::kNotSimple) {
    return simple == Simple::kWellFormed;
  }
  WireReader reader(message);
  if (!reader.readHeader(out.header)) {
    return false;
  }
  out.opcode = static_cast<uint8_t>((out.header.flags >> kOpcodeShift) & kOpcodeMask);

  bool ok = true;
  // RFC 9619: a QUERY carries exactly one question; 0 or 2+ is FORMERR. Further questions
  // are still read so that the sections after them (and their OPT) can be checked.
  if (out.header.qdcount != 1) {
    ok = false;
  }
  Question scratch;
  for (uint16_t i = 0; i < out.header.qdcount; ++i) {
    Question& target = (i == 0 && out.header.qdcount == 1) ? out.question : scratch;
    if (!reader.readQuestion(target)) {
      return false;
    }
  }
  out.hasQuestion = out.header.qdcount == 1;

  const uint16_t counts[3] = {out.header.ancount, out.header.nscount, out.header.arcount};
  int optCount = 0;
  bool optPlacedWell = true;
  bool optParsed = true;
  for (int section = 0; section < 3; ++section) {
    for (uint16_t i = 0; i < counts[section]; ++i) {
      RecordView record;
      if (!reader.readRecord(record)) {
        // Counts that promise more records than the message holds end up here.
        out.hasOpt = optCount == 1 && optPlacedWell;
        return false;
      }
      if (record.type != kTypeOpt) {
        continue;
      }
      ++optCount;
      // RFC 6891 §6.1.1: OPT only in the additional section; §6.1.2: owner is the root.
      if (section != 2 || !record.ownerIsRoot) {
        optPlacedWell = false;
      }
      if (optCount == 1) {
        optParsed = parseOpt(record.cls, record.ttl, record.rdata, out.edns);
      }
    }
  }
  // RFC 6891 §6.1.1: more than one OPT is FORMERR, answered without OPT (we cannot tell which
  // one the requester meant).
  out.hasOpt = optCount == 1 && optPlacedWell;
  return ok && optCount <= 1 && optPlacedWell && optParsed;
}

}  // namespace tmdns::dns
