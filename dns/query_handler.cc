// QueryHandler::handle: parse, choose the rcode, assemble, size-limit and truncate one response.
#include "dns/query_handler.h"

#include <algorithm>

#include "dns/answer_builder.h"
#include "dns/query_parser.h"
#include "dns/response_writer.h"
#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

// The most a response may hold. RFC 1035 §4.2.1: 512 over UDP without EDNS; RFC 6891 §6.2.5:
// the requester's payload size (at least 512) capped by what we are willing to send; RFC 1035
// §4.2.2: a TCP message is at most 65535 octets.
size_t responseLimit(const Snapshot& snapshot, const ParsedQuery& query, Transport transport,
                     size_t bufferSize) noexcept {
  size_t limit = kMaxUdpWithoutEdns;
  if (transport == Transport::kTcp) {
    limit = kMaxMessage;
  } else if (query.hasOpt) {
    const size_t ours = std::max<size_t>(kMaxUdpWithoutEdns, snapshot.maxUdpPayload);
    limit = std::min<size_t>(query.edns.udpSize, ours);
  }
  return std::min(limit, bufferSize);
}

// The scope we return never claims more precision than the client offered: the answer was
// chosen from the source prefix alone, so it cannot be tailored beyond it (issue 3; RFC 7871
// §7.2.1 allows longer scopes, but a resolver would then cache our answer for a prefix we never
// saw).
uint8_t maxScope(const ClientSubnet& ecs) noexcept {
  return ecs.sourcePrefix;
}

}  // namespace

