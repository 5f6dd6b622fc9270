// Loads a configuration file (YAML or JSON) into a validated model; every problem is reported.
#pragma once

#include <optional>
#include <string>

#include "config/diagnostics.h"
#include "config/model.h"

namespace tmdns::config {

// Reads `path`, the profile files it names (globs relative to the config file's directory),
// parses both Traffic Manager JSON shapes, applies defaults and validates everything
// (traffic-manager.md §1.3-1.5). Returns the model when there is no error; diagnostics (errors,
// warnings, notices) are appended to `diags` either way. Never throws.
std::optional<Config> loadConfig(const std::string& path, Diagnostics& diags);

// The same from text already in memory (`file` is the name used in diagnostics and as the base
// directory for profile_files).
std::optional<Config> loadConfigText(const std::string& text, const std::string& file,
                                     Diagnostics& diags);

}  // namespace tmdns::config
