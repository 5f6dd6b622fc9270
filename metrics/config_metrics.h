// Configuration load metrics (reloads, last success, hash of the served configuration) and build
// info.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/family.h"

namespace tmdns::metrics {

class ConfigMetrics {
 public:
  // The configuration loaded at start-up (not a reload).
  void started(const std::string& hash, uint64_t generation, double unixSeconds);
  // A SIGHUP reload: `ok` when the new configuration is served.
  void reloaded(bool ok, const std::string& hash, uint64_t generation, double unixSeconds);

  // tmdns_config_reloads_total{result}, tmdns_config_last_reload_successful,
  // tmdns_config_last_reload_success_timestamp_seconds, tmdns_config_generation,
  // tmdns_config_info{sha256}.
  void collect(std::vector<Family>& out) const;

 private:
  mutable std::mutex mutex_;
  uint64_t successes_ = 0;
  uint64_t failures_ = 0;
  bool lastOk_ = true;
  double lastSuccessSeconds_ = 0;
  uint64_t generation_ = 0;
  std::string hash_;
};

// tmdns_build_info{version} 1.
void collectBuildInfo(const std::string& version, std::vector<Family>& out);

}  // namespace tmdns::metrics
