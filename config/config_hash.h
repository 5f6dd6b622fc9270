// A fingerprint of the configuration as read: SHA-256 over every source file's bytes.
#pragma once

#include <string>

#include "config/model.h"

namespace tmdns::config {

// Lower-case hex SHA-256 over the contents of config.sourceFiles (or config.file when the
// loader recorded none), each prefixed with its name so that moving text between files counts.
std::string configHash(const Config& config);

}  // namespace tmdns::config
