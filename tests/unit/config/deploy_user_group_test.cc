// The loader's `user:` / `group:` keys: whom to run as once the sockets are bound.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "config/loader.h"
#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

TEST(LoaderRunAs, AbsentMeansStayAsStarted) {
  const Loaded loaded = loadText(kZone);
  ASSERT_TRUE(loaded.config.has_value());
  EXPECT_EQ(loaded.config->runAs.user, "");
  EXPECT_EQ(loaded.config->runAs.group, "");
}

struct Accepted {
  std::string yaml;
  std::string user;
  std::string group;
};

void PrintTo(const Accepted& c, std::ostream* os) {
  *os << c.yaml;
}

class LoaderRunAsAccepted : public ::testing::TestWithParam<Accepted> {};

TEST_P(LoaderRunAsAccepted, Loads) {
  const Accepted& c = GetParam();
  const Loaded loaded = loadText(c.yaml + kZone);
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  EXPECT_EQ(loaded.config->runAs.user, c.user);
  EXPECT_EQ(loaded.config->runAs.group, c.group);
  EXPECT_EQ(loaded.config->runAs.path, "user");
  EXPECT_EQ(loaded.config->runAs.pos.line, 1);
  EXPECT_EQ(loaded.config->runAs.pos.col, 7);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoaderRunAsAccepted,
    ::testing::Values(Accepted{"user: tmdns\n", "tmdns", ""},
                      Accepted{"user: tmdns\ngroup: tmdns\n", "tmdns", "tmdns"},
                      Accepted{"user: nobody\ngroup: nogroup\n", "nobody", "nogroup"},
                      Accepted{"user: 10053\ngroup: 10053\n", "10053", "10053"},
                      Accepted{"user: svc_dns-1.a\n", "svc_dns-1.a", ""}));

struct Rejected {
  std::string yaml;
  std::string error;  // the one error, formatted
};

void PrintTo(const Rejected& c, std::ostream* os) {
  *os << c.yaml;
}

class LoaderRunAsRejected : public ::testing::TestWithParam<Rejected> {};

TEST_P(LoaderRunAsRejected, ReportsWhere) {
  const Rejected& c = GetParam();
  const Loaded loaded = loadText(c.yaml + kZone);
  EXPECT_FALSE(loaded.config.has_value());
  EXPECT_EQ(loaded.errors, std::vector<std::string>{c.error});
}

const std::string kBadName =
    "must be a user or group name (letters, digits, '_', '-', '.') or a numeric id";

INSTANTIATE_TEST_SUITE_P(
    Cases, LoaderRunAsRejected,
    ::testing::Values(
        Rejected{"group: tmdns\n", "cfg.yaml:1:8: group: needs `user:` (the user to run as)"},
        Rejected{"user: \"\"\n", "cfg.yaml:1:7: user: " + kBadName},
        Rejected{"user: \"tm dns\"\n", "cfg.yaml:1:7: user: " + kBadName},
        Rejected{"user: -tmdns\n", "cfg.yaml:1:7: user: " + kBadName},
        Rejected{"user: tmdns\ngroup: \"a/b\"\n", "cfg.yaml:2:8: group: " + kBadName},
        Rejected{"user: [tmdns]\n", "cfg.yaml:1:7: user: must be a string"},
        Rejected{"user: " + std::string(33, 'a') + "\n", "cfg.yaml:1:7: user: " + kBadName}));

}  // namespace
}  // namespace tmdns::config::testing
