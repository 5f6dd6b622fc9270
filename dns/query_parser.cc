// Query message parsing for the query path; see query_parser.h.
#include "dns/query_parser.h"

#include "dns/wire_types.h"

namespace tmdns::dns {

bool parseQuery(std::span<const uint8_t> message, ParsedQuery& out) noexcept {
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
  for (uint16_t i = 0; i < out.header.qdcount; ++i) {
    Question scratch;
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