size_t QueryHandler::handle(const Snapshot& snapshot, routing::HealthView health,
                            std::span<const uint8_t> query, const routing::ClientInfo& source,
                            Transport transport, std::span<uint8_t> out, QueryStats::Block* stats,
                            RateLimiter* limiter, uint32_t nowSeconds) noexcept {
  ++counters_.queries;
  // RFC 1035 §4.1.1: a response (QR=1) is never answered, or two servers could loop; a
  // message shorter than a header has no ID to answer with.
  if (query.size() < kHeaderSize || (query[2] & 0x80) != 0) {
    ++counters_.dropped;
    return 0;
  }
  ParsedQuery parsed;
  const bool wellFormed = parseQuery(query, parsed);
  const size_t limit = responseLimit(snapshot, parsed, transport, out.size());

  // Echoed: ID, OPCODE, RD (RFC 1035 §4.1.1) and CD (RFC 4035 §3.1.6). RA stays 0: we do not
  // recurse. AA and TC are decided below.
  uint16_t flags = static_cast<uint16_t>(
      kFlagQr | (parsed.header.flags & ((kOpcodeMask << kOpcodeShift) | kFlagRd | kFlagCd)));
  ResponseWriter writer(out, limit);
  writer.writeHeader(parsed.header.id, flags);
  if (parsed.hasQuestion) {
    writer.writeQuestion(parsed.question.nameSpan(), parsed.question.type, parsed.question.cls);
  }
  if (writer.overflowed()) {
    ++counters_.dropped;  // the caller's buffer cannot hold even the question
    return 0;
  }
  const ResponseWriter::Mark questionOnly = writer.mark();

  uint16_t rcode = kRcodeNoError;
  uint8_t scope = 0;
  AnswerResult result;
  if (parsed.opcode != kOpcodeQuery) {
    rcode = kRcodeNotImp;  // RFC 1035 §4.1.1: only QUERY is served
    ++counters_.notimp;
  } else if (!wellFormed) {
    rcode = kRcodeFormErr;
    ++counters_.formerr;
  } else if (parsed.hasOpt && parsed.edns.version > 0) {
    // RFC 6891 §6.1.3: answer BADVERS with our highest version (0), without processing.
    rcode = kRcodeBadVers;
    ++counters_.badvers;
  } else if (parsed.question.cls != kClassIn) {
    // Only class IN data exists here; CH/HS/NONE/ANY are not ours to answer.
    rcode = kRcodeRefused;
    ++counters_.refused;
  } else if (parsed.question.type == kTypeAxfr || parsed.question.type == kTypeIxfr) {
    // Zone transfers are not offered (the zones are compiled from configuration, not
    // transferred). REFUSED is the policy answer; NOTIMP would claim the opcode is unknown.
    rcode = kRcodeRefused;
    ++counters_.refused;
  }
  // RFC 7871 §7.2.1: a query's ECS is echoed (FAMILY, SOURCE PREFIX-LENGTH, ADDRESS) unless
  // the query was rejected as malformed or of an unknown EDNS version.
  const ClientSubnet* ecs = nullptr;
  if (parsed.hasOpt && parsed.edns.hasEcs && rcode != kRcodeFormErr && rcode != kRcodeBadVers) {
    ecs = &parsed.edns.ecs;
    ++counters_.ecs;
  }

  if (parsed.opcode == kOpcodeQuery && wellFormed && rcode == kRcodeNoError) {
    // RFC 7871 §7.1.2: SOURCE PREFIX-LENGTH 0 asks that no client address be used, so route on
    // the transport source as if there were no ECS.
    const routing::ClientInfo client =
        (ecs != nullptr && ecs->sourcePrefix > 0) ? clientInfoFrom(*ecs) : source;
    const size_t optReserve = parsed.hasOpt ? ResponseWriter::optSize(ecs) : 0;
    writer.reserve(optReserve);
    const ResponseWriter::Mark afterQuestion = writer.mark();
    AnswerQuery answerQuery;
    answerQuery.name = parsed.question.nameSpan();
    answerQuery.type = parsed.question.type;
    answerQuery.health = health;
    answerQuery.client = &client;
    answerQuery.rng = &rng_;
    result = writeAnswer(snapshot, answerQuery, writer);
    writer.release(optReserve);
    rcode = result.rcode;
    if (result.authoritative) {
      flags |= kFlagAa;
    }
    if (ecs != nullptr && result.authoritative) {
      scope = std::min(result.ecsScope, maxScope(*ecs));
    }
    if (writer.overflowed()) {
      // RFC 2181 §9: never a partial RRset; we drop every section and set TC so the requester
      // retries over TCP (RFC 7766 §5).
      writer.rewind(afterQuestion);
      flags |= kFlagTc;
      ++counters_.truncated;
    }
    if (rcode == kRcodeRefused) {
      ++counters_.refused;
    } else if (rcode == kRcodeNxDomain) {
      ++counters_.nxdomain;
    } else if (result.noData) {
      ++counters_.nodata;
    }
  }

  // Response Rate Limiting: TCP is exempt, its handshake proved the client's address. The
  // class is known only now; the response is not counted yet, so a dropped one never is.
  if (limiter != nullptr && transport == Transport::kUdp) {
    const RateLimitAction action =
        limiter->check(source, responseClassOf(rcode, result.noData), nowSeconds);
    if (action == RateLimitAction::kDrop) {
      ++counters_.rateLimitDropped;
      return 0;
    }
    if (action == RateLimitAction::kSlip) {
      // As for an answer too large (RFC 2181 §9): no records, TC, so a resolver retries over
      // TCP, which a spoofed victim never does. The OPT stays (RFC 6891 §7).
      writer.rewind(questionOnly);
      flags |= kFlagTc;
      ++counters_.rateLimitSlipped;
    }
  }

  if (parsed.hasOpt) {
    // RFC 6891 §7: a query with OPT gets OPT back; RFC 3225 §3: DO is copied.
    const auto advertised =
        static_cast<uint16_t>(std::max<size_t>(kMaxUdpWithoutEdns, snapshot.maxUdpPayload));
    writer.writeOpt(advertised, static_cast<uint8_t>(rcode >> 4), parsed.edns.dnssecOk, ecs, scope);
  }
  flags = static_cast<uint16_t>(flags | (rcode & 0x0F));
  writer.setFlags(flags);
  const size_t length = writer.finish();
  if (length == 0) {
    ++counters_.dropped;
    return 0;
  }
  ++counters_.responses;
  if (stats != nullptr) {
    stats->countQuery(result.zone, result.profile,
                      parsed.hasQuestion ? qtypeClassOf(parsed.question.type) : QtypeClass::kOther,
                      rcodeClassOf(rcode));
    // A truncated response carries no records: the retry over TCP is what returns them.
    if ((flags & kFlagTc) == 0) {
      for (uint8_t i = 0; i < result.returnedCount; ++i) {
        stats->countAnswer(result.returned[i].profile, result.returned[i].endpoint);
      }
    }
  }
  return length;
}

}  // namespace tmdns::dns
