// QueryMetrics: summing the per-thread blocks, folding replaced snapshots, the transport counters.
#include "metrics/query_metrics.h"

#include <utility>

#include "metrics/instruments.h"

namespace tmdns::metrics {
namespace {

const std::vector<std::string> kQueryLabels = {"zone", "profile", "qtype", "rcode", "transport"};
const std::vector<std::string> kAnswerLabels = {"zone", "profile", "endpoint", "endpoint_profile"};

Family counterFamily(const char* name, const char* help, const std::vector<std::string>& labels,
                     const QueryMetrics::Totals& totals) {
  Family family;
  family.name = name;
  family.help = help;
  family.type = MetricType::kCounter;
  family.samples.reserve(totals.size());
  for (const auto& [values, value] : totals) {
    family.samples.push_back({zipLabels(labels, values), value});
  }
  return family;
}

void perTransport(std::vector<Family>& out, const char* name, const char* help, uint64_t udp,
                  uint64_t tcp) {
  Family family;
  family.name = name;
  family.help = help;
  family.type = MetricType::kCounter;
  family.samples.push_back({{{"transport", "udp"}}, static_cast<double>(udp)});
  family.samples.push_back({{{"transport", "tcp"}}, static_cast<double>(tcp)});
  out.push_back(std::move(family));
}

void single(std::vector<Family>& out, const char* name, const char* help, uint64_t value) {
  Family family;
  family.name = name;
  family.help = help;
  family.type = MetricType::kCounter;
  family.samples.push_back({{}, static_cast<double>(value)});
  out.push_back(std::move(family));
}

}  // namespace

void QueryMetrics::addQueries(const Catalog& catalog, const dns::QueryStats& stats,
                              Totals& totals) {
  const uint32_t profiles = stats.profileCount();
  const uint32_t zones = stats.zoneCount();
  for (uint32_t row = 0; row < stats.rowCount(); ++row) {
    std::string zone;
    std::string profile;
    if (row < profiles) {
      if (row >= catalog.profiles.size()) {
        continue;
      }
      zone = catalog.profiles[row].zoneName;
      profile = catalog.profiles[row].name;
    } else if (row - profiles < zones) {
      if (row - profiles >= catalog.zones.size()) {
        continue;
      }
      zone = catalog.zones[row - profiles];
    }
    for (size_t q = 0; q < dns::kQtypeClassCount; ++q) {
      for (size_t r = 0; r < dns::kRcodeClassCount; ++r) {
        const auto qtype = static_cast<dns::QtypeClass>(q);
        const auto rcode = static_cast<dns::RcodeClass>(r);
        uint64_t sums[2] = {0, 0};
        for (uint32_t slot = 0; slot < stats.slotCount(); ++slot) {
          sums[static_cast<size_t>(stats.slotTransport(slot))] +=
              stats.queries(slot, row, qtype, rcode);
        }
        for (const dns::Transport transport : {dns::Transport::kUdp, dns::Transport::kTcp}) {
          const uint64_t sum = sums[static_cast<size_t>(transport)];
          if (sum == 0) {
            continue;  // ~200 combinations per name: only those that happened are shown
          }
          totals[{zone, profile, std::string(dns::toString(qtype)),
                  std::string(dns::toString(rcode)), std::string(dns::toString(transport))}] +=
              static_cast<double>(sum);
        }
      }
    }
  }
}

void QueryMetrics::addAnswers(const Catalog& catalog, const dns::QueryStats& stats, bool zeros,
                              Totals& totals) {
  for (size_t i = 0; i < stats.answerPairCount(); ++i) {
    const dns::AnswerPair pair = stats.answerPair(i);
    if (pair.profile >= catalog.profiles.size() || pair.endpoint >= catalog.endpoints.size()) {
      continue;
    }
    const CatalogEndpoint& endpoint = catalog.endpoints[pair.endpoint];
    if (endpoint.nested || endpoint.profile >= catalog.profiles.size()) {
      continue;  // answers always carry the leaf a nested endpoint leads to
    }
    uint64_t sum = 0;
    for (uint32_t slot = 0; slot < stats.slotCount(); ++slot) {
      sum += stats.answers(slot, i);
    }
    if (sum == 0 && !zeros) {
      continue;
    }
    const CatalogProfile& profile = catalog.profiles[pair.profile];
    totals[{profile.zoneName, profile.name, endpoint.name,
            catalog.profiles[endpoint.profile].name}] += static_cast<double>(sum);
  }
}

void QueryMetrics::replace(std::shared_ptr<const Catalog> catalog,
                           std::shared_ptr<const dns::QueryStats> stats) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (catalog_ != nullptr && stats_ != nullptr && stats_ != stats) {
    addQueries(*catalog_, *stats_, foldedQueries_);
    addAnswers(*catalog_, *stats_, false, foldedAnswers_);
  }
  catalog_ = std::move(catalog);
  stats_ = std::move(stats);
}

