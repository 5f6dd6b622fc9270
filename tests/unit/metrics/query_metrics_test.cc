// DNS counters end to end inside the process: the handler counts into QueryStats blocks, the
// metrics sum them per label set and keep totals across snapshot replacements.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/query_handler.h"
#include "dns/query_stats.h"
#include "metrics/query_metrics.h"
#include "routing/health_table.h"
#include "tests/unit/metrics/metrics_test_support.h"

namespace tmdns::metrics {
namespace {

using Key = std::vector<std::string>;

std::vector<uint8_t> query(const std::string& name, uint16_t type) {
  std::vector<uint8_t> q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) {
      dot = name.size();
    }
    q.push_back(static_cast<uint8_t>(dot - start));
    q.insert(q.end(), name.begin() + static_cast<long>(start),
             name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  q.push_back(0);
  q.push_back(static_cast<uint8_t>(type >> 8));
  q.push_back(static_cast<uint8_t>(type));
  q.push_back(0);
  q.push_back(1);
  return q;
}

class QueryMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    compiled_ = test::compileConfig();
    health_.status.assign(compiled_.snapshot->routing.endpoints.size(),
                          routing::MonitorStatus::kOnline);
    stats_ = std::make_shared<dns::QueryStats>(*compiled_.snapshot, 2, 1);
    metrics_.replace(compiled_.catalog, stats_);
  }

  size_t ask(const std::string& name, uint16_t type, uint32_t slot,
             dns::Transport transport = dns::Transport::kUdp, size_t outSize = 65535) {
    std::vector<uint8_t> out(outSize);
    routing::ClientInfo client;
    client.family = 4;
    client.sourcePrefix = 32;
    return handler_.handle(*compiled_.snapshot, health_.view(), query(name, type), client,
                           transport, out, stats_->block(slot));
  }

  test::Compiled compiled_;
  routing::HealthTable health_;
  std::shared_ptr<dns::QueryStats> stats_;
  QueryMetrics metrics_;
  dns::QueryHandler handler_{1};
};

TEST_F(QueryMetricsTest, CountsByNameTypeRcodeAndTransport) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_GT(ask("app.z.test", 1, 0), 0u);
  }
  ASSERT_GT(ask("app.z.test", 1, 1), 0u);  // a second UDP worker
  ASSERT_GT(ask("app.z.test", 28, 2, dns::Transport::kTcp), 0u);
  ASSERT_GT(ask("www.z.test", 1, 0), 0u);    // static CNAME into app
  ASSERT_GT(ask("nope.z.test", 16, 0), 0u);  // NXDOMAIN in the zone
  ASSERT_GT(ask("example.com", 15, 0), 0u);  // not ours: REFUSED
  ASSERT_GT(ask("off.z.test", 1, 0), 0u);    // disabled profile: NXDOMAIN
  ASSERT_GT(ask("app.z.test", 99, 0), 0u);   // a type outside the fixed set

  const QueryMetrics::Totals queries = metrics_.queryTotals();
  const QueryMetrics::Totals expected = {
      {Key{"z.test", "app", "A", "NOERROR", "udp"}, 4},
      {Key{"z.test", "app", "AAAA", "NOERROR", "tcp"}, 1},
      {Key{"z.test", "app", "other", "NOERROR", "udp"}, 1},
      {Key{"z.test", "", "A", "NOERROR", "udp"}, 1},
      {Key{"z.test", "", "TXT", "NXDOMAIN", "udp"}, 1},
      {Key{"", "", "MX", "REFUSED", "udp"}, 1},
      {Key{"z.test", "off", "A", "NXDOMAIN", "udp"}, 1},
  };
  EXPECT_EQ(queries, expected);

  const QueryMetrics::Totals answers = metrics_.answerTotals();
  // Every endpoint the snapshot can return is listed, at 0 until returned; the AAAA query got
  // NODATA (IPv4 endpoint), the direct and the CNAME'd A queries returned primary.
  EXPECT_EQ(answers.at(Key{"z.test", "app", "primary", "app"}), 5);
  EXPECT_EQ(answers.at(Key{"z.test", "app", "secondary", "app"}), 0);
  EXPECT_EQ(answers.at(Key{"z.test", "app", "c1", "child"}), 0);
  EXPECT_EQ(answers.at(Key{"z.test", "child", "c1", "child"}), 0);
  EXPECT_EQ(answers.count(Key{"z.test", "app", "nested", "app"}), 0u);  // never a leaf
}

TEST_F(QueryMetricsTest, NestedAnswerCountsAgainstParentProfileAndLeafEndpoint) {
  health_.status[0] = routing::MonitorStatus::kDegraded;
  health_.status[1] = routing::MonitorStatus::kDegraded;
  ASSERT_GT(ask("app.z.test", 1, 0), 0u);
  ASSERT_GT(ask("child.z.test", 1, 0), 0u);
  const QueryMetrics::Totals answers = metrics_.answerTotals();
  EXPECT_EQ(answers.at(Key{"z.test", "app", "c1", "child"}), 1);
  EXPECT_EQ(answers.at(Key{"z.test", "child", "c1", "child"}), 1);
  EXPECT_EQ(answers.at(Key{"z.test", "app", "primary", "app"}), 0);
}

