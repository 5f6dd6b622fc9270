// deploy/prometheus: the example scrape configuration and alert rules pass promtool.
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/harness.h"
#include "tests/e2e/process.h"

namespace tmdns::e2e {
namespace {

const std::string kDir = std::string(TMDNS_SOURCE_DIR) + "/deploy/prometheus";

TEST(MetricsDeploy, PrometheusConfigurationIsValid) {
  const CommandResult r = runCommand({"promtool", "check", "config", kDir + "/prometheus.yml"});
  EXPECT_EQ(r.code(), 0) << r.startError << r.out << r.err;
  EXPECT_NE(r.out.find("SUCCESS: 1 rule files found"), std::string::npos) << r.out;
}

TEST(MetricsDeploy, AlertRulesAreValid) {
  const CommandResult r = runCommand({"promtool", "check", "rules", kDir + "/alerts.yml"});
  EXPECT_EQ(r.code(), 0) << r.startError << r.out << r.err;
  EXPECT_NE(r.out.find("SUCCESS: 5 rules found"), std::string::npos) << r.out;
  // The four alerts the README promises are there.
  const std::string rules = readFile(kDir + "/alerts.yml");
  for (const char* alert :
       {"TmdnsEndpointDown", "TmdnsProfileDegraded", "TmdnsReloadFailed", "TmdnsProberStalled"}) {
    EXPECT_NE(rules.find(std::string("alert: ") + alert), std::string::npos) << alert;
  }
}

}  // namespace
}  // namespace tmdns::e2e
