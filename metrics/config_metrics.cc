// ConfigMetrics: counters and the info gauge of the served configuration.
#include "metrics/config_metrics.h"

namespace tmdns::metrics {
namespace {

Family family(const char* name, const char* help, MetricType type) {
  Family f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

}  // namespace

void ConfigMetrics::started(const std::string& hash, uint64_t generation, double unixSeconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  lastOk_ = true;
  lastSuccessSeconds_ = unixSeconds;
  generation_ = generation;
  hash_ = hash;
}

void ConfigMetrics::reloaded(bool ok, const std::string& hash, uint64_t generation,
                             double unixSeconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  lastOk_ = ok;
  if (!ok) {
    ++failures_;
    return;
  }
  ++successes_;
  lastSuccessSeconds_ = unixSeconds;
  generation_ = generation;
  hash_ = hash;
}

void ConfigMetrics::collect(std::vector<Family>& out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  Family reloads = family("tmdns_config_reloads_total",
                          "Configuration reloads (SIGHUP), by result: success (now served) or "
                          "failure (rejected; the previous configuration keeps serving).",
                          MetricType::kCounter);
  reloads.samples.push_back({{{"result", "success"}}, static_cast<double>(successes_)});
  reloads.samples.push_back({{{"result", "failure"}}, static_cast<double>(failures_)});
  out.push_back(std::move(reloads));
  Family ok = family("tmdns_config_last_reload_successful",
                     "1 when the last configuration load (start-up or reload) succeeded.",
                     MetricType::kGauge);
  ok.samples.push_back({{}, lastOk_ ? 1.0 : 0.0});
  out.push_back(std::move(ok));
  Family last = family("tmdns_config_last_reload_success_timestamp_seconds",
                       "When the served configuration was loaded, in seconds since the Unix "
                       "epoch.",
                       MetricType::kGauge);
  last.samples.push_back({{}, lastSuccessSeconds_});
  out.push_back(std::move(last));
  Family generation = family("tmdns_config_generation",
                             "Generation of the served configuration: 1 at start-up, +1 per "
                             "successful reload.",
                             MetricType::kGauge);
  generation.samples.push_back({{}, static_cast<double>(generation_)});
  out.push_back(std::move(generation));
  Family info = family("tmdns_config_info",
                       "The served configuration, identified by the SHA-256 of the files it was "
                       "read from.",
                       MetricType::kInfo);
  info.samples.push_back({{{"sha256", hash_}}, 1});
  out.push_back(std::move(info));
}

void collectBuildInfo(const std::string& version, std::vector<Family>& out) {
  Family info = family("tmdns_build_info", "The running tmdns build.", MetricType::kInfo);
  info.samples.push_back({{{"version", version}}, 1});
  out.push_back(std::move(info));
}

}  // namespace tmdns::metrics
