// CounterVec and HistogramVec: label-keyed values under a lock, rendered in label order.
#include "metrics/instruments.h"

#include <algorithm>
#include <utility>

namespace tmdns::metrics {

Labels zipLabels(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels labels;
  labels.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    labels.emplace_back(names[i], i < values.size() ? values[i] : std::string());
  }
  return labels;
}

CounterVec::CounterVec(std::string name, std::string help, std::vector<std::string> labelNames)
    : name_(std::move(name)), help_(std::move(help)), labelNames_(std::move(labelNames)) {}

void CounterVec::add(const std::vector<std::string>& values, double delta) {
  if (delta < 0) {
    return;  // a counter only goes up
  }
  std::lock_guard<std::mutex> lock(mutex_);
  values_[values] += delta;
}

void CounterVec::touch(const std::vector<std::string>& values) {
  std::lock_guard<std::mutex> lock(mutex_);
  values_.try_emplace(values, 0.0);
}

double CounterVec::value(const std::vector<std::string>& values) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

std::map<std::vector<std::string>, double> CounterVec::values() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return values_;
}

Family CounterVec::collect() const {
  Family family;
  family.name = name_;
  family.help = help_;
  family.type = MetricType::kCounter;
  std::lock_guard<std::mutex> lock(mutex_);
  family.samples.reserve(values_.size());
  for (const auto& [values, value] : values_) {
    family.samples.push_back({zipLabels(labelNames_, values), value});
  }
  return family;
}

HistogramVec::HistogramVec(std::string name, std::string help, std::vector<std::string> labelNames,
                           std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      labelNames_(std::move(labelNames)),
      bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void HistogramVec::observe(const std::vector<std::string>& values, double x) {
  std::lock_guard<std::mutex> lock(mutex_);
  Cell& cell = cells_[values];
  if (cell.buckets.empty()) {
    cell.buckets.assign(bounds_.size() + 1, 0);
  }
  // The first bound at or above x: buckets are "less than or equal" (le).
  const size_t index =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), x) - bounds_.begin());
  ++cell.buckets[index];
  cell.sum += x;
  ++cell.count;
}

Family HistogramVec::collect() const {
  Family family;
  family.name = name_;
  family.help = help_;
  family.type = MetricType::kHistogram;
  family.bounds = bounds_;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [values, cell] : cells_) {
    family.histograms.push_back(
        {zipLabels(labelNames_, values), cell.buckets, cell.sum, cell.count});
  }
  return family;
}

}  // namespace tmdns::metrics
