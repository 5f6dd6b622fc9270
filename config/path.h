// Builds the paths that diagnostics print, e.g. "zones[0].profiles[2].endpoints[1].weight".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tmdns::config {

// "parent.key", or just "key" at the top. One dotted path from the configuration's root all the
// way into a profile file: "zones[0].profile_files[0] (profiles/app.json).endpoints[1].weight".
std::string childPath(std::string_view parent, std::string_view key);

// "parent[index]".
std::string indexPath(std::string_view parent, size_t index);

// The root path of one profile file matched by zones[z].profile_files[i]:
// "zones[0].profile_files[1] (profiles/app.json)".
std::string fileRootPath(std::string_view patternPath, std::string_view displayName);

}  // namespace tmdns::config
