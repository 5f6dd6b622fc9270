// The configuration pipeline used at start-up, on SIGHUP and by --check-config.
#include "app/configuration.h"

#include <cstdio>
#include <exception>
#include <optional>
#include <system_error>
#include <thread>

#include "config/compiler.h"
#include "config/config_hash.h"
#include "config/loader.h"

namespace tmdns::app {

namespace {

// Reads and validates `path` on a thread of its own, or on this one when no thread can be
// started. glibc gives that thread an arena of its own, so the YAML tree and the model (hundreds
// of MB for 50,000 endpoints, all freed once compiled) do not interleave with the snapshot that
// stays, which the compiler allocates on the calling thread: once freed, the reader's arena goes
// back to the system whole (malloc_trim in the daemon) instead of leaving the heap fragmented.
std::optional<config::Config> readConfig(const std::string& path, config::Diagnostics& diags) {
  std::optional<config::Config> config;
  std::exception_ptr failure;
  auto read = [&] {
    try {
      config = config::loadConfig(path, diags);
    } catch (...) {
      failure = std::current_exception();
    }
  };
  try {
    std::thread reader(read);
    reader.join();
  } catch (const std::system_error&) {
    read();
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  return config;
}

}  // namespace

LoadedConfiguration loadConfiguration(const std::string& path) {
  LoadedConfiguration out;
  try {
    out.config = readConfig(path, out.diagnostics);
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

std::string formatDiagnostics(const config::Diagnostics& diagnostics, size_t maxNotices,
                              const std::string& configFile) {
  std::string out;
  size_t notices = 0;
  for (const config::Diagnostic& d : diagnostics.items()) {
    if (d.severity == config::Diagnostic::Severity::kNotice && notices++ >= maxNotices) {
      continue;
    }
    out += d.format() + "\n";
  }
  if (notices > maxNotices) {
    out += "tmdns: " + std::to_string(notices - maxNotices) +
           " more notices not shown; tmdns --check-config " + configFile + " lists them all\n";
  }
  return out;
}

void printDiagnostics(const config::Diagnostics& diagnostics, size_t maxNotices,
                      const std::string& configFile) {
  const std::string text = formatDiagnostics(diagnostics, maxNotices, configFile);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace tmdns::app
