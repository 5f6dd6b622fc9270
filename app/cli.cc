// Command-line parsing: --config, --check-config, --version, --help.
#include "app/cli.h"

namespace tmdns::app {

std::string usageText() {
  return "usage: tmdns --config FILE        serve in the foreground (SIGHUP reloads)\n"
         "       tmdns --check-config FILE  validate FILE and every profile file it names\n"
         "       tmdns --version\n"
         "       tmdns --help\n";
}

CommandLine parseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  if (args.empty()) {
    cl.error = "no option given";
    return cl;
  }
  const std::string& opt = args[0];
  auto withFile = [&](CommandLine::Mode mode) {
    if (args.size() != 2 || args[1].empty()) {
      cl.error = opt + " takes exactly one FILE";
      return;
    }
    cl.mode = mode;
    cl.configFile = args[1];
  };
  if (opt == "--config" || opt == "-c") {
    withFile(CommandLine::Mode::kServe);
  } else if (opt == "--check-config") {
    withFile(CommandLine::Mode::kCheckConfig);
  } else if ((opt == "--version" || opt == "-V") && args.size() == 1) {
    cl.mode = CommandLine::Mode::kVersion;
  } else if ((opt == "--help" || opt == "-h") && args.size() == 1) {
    cl.mode = CommandLine::Mode::kHelp;
  } else if (opt.rfind("--config=", 0) == 0 && args.size() == 1) {
    return parseCommandLine({"--config", opt.substr(9)});
  } else if (opt.rfind("--check-config=", 0) == 0 && args.size() == 1) {
    return parseCommandLine({"--check-config", opt.substr(15)});
  } else {
    cl.error = "unknown option: " + opt;
  }
  return cl;
}

}  // namespace tmdns::app
