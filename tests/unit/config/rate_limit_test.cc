// `rate_limit:`: defaults, every setting, and the errors and warnings for what is written wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"
#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

TEST(RateLimitConfig, AbsentOrEmptyIsOff) {
  for (const std::string& text : {kZone, "rate_limit:\n" + kZone, "rate_limit: ~\n" + kZone}) {
    SCOPED_TRACE(text);
    const Loaded loaded = loadText(text);
    EXPECT_EQ(loaded.all, std::vector<std::string>{});
    ASSERT_TRUE(loaded.config.has_value());
    EXPECT_FALSE(loaded.config->rateLimit.has_value());
  }
}

TEST(RateLimitConfig, OnlyTheRateGivenTakesTheDefaults) {
  const std::string text = "rate_limit:\n  responses_per_second: 20\n" + kZone;
  const Loaded loaded = loadText(text);
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  ASSERT_TRUE(loaded.config->rateLimit.has_value());
  const RateLimitSettings& r = *loaded.config->rateLimit;
  EXPECT_EQ(r.path, "rate_limit");
  EXPECT_EQ(r.pos.line, 2);
  EXPECT_EQ(r.pos.col, 3);
  EXPECT_EQ(r.responsesPerSecond, 20);
  EXPECT_EQ(r.window, 2);
  EXPECT_EQ(r.slip, 2);
  EXPECT_EQ(r.ipv4Prefix, 24);
  EXPECT_EQ(r.ipv6Prefix, 56);
  EXPECT_EQ(r.tableSize, 65536);
}

