// The configuration pipeline used at start-up, on SIGHUP and by --check-config.
#include "app/configuration.h"

#include <cstdio>
#include <exception>

#include "config/compiler.h"
#include "config/config_hash.h"
#include "config/loader.h"

namespace tmdns::app {

LoadedConfiguration loadConfiguration(const std::string& path) {
  LoadedConfiguration out;
  try {
    out.config = config::loadConfig(path, out.diagnostics);
    if (out.config && !out.diagnostics.hasErrors()) {
      out.snapshot = config::compile(*out.config, out.diagnostics);
      out.hash = config::configHash(*out.config);
    }
  } catch (const std::exception& e) {
    // The loader and compiler report through diagnostics; this is the last line of defence
    // (e.g. out of memory) so that a reload never takes the running server down.
    out.diagnostics.error({path, 0, 0}, "", std::string("internal error: ") + e.what());
  }
  if (out.diagnostics.hasErrors()) {
    out.snapshot.reset();
  }
  return out;
}

void printDiagnostics(const config::Diagnostics& diagnostics) {
  for (const config::Diagnostic& d : diagnostics.items()) {
    const std::string line = d.format() + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  std::fflush(stderr);
}

}  // namespace tmdns::app
