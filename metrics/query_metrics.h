// The DNS counters as metrics: per-snapshot QueryStats summed over threads, folded on reload.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dns/query_handler.h"
#include "dns/query_stats.h"
#include "dns/server.h"
#include "metrics/catalog.h"
#include "metrics/family.h"

namespace tmdns::metrics {

// tmdns_dns_queries_total{zone,profile,qtype,rcode,transport} and
// tmdns_dns_endpoint_answers_total{zone,profile,endpoint,endpoint_profile}.
//
// The workers count into the QueryStats of the snapshot they serve. When a reload replaces the
// snapshot, the publisher hands the new stats here after the RCU grace period of the old state
// (so no worker writes the old stats any more), and the old stats' totals are folded into
// label-keyed cumulative totals. A scrape renders folded + current under one lock, so no
// counter ever goes back, across any number of reloads, and a profile or endpoint that was
// removed keeps its last total until the process restarts.
class QueryMetrics {
 public:
  using Totals = std::map<std::vector<std::string>, double>;

  void replace(std::shared_ptr<const Catalog> catalog,
               std::shared_ptr<const dns::QueryStats> stats);

  void collect(std::vector<Family>& out) const;

  // Folded + current, keyed by label values in the order above (for tests).
  Totals queryTotals() const;
  Totals answerTotals() const;

 private:
  static void addQueries(const Catalog& catalog, const dns::QueryStats& stats, Totals& totals);
  // `zeros`: also create every (profile, endpoint) pair the snapshot can return, at 0.
  static void addAnswers(const Catalog& catalog, const dns::QueryStats& stats, bool zeros,
                         Totals& totals);

  mutable std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;
  std::shared_ptr<const dns::QueryStats> stats_;
  Totals foldedQueries_;
  Totals foldedAnswers_;
};

// The server's transport counters: ECS, truncated, malformed, refused and dropped queries per
// transport, rate-limited UDP responses, and the UDP/TCP I/O events.
void collectServerCounters(const dns::HandlerCounters& udp, const dns::HandlerCounters& tcp,
                           const dns::ServerIoCounters& io, std::vector<Family>& out);

}  // namespace tmdns::metrics