TEST(RateLimitConfig, EverySetting) {
  struct Case {
    std::string yaml;
    RateLimitSettings expected;
  };
  auto settings = [](int rate, int window, int slip, int v4, int v6, int table) {
    RateLimitSettings s;
    s.responsesPerSecond = rate;
    s.window = window;
    s.slip = slip;
    s.ipv4Prefix = v4;
    s.ipv6Prefix = v6;
    s.tableSize = table;
    return s;
  };
  const Case cases[] = {
      {"{responses_per_second: 5, window: 1, slip: 0, ipv4_prefix: 8, ipv6_prefix: 32, "
       "table_size: 1024}",
       settings(5, 1, 0, 8, 32, 1024)},
      {"{responses_per_second: 1000000, window: 60, slip: 100, ipv4_prefix: 32, ipv6_prefix: "
       "128, table_size: 16777216}",
       settings(1000000, 60, 100, 32, 128, 16777216)},
      {"{responses_per_second: 1, slip: 1, table_size: 100000}", settings(1, 2, 1, 24, 56, 100000)},
      // JSON, being YAML, works too.
      {"{\"responses_per_second\": 7, \"ipv6_prefix\": 64}", settings(7, 2, 2, 24, 64, 65536)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    const Loaded loaded = loadText("rate_limit: " + c.yaml + "\n" + kZone);
    EXPECT_EQ(loaded.all, std::vector<std::string>{});
    ASSERT_TRUE(loaded.config.has_value());
    ASSERT_TRUE(loaded.config->rateLimit.has_value());
    const RateLimitSettings& r = *loaded.config->rateLimit;
    EXPECT_EQ(r.responsesPerSecond, c.expected.responsesPerSecond);
    EXPECT_EQ(r.window, c.expected.window);
    EXPECT_EQ(r.slip, c.expected.slip);
    EXPECT_EQ(r.ipv4Prefix, c.expected.ipv4Prefix);
    EXPECT_EQ(r.ipv6Prefix, c.expected.ipv6Prefix);
    EXPECT_EQ(r.tableSize, c.expected.tableSize);
  }
}

TEST(RateLimitConfig, Errors) {
  struct Case {
    const char* label;
    std::string block;   // what follows "rate_limit:"
    const char* needle;  // the error sits at its first occurrence after "rate_limit:"
    const char* expected;
  };
  const Case cases[] = {
      {"not a map", " 20", "20", "rate_limit: must be a map"},
      {"a list", " [20]", "[", "rate_limit: must be a map"},
      {"no rate", "\n  window: 2", "window",
       "rate_limit: missing required key "
       "\"responses_per_second\""},
      {"rate 0", "\n  responses_per_second: 0", "0",
       "rate_limit.responses_per_second: must be 1..1000000"},
      {"rate too high", "\n  responses_per_second: 1000001", "1000001",
       "rate_limit.responses_per_second: must be 1..1000000"},
      {"rate a word", "\n  responses_per_second: many", "many",
       "rate_limit.responses_per_second: must be a whole number"},
      {"rate fractional", "\n  responses_per_second: 2.5", "2.5",
       "rate_limit.responses_per_second: must be a whole number"},
      {"window 0", "\n  responses_per_second: 5\n  window: 0", "0",
       "rate_limit.window: must be 1..60"},
      {"window 61", "\n  responses_per_second: 5\n  window: 61", "61",
       "rate_limit.window: must be 1..60"},
      {"slip negative", "\n  responses_per_second: 5\n  slip: -1", "-1",
       "rate_limit.slip: must be 0..100"},
      {"slip 101", "\n  responses_per_second: 5\n  slip: 101", "101",
       "rate_limit.slip: must be 0..100"},
      {"ipv4 prefix 7", "\n  responses_per_second: 5\n  ipv4_prefix: 7", "7",
       "rate_limit.ipv4_prefix: must be 8..32"},
      {"ipv4 prefix 33", "\n  responses_per_second: 5\n  ipv4_prefix: 33", "33",
       "rate_limit.ipv4_prefix: must be 8..32"},
      {"ipv6 prefix 31", "\n  responses_per_second: 5\n  ipv6_prefix: 31", "31",
       "rate_limit.ipv6_prefix: must be 32..128"},
      {"ipv6 prefix 129", "\n  responses_per_second: 5\n  ipv6_prefix: 129", "129",
       "rate_limit.ipv6_prefix: must be 32..128"},
      {"table too small", "\n  responses_per_second: 5\n  table_size: 1023", "1023",
       "rate_limit.table_size: must be 1024..16777216"},
      {"table too large", "\n  responses_per_second: 5\n  table_size: 16777217", "16777217",
       "rate_limit.table_size: must be 1024..16777216"},
      {"slip a list", "\n  responses_per_second: 5\n  slip: [2]", "[",
       "rate_limit.slip: must be a whole number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    const std::string text = "rate_limit:" + c.block + "\n" + kZone;
    const Loaded loaded = loadText(text);
    const std::string at = locate(text, c.needle, "rate_limit:");
    ASSERT_NE(at, "?:?") << "bad test: needle not found";
    EXPECT_EQ(loaded.errors, std::vector<std::string>{"cfg.yaml:" + at + ": " + c.expected})
        << text;
    EXPECT_FALSE(loaded.config.has_value());
  }
}

TEST(RateLimitConfig, ErrorsNameTheFileLineAndColumnOfEachValue) {
  const std::string text =
      "threads: 1\n"
      "rate_limit:\n"
      "  responses_per_second: 20\n"
      "  window: 0\n"
      "  slip: 500\n" +
      kZone;
  const Loaded loaded = loadText(text);
  EXPECT_EQ(loaded.errors, (std::vector<std::string>{
                               "cfg.yaml:4:11: rate_limit.window: must be 1..60",
                               "cfg.yaml:5:9: rate_limit.slip: must be 0..100",
                           }));
  EXPECT_FALSE(loaded.config.has_value());
}

TEST(RateLimitConfig, UnknownKeysAreWarningsAsElsewhere) {
  const std::string text = "rate_limit: {responses_per_second: 5, burst: 10}\n" + kZone;
  const Loaded loaded = loadText(text);
  EXPECT_TRUE(loaded.errors.empty());
  EXPECT_EQ(loaded.warnings,
            std::vector<std::string>{"cfg.yaml:" + locate(text, "burst") +
                                     ": warning: rate_limit: unknown key \"burst\""});
  ASSERT_TRUE(loaded.config.has_value());
  ASSERT_TRUE(loaded.config->rateLimit.has_value());
  EXPECT_EQ(loaded.config->rateLimit->responsesPerSecond, 5);
}

}  // namespace
}  // namespace tmdns::config::testing
