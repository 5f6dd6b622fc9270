// Turns one DNS query message into one response message over a served snapshot; the query path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/query_stats.h"
#include "dns/rate_limiter.h"
#include "dns/snapshot.h"
#include "routing/policy.h"
#include "util/rng.h"

namespace tmdns::dns {

// Per-thread counters, plain integers: one handler per thread, aggregated elsewhere at scrape time.
struct HandlerCounters {
  uint64_t queries = 0;
  uint64_t responses = 0;
  uint64_t dropped = 0;  // QR=1 or shorter than a header: no response at all
  uint64_t formerr = 0;
  uint64_t nxdomain = 0;
  uint64_t nodata = 0;
  uint64_t refused = 0;
  uint64_t notimp = 0;
  uint64_t badvers = 0;
  uint64_t truncated = 0;
  uint64_t ecs = 0;
  uint64_t rateLimitDropped = 0;  // UDP responses the rate limiter dropped
  uint64_t rateLimitSlipped = 0;  // ... and sent truncated instead (slip)
};

class QueryHandler {
 public:
  explicit QueryHandler(uint64_t rngSeed) : rng_(rngSeed) {}

  // Builds the response to `query` into `out` and returns its length; 0 means send nothing.
  // `source` is the transport peer (ECS in the query overrides it for routing).
  // For UDP the response never exceeds the requester's payload size (512 without EDNS,
  // RFC 1035 §4.2.1; RFC 6891 §6.2.5 otherwise, capped by snapshot.maxUdpPayload); for TCP it
  // never exceeds 65535 or out.size(). `out` should hold at least 65535 bytes.
  // noexcept, allocation-free, lock-free.
  //
  // Outcomes (details in query_parser.h and answer_builder.h):
  // - silence: QR=1 or fewer than 12 octets;
  // - NOTIMP: opcode other than QUERY; FORMERR: malformed (QDCOUNT ≠ 1, bad names, lying
  //   counts, two OPTs, misplaced OPT, bad ECS); BADVERS: EDNS version > 0 (RFC 6891 §6.1.3);
  // - REFUSED: class other than IN, AXFR/IXFR (no zone transfers), or a name in none of our
  //   zones; none of these set AA;
  // - otherwise an authoritative answer (AA=1): data, NXDOMAIN or NODATA with the zone SOA.
  // RD and CD are copied, RA is never set. A query with OPT gets OPT (payload size
  // snapshot.maxUdpPayload, DO copied); a valid ECS option is echoed with the SCOPE routing
  // reported (0 when the answer does not depend on the client); ECS SOURCE PREFIX-LENGTH 0
  // routes on `source`. An answer over the limit is sent as header, question and OPT with TC.
  //
  // `stats` (the calling thread's block of the snapshot's QueryStats; may be null) counts every
  // response sent: by the query name's profile or zone, query type and rcode; and, unless the
  // response was truncated, every endpoint whose record it carries.
  //
  // `limiter` (UDP only; null: no limiting) decides, once the response is built and before it
  // is counted, whether it is sent, dropped (0 is returned) or slipped: sent as header,
  // question and OPT with TC, like an answer that did not fit. The flow is `source` (never the
  // ECS address) and the response class; `nowSeconds` is RateLimiter::clockSeconds() as the
  // caller read it for its batch. A dropped response is not counted in `stats`; a slipped one
  // is, without endpoints.
  size_t handle(const Snapshot& snapshot, routing::HealthView health,
                std::span<const uint8_t> query, const routing::ClientInfo& source,
                Transport transport, std::span<uint8_t> out, QueryStats::Block* stats = nullptr,
                RateLimiter* limiter = nullptr, uint32_t nowSeconds = 0) noexcept;

  const HandlerCounters& counters() const noexcept { return counters_; }

 private:
  util::Rng rng_;
  HandlerCounters counters_;
};

}  // namespace tmdns::dns
