// One pass of the configuration pipeline: load, validate, compile; shared by serve and check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/diagnostics.h"
#include "config/model.h"
#include "dns/snapshot.h"

namespace tmdns::app {

struct LoadedConfiguration {
  std::optional<config::Config> config;
  std::unique_ptr<dns::Snapshot> snapshot;  // null when there is any error
  config::Diagnostics diagnostics;
  std::string hash;  // sha256 of the files read
};

// Runs every stage (the same ones --check-config and a reload run) and never throws.
LoadedConfiguration loadConfiguration(const std::string& path);

// Every error and warning, one per line, in the documented FILE:LINE:COL form, and the first
// `maxNotices` notices; when more were left out, one line that says how many and that
// `tmdns --check-config FILE` (`configFile`) lists them all.
std::string formatDiagnostics(const config::Diagnostics& diagnostics, size_t maxNotices = SIZE_MAX,
                              const std::string& configFile = "");

// formatDiagnostics on stderr.
void printDiagnostics(const config::Diagnostics& diagnostics, size_t maxNotices = SIZE_MAX,
                      const std::string& configFile = "");

}  // namespace tmdns::app
