// One scrape's worth of metric data: families of labelled samples, as collectors produce them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tmdns::metrics {

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram, kInfo };

// Label name/value pairs in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

struct HistogramSample {
  Labels labels;
  std::vector<uint64_t> buckets;  // per bound, not cumulative; one more than bounds (+Inf)
  double sum = 0;
  uint64_t count = 0;
};

// `name` is what a sample is called in the text format 0.0.4: counters end in `_total`, info
// families in `_info`, histograms are the base of `_bucket`/`_sum`/`_count`. OpenMetrics
// renders counters and info families under the name without that suffix.
struct Family {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<double> bounds;  // histograms: bucket upper bounds, ascending, +Inf implied
  std::vector<Sample> samples;
  std::vector<HistogramSample> histograms;
};

}  // namespace tmdns::metrics
