// Labelled counters and histograms for everything off the query path (probes, reloads, HTTP).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/family.h"

namespace tmdns::metrics {

// A counter per label-value tuple. Label sets appear on first use and then stay (a counter
// never goes away or back). A short lock per update: callers are the probe engine, the reload
// path and the HTTP thread, never a DNS worker.
class CounterVec {
 public:
  CounterVec(std::string name, std::string help, std::vector<std::string> labelNames);

  // `values` holds one value per label name, in order.
  void add(const std::vector<std::string>& values, double delta = 1);
  // Creates the label set at 0 when it is new, so that rate() sees its first increase.
  void touch(const std::vector<std::string>& values);
  double value(const std::vector<std::string>& values) const;
  // Every label set and its value.
  std::map<std::vector<std::string>, double> values() const;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& labelNames() const { return labelNames_; }
  Family collect() const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> labelNames_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, double> values_;
};

// A histogram per label-value tuple with fixed bucket bounds.
class HistogramVec {
 public:
  HistogramVec(std::string name, std::string help, std::vector<std::string> labelNames,
               std::vector<double> bounds);

  void observe(const std::vector<std::string>& values, double x);
  Family collect() const;

 private:
  struct Cell {
    std::vector<uint64_t> buckets;
    double sum = 0;
    uint64_t count = 0;
  };

  std::string name_;
  std::string help_;
  std::vector<std::string> labelNames_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, Cell> cells_;
};

// Pairs label names with values.
Labels zipLabels(const std::vector<std::string>& names, const std::vector<std::string>& values);

}  // namespace tmdns::metrics
