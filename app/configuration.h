// One pass of the configuration pipeline: load, validate, compile; shared by serve and check.
#pragma once

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

// Prints every diagnostic on stderr, one per line, in the documented FILE:LINE:COL form.
void printDiagnostics(const config::Diagnostics& diagnostics);

}  // namespace tmdns::app
