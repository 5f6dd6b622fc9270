// tmdns entry point: parses the command line and runs serve or check-config.
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/configuration.h"
#include "app/daemon.h"

int main(int argc, char** argv) {
  using tmdns::app::CommandLine;
  const CommandLine cl =
      tmdns::app::parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  switch (cl.mode) {
    case CommandLine::Mode::kVersion:
      std::printf("tmdns %s\n", TMDNS_VERSION);
      return 0;
    case CommandLine::Mode::kHelp:
      std::printf("tmdns %s: an Azure Traffic Manager-compatible authoritative DNS server\n\n%s",
                  TMDNS_VERSION, tmdns::app::usageText().c_str());
      return 0;
    case CommandLine::Mode::kUsageError:
      std::fprintf(stderr, "tmdns: %s\n%s", cl.error.c_str(), tmdns::app::usageText().c_str());
      return 2;
    case CommandLine::Mode::kCheckConfig: {
      const tmdns::app::LoadedConfiguration loaded = tmdns::app::loadConfiguration(cl.configFile);
      tmdns::app::printDiagnostics(loaded.diagnostics);
      if (!loaded.snapshot) {
        std::fprintf(stderr, "tmdns: %s: %zu errors\n", cl.configFile.c_str(),
                     loaded.diagnostics.errorCount());
        return 1;
      }
      std::printf("%s: OK (config sha256 %s)\n", cl.configFile.c_str(), loaded.hash.c_str());
      return 0;
    }
    case CommandLine::Mode::kServe:
      return tmdns::app::serve(cl.configFile);
  }
  return 2;
}