QueryMetrics::Totals QueryMetrics::queryTotals() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Totals totals = foldedQueries_;
  if (catalog_ != nullptr && stats_ != nullptr) {
    addQueries(*catalog_, *stats_, totals);
  }
  return totals;
}

QueryMetrics::Totals QueryMetrics::answerTotals() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Totals totals = foldedAnswers_;
  if (catalog_ != nullptr && stats_ != nullptr) {
    addAnswers(*catalog_, *stats_, true, totals);
  }
  return totals;
}

void QueryMetrics::collect(std::vector<Family>& out) const {
  out.push_back(counterFamily(
      "tmdns_dns_queries_total",
      "DNS responses sent, by the query name's zone and profile (empty outside our zones or "
      "before a name was looked up), query type, response code and transport.",
      kQueryLabels, queryTotals()));
  out.push_back(counterFamily(
      "tmdns_dns_endpoint_answers_total",
      "Responses that returned an endpoint (Traffic Manager's Queries by Endpoint Returned), by "
      "the queried profile and the endpoint returned; through a nested endpoint: the parent "
      "profile and the leaf endpoint, endpoint_profile naming the leaf's own profile.",
      kAnswerLabels, answerTotals()));
}

void collectServerCounters(const dns::HandlerCounters& udp, const dns::HandlerCounters& tcp,
                           const dns::ServerIoCounters& io, std::vector<Family>& out) {
  perTransport(out, "tmdns_dns_ecs_queries_total",
               "Queries with a valid EDNS Client Subnet option (RFC 7871).", udp.ecs, tcp.ecs);
  perTransport(out, "tmdns_dns_truncated_responses_total",
               "Responses sent with TC because the answer did not fit.", udp.truncated,
               tcp.truncated);
  perTransport(out, "tmdns_dns_malformed_queries_total", "Queries answered with FORMERR.",
               udp.formerr, tcp.formerr);
  perTransport(out, "tmdns_dns_refused_queries_total",
               "Queries answered with REFUSED (not our zone, class other than IN, zone "
               "transfers).",
               udp.refused, tcp.refused);
  perTransport(out, "tmdns_dns_dropped_queries_total",
               "Messages left unanswered: responses (QR=1) and runts shorter than a DNS header.",
               udp.dropped, tcp.dropped);
  {
    Family family;
    family.name = "tmdns_dns_rate_limited_responses_total";
    family.help =
        "UDP responses held back by rate_limit: dropped, or slipped (sent truncated, so that a "
        "real client retries over TCP).";
    family.type = MetricType::kCounter;
    family.samples.push_back({{{"action", "dropped"}}, static_cast<double>(udp.rateLimitDropped)});
    family.samples.push_back({{{"action", "slipped"}}, static_cast<double>(udp.rateLimitSlipped)});
    out.push_back(std::move(family));
  }
  single(out, "tmdns_dns_udp_receive_errors_total", "recvmmsg failures other than EAGAIN.",
         io.udpReceiveErrors);
  single(out, "tmdns_dns_udp_send_dropped_total",
         "UDP responses given up after a send error or a full send buffer.", io.udpSendDropped);
  single(out, "tmdns_dns_udp_oversize_total",
         "UDP datagrams cut short by the receive buffer and not answered.", io.udpOversize);
  single(out, "tmdns_dns_no_state_total",
         "Queries dropped because no configuration was published yet.", io.noState);
  single(out, "tmdns_dns_tcp_accepted_total", "TCP connections accepted.", io.tcpAccepted);
  single(out, "tmdns_dns_tcp_rejected_total",
         "TCP connections closed at once because tcp.max_connections were open.", io.tcpRejected);
  single(out, "tmdns_dns_tcp_idle_closed_total",
         "TCP connections closed after tcp.idle_timeout_ms without activity.", io.tcpIdleClosed);
  single(out, "tmdns_dns_tcp_errors_total", "TCP accept failures and broken connections.",
         io.tcpAcceptErrors + io.tcpErrors);
}

}  // namespace tmdns::metrics