TEST_F(QueryMetricsTest, TruncatedResponseCountsTheQueryButNoEndpoint) {
  // Room for the header and question only: the answer record does not fit and TC is set.
  ASSERT_GT(ask("app.z.test", 1, 0, dns::Transport::kUdp, 40), 0u);
  EXPECT_EQ(handler_.counters().truncated, 1u);
  EXPECT_EQ(metrics_.queryTotals().at(Key{"z.test", "app", "A", "NOERROR", "udp"}), 1);
  EXPECT_EQ(metrics_.answerTotals().at(Key{"z.test", "app", "primary", "app"}), 0);
}

TEST_F(QueryMetricsTest, TotalsSurviveReplacementAndNeverGoBack) {
  ASSERT_GT(ask("app.z.test", 1, 0), 0u);
  ASSERT_GT(ask("app.z.test", 1, 0), 0u);
  const Key appA{"z.test", "app", "A", "NOERROR", "udp"};
  const Key primary{"z.test", "app", "primary", "app"};
  EXPECT_EQ(metrics_.queryTotals().at(appA), 2);

  // A reload: a new configuration without the "off" profile, fresh counters.
  std::string text = test::kConfig;
  text = text.substr(0, text.find("      - name: \"off\""));
  test::Compiled next = test::compileConfig(text, 2);
  auto nextStats = std::make_shared<dns::QueryStats>(*next.snapshot, 2, 1);
  ASSERT_GT(ask("off.z.test", 1, 0), 0u);  // into the old stats, before the swap
  metrics_.replace(next.catalog, nextStats);
  EXPECT_EQ(metrics_.queryTotals().at(appA), 2);
  EXPECT_EQ(metrics_.answerTotals().at(primary), 2);
  // The removed profile keeps its total.
  EXPECT_EQ(metrics_.queryTotals().at(Key({"z.test", "off", "A", "NXDOMAIN", "udp"})), 1);

  compiled_ = next;
  stats_ = nextStats;
  ASSERT_GT(ask("app.z.test", 1, 1), 0u);
  EXPECT_EQ(metrics_.queryTotals().at(appA), 3);
  EXPECT_EQ(metrics_.answerTotals().at(primary), 3);
  // Replacing with the same counters again folds nothing twice.
  metrics_.replace(next.catalog, nextStats);
  EXPECT_EQ(metrics_.queryTotals().at(appA), 3);
}

TEST(QueryStats, SlotsAndOutOfRangeCounts) {
  test::Compiled compiled = test::compileConfig();
  dns::QueryStats stats(*compiled.snapshot, 3, 1);
  EXPECT_EQ(stats.slotCount(), 4u);
  EXPECT_EQ(stats.slotTransport(2), dns::Transport::kUdp);
  EXPECT_EQ(stats.slotTransport(3), dns::Transport::kTcp);
  EXPECT_EQ(stats.block(4), nullptr);
  EXPECT_EQ(stats.rowCount(), 3u + 1u + 1u);  // three profiles, one zone, outside
  dns::QueryStats::Block* block = stats.block(0);
  ASSERT_NE(block, nullptr);
  // An endpoint the profile cannot return is ignored rather than counted anywhere.
  block->countAnswer(2, 0);
  block->countAnswer(99, 0);
  for (size_t i = 0; i < stats.answerPairCount(); ++i) {
    EXPECT_EQ(stats.answers(0, i), 0u);
  }
  block->countQuery(dns::kNoIndex, routing::kNone, dns::QtypeClass::kA, dns::RcodeClass::kRefused);
  EXPECT_EQ(stats.queries(0, stats.rowCount() - 1, dns::QtypeClass::kA, dns::RcodeClass::kRefused),
            1u);
}

TEST(ServerCounters, RateLimitedResponsesByAction) {
  dns::HandlerCounters udp;
  udp.rateLimitDropped = 7;
  udp.rateLimitSlipped = 3;
  dns::HandlerCounters tcp;
  tcp.rateLimitDropped = 100;  // never happens (TCP is exempt); not shown if it did
  std::vector<Family> families;
  collectServerCounters(udp, tcp, dns::ServerIoCounters{}, families);
  const Family* found = nullptr;
  for (const Family& f : families) {
    if (f.name == "tmdns_dns_rate_limited_responses_total") {
      found = &f;
    }
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->type, MetricType::kCounter);
  ASSERT_EQ(found->samples.size(), 2u);
  EXPECT_EQ(found->samples[0].labels, (Labels{{"action", "dropped"}}));
  EXPECT_EQ(found->samples[0].value, 7);
  EXPECT_EQ(found->samples[1].labels, (Labels{{"action", "slipped"}}));
  EXPECT_EQ(found->samples[1].value, 3);
}

}  // namespace
}  // namespace tmdns::metrics
