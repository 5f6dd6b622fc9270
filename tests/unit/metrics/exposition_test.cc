// The text exposition formats: escaping, HELP/TYPE, histograms, OpenMetrics names and # EOF.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/instruments.h"

namespace tmdns::metrics {
namespace {

TEST(Exposition, EscapesLabelValues) {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"plain", "plain"},
      {"a\\b", "a\\\\b"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"two\nlines", "two\\nlines"},
      {"tab\tstays", "tab\tstays"},
      {"ünïcode", "ünïcode"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(escapeLabelValue(c.in), c.out) << c.in;
  }
}

TEST(Exposition, EscapesHelpPerFormat) {
  EXPECT_EQ(escapeHelp("a\\b\n\"q\"", Format::kText004), "a\\\\b\\n\"q\"");
  EXPECT_EQ(escapeHelp("a\\b\n\"q\"", Format::kOpenMetrics), "a\\\\b\\n\\\"q\\\"");
}

TEST(Exposition, FormatsValues) {
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(42), "42");
  EXPECT_EQ(formatValue(-3), "-3");
  EXPECT_EQ(formatValue(0.25), "0.25");
  EXPECT_EQ(formatValue(0.1), "0.1");
  EXPECT_EQ(formatValue(1e300), "1e+300");
  EXPECT_EQ(formatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(formatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(formatValue(0.0 / 0.0), "NaN");
  EXPECT_EQ(formatValue(9007199254740991.0), "9007199254740991");
}

TEST(Exposition, CounterAndGaugeInText004) {
  Family counter;
  counter.name = "tmdns_things_total";
  counter.help = "Things.\nCounted.";
  counter.type = MetricType::kCounter;
  counter.samples.push_back({{{"zone", "z"}, {"profile", "a\"b"}}, 3});
  counter.samples.push_back({{{"zone", "z"}, {"profile", ""}}, 0});
  Family gauge;
  gauge.name = "tmdns_level";
  gauge.help = "Level.";
  gauge.type = MetricType::kGauge;
  gauge.samples.push_back({{}, 0.5});
  EXPECT_EQ(render({counter, gauge}, Format::kText004),
            "# HELP tmdns_things_total Things.\\nCounted.\n"
            "# TYPE tmdns_things_total counter\n"
            "tmdns_things_total{zone=\"z\",profile=\"a\\\"b\"} 3\n"
            "tmdns_things_total{zone=\"z\",profile=\"\"} 0\n"
            "# HELP tmdns_level Level.\n"
            "# TYPE tmdns_level gauge\n"
            "tmdns_level 0.5\n");
}

TEST(Exposition, OpenMetricsNamesFamiliesWithoutSuffixAndEndsWithEof) {
  Family counter;
  counter.name = "tmdns_things_total";
  counter.help = "Things.";
  counter.type = MetricType::kCounter;
  counter.samples.push_back({{}, 7});
  Family info;
  info.name = "tmdns_build_info";
  info.help = "Build.";
  info.type = MetricType::kInfo;
  info.samples.push_back({{{"version", "1.2.3"}}, 1});
  EXPECT_EQ(render({counter, info}, Format::kOpenMetrics),
            "# HELP tmdns_things Things.\n"
            "# TYPE tmdns_things counter\n"
            "tmdns_things_total 7\n"
            "# HELP tmdns_build Build.\n"
            "# TYPE tmdns_build info\n"
            "tmdns_build_info{version=\"1.2.3\"} 1\n"
            "# EOF\n");
  // The text format has no info type: a gauge of the full name.
  EXPECT_EQ(render({info}, Format::kText004),
            "# HELP tmdns_build_info Build.\n"
            "# TYPE tmdns_build_info gauge\n"
            "tmdns_build_info{version=\"1.2.3\"} 1\n");
  EXPECT_EQ(render({}, Format::kOpenMetrics), "# EOF\n");
  EXPECT_EQ(render({}, Format::kText004), "");
}

TEST(Exposition, HistogramBucketsAreCumulativeWithSumAndCount) {
  HistogramVec histogram("tmdns_probe_duration_seconds", "Durations.", {"profile"}, {0.5, 1, 10});
  // Exact binary fractions, so that the sum prints exactly; 0.5 falls into le="0.5".
  for (double x : {0.25, 0.5, 0.75, 2.0, 16.0}) {
    histogram.observe({"app"}, x);
  }
  const std::string text004 = render({histogram.collect()}, Format::kText004);
  EXPECT_EQ(text004,
            "# HELP tmdns_probe_duration_seconds Durations.\n"
            "# TYPE tmdns_probe_duration_seconds histogram\n"
            "tmdns_probe_duration_seconds_bucket{profile=\"app\",le=\"0.5\"} 2\n"
            "tmdns_probe_duration_seconds_bucket{profile=\"app\",le=\"1\"} 3\n"
            "tmdns_probe_duration_seconds_bucket{profile=\"app\",le=\"10\"} 4\n"
            "tmdns_probe_duration_seconds_bucket{profile=\"app\",le=\"+Inf\"} 5\n"
            "tmdns_probe_duration_seconds_sum{profile=\"app\"} 19.5\n"
            "tmdns_probe_duration_seconds_count{profile=\"app\"} 5\n");
  const std::string om = render({histogram.collect()}, Format::kOpenMetrics);
  EXPECT_EQ(om, text004 + "# EOF\n");
}

TEST(Exposition, NegotiatesOpenMetricsOnlyWhenAsked) {
  struct Case {
    std::string accept;
    Format format;
  };
  const std::vector<Case> cases = {
      {"", Format::kText004},
      {"text/plain", Format::kText004},
      {"*/*", Format::kText004},
      {"application/openmetrics-text", Format::kOpenMetrics},
      {"application/openmetrics-text; version=1.0.0; charset=utf-8", Format::kOpenMetrics},
      // What Prometheus 2.x sends.
      {"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
       "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
       Format::kOpenMetrics},
      {"text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5", Format::kText004},
      {"application/openmetrics-text;q=0", Format::kText004},
      {"application/openmetrics-text;version=2.0.0", Format::kText004},
      {"APPLICATION/OpenMetrics-Text", Format::kOpenMetrics},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(negotiate(c.accept), c.format) << c.accept;
  }
  EXPECT_EQ(contentType(Format::kText004), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(contentType(Format::kOpenMetrics),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

TEST(Exposition, NameRules) {
  EXPECT_TRUE(isValidMetricName("tmdns_dns_queries_total"));
  EXPECT_TRUE(isValidMetricName("a:b"));
  EXPECT_FALSE(isValidMetricName(""));
  EXPECT_FALSE(isValidMetricName("1abc"));
  EXPECT_FALSE(isValidMetricName("tmdns-queries"));
  EXPECT_TRUE(isValidLabelName("zone"));
  EXPECT_FALSE(isValidLabelName("__name__"));
  EXPECT_FALSE(isValidLabelName("a:b"));
  EXPECT_FALSE(isValidLabelName("9x"));
}

TEST(Instruments, CounterVecKeepsLabelSetsAndNeverGoesBack) {
  CounterVec counter("tmdns_x_total", "X.", {"a", "b"});
  counter.touch({"1", "2"});
  counter.add({"1", "2"}, 2);
  counter.add({"1", "2"}, -5);  // ignored
  counter.add({"3", "4"});
  EXPECT_EQ(counter.value({"1", "2"}), 2);
  EXPECT_EQ(counter.value({"3", "4"}), 1);
  const Family family = counter.collect();
  ASSERT_EQ(family.samples.size(), 2u);
  EXPECT_EQ(family.samples[0].labels, (Labels{{"a", "1"}, {"b", "2"}}));
}

}  // namespace
}  // namespace tmdns::metrics
