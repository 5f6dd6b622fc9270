// Builds the paths that diagnostics print, e.g. "zones[0].profiles[2].endpoints[1].weight".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tmdns::config {

// "parent.key", or just "key" at the top. A profile file's root path (see fileRootPath) is
// followed by ": " so that what comes after reads as a path inside that file.
std::string childPath(std::string_view parent, std::string_view key);

// "parent[index]" ("parent: [index]" after a profile file's root path).
std::string indexPath(std::string_view parent, size_t index);

// The root path of one profile file matched by zones[z].profile_files[i]:
// "zones[0].profile_files[1] (profiles/app.json)". Only these paths end in ')'.
std::string fileRootPath(std::string_view patternPath, std::string_view displayName);

}  // namespace tmdns::config
