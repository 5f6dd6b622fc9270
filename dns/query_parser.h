// Parses an incoming query message: header, question, every RR section and its OPT RR.
#pragma once

#include <cstdint>
#include <span>

#include "dns/edns.h"
#include "dns/wire_reader.h"

namespace tmdns::dns {

struct ParsedQuery {
  Header header;
  uint8_t opcode = 0;
  bool hasQuestion = false;  // QDCOUNT was 1 and the question parsed: echo it
  Question question;
  bool hasOpt = false;  // exactly one OPT, in the additional section, owned by the root
  Edns edns;            // valid when hasOpt
};

// Reads the whole message (it must hold at least a header). Returns false when it is malformed,
// i.e. FORMERR: QDCOUNT other than 1 (RFC 9619), a name or record that does not parse, counts
// larger than the records present, more than one OPT (RFC 6891 §6.1.1), an OPT outside the
// additional section or with a non-root owner (RFC 6891 §6.1.2), or bad EDNS options (see
// parseOpt). Whatever parsed before the problem is left in `out` for the FORMERR response.
// Octets after the last counted record are ignored.
bool parseQuery(std::span<const uint8_t> message, ParsedQuery& out) noexcept;

}  // namespace tmdns::dns
