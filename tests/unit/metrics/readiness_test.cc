// /readyz's verdicts through start-up and shutdown, and the process metrics parser.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "metrics/process_metrics.h"
#include "metrics/readiness.h"

namespace tmdns::metrics {
namespace {

TEST(Readiness, TransitionsInStartUpOrderAndBackOnShutdown) {
  std::atomic<bool> probed{false};
  Readiness readiness([&probed] { return probed.load(); });
  EXPECT_FALSE(readiness.check().ready);
  EXPECT_EQ(readiness.check().reason, "configuration not loaded");
  readiness.configurationLoaded();
  EXPECT_EQ(readiness.check().reason, "DNS listeners not bound");
  readiness.listenersBound();
  EXPECT_FALSE(readiness.check().ready);
  EXPECT_EQ(readiness.check().reason, "first probe round not done");
  probed = true;
  EXPECT_TRUE(readiness.check().ready);
  EXPECT_EQ(readiness.check().reason, "ready");
  readiness.stopping();
  EXPECT_FALSE(readiness.check().ready);
  EXPECT_EQ(readiness.check().reason, "shutting down");
}

TEST(ProcessMetrics, ParsesProcStat) {
  // proc(5) fields; comm holds a space and a parenthesis.
  const std::string stat =
      "4242 (tm dns) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 6 0 500 "
      "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  const std::string procStat = "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n";
  ProcessSample sample;
  ASSERT_TRUE(parseProcStat(stat, procStat, 100, 4096, sample));
  EXPECT_DOUBLE_EQ(sample.cpuSeconds, 4.0);  // (250 + 150) / 100
  EXPECT_DOUBLE_EQ(sample.virtualBytes, 104857600);
  EXPECT_DOUBLE_EQ(sample.residentBytes, 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(sample.startTimeSeconds, 1700000005.0);
  EXPECT_FALSE(parseProcStat("garbage", procStat, 100, 4096, sample));
}

TEST(ProcessMetrics, ReadsThisProcess) {
  const ProcessSample sample = readProcessSample();
  EXPECT_GT(sample.residentBytes, 0);
  EXPECT_GE(sample.openFds, 3);  // at least stdin, stdout, stderr
  EXPECT_GT(sample.startTimeSeconds, 1.6e9);
}

}  // namespace
}  // namespace tmdns::metrics
