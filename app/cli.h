// Command-line parsing for the tmdns executable.
#pragma once

#include <string>
#include <vector>

namespace tmdns::app {

struct CommandLine {
  enum class Mode { kServe, kCheckConfig, kVersion, kHelp, kUsageError };
  Mode mode = Mode::kUsageError;
  std::string configFile;
  std::string error;  // for kUsageError
};

CommandLine parseCommandLine(const std::vector<std::string>& args);

std::string usageText();

}  // namespace tmdns::app
