// Process log: one line per event on stderr, prefixed "tmdns: ", safe from any thread.
#pragma once

#include <string_view>

namespace tmdns::app {

// Writes "tmdns: <message>\n" with a single write(2) so lines from threads never interleave.
void logLine(std::string_view message);

}  // namespace tmdns::app
