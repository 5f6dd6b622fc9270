// Reads one `zones` entry: SOA, NS, static records and its profiles, inline and from files.
#pragma once

#include <string>

#include "config/diagnostics.h"
#include "config/model.h"
#include "config/yaml_reader.h"

namespace tmdns::config {

// `baseDir` is the configuration file's directory ("" for the working directory): relative
// profile_files globs are resolved against it. Profiles from files follow the inline ones, in
// pattern order and, within a pattern, in sorted file-name order.
Zone readZone(const YamlValue& value, const std::string& baseDir, Diagnostics& diags);

}  // namespace tmdns::config
