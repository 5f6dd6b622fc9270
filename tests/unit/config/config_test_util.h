// Helpers shared by the configuration tests: loading text, formatted diagnostics, positions.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/loader.h"
#include "config/model.h"

namespace tmdns::config::testing {

struct Loaded {
  std::optional<Config> config;
  std::vector<std::string> all;  // every diagnostic, formatted, in order
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::string> notices;
};

// A minimal valid `zones:` block (one zone, no profiles), for tests of top-level settings.
inline const std::string kZone =
    "zones:\n"
    "  - name: tm.example.test\n"
    "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test}\n"
    "    ns: [ns1.tm.example.test]\n";

inline Loaded collect(std::optional<Config> config, const Diagnostics& diags) {
  Loaded out;
  out.config = std::move(config);
  for (const Diagnostic& d : diags.items()) {
    out.all.push_back(d.format());
    switch (d.severity) {
      case Diagnostic::Severity::kError:
        out.errors.push_back(d.format());
        break;
      case Diagnostic::Severity::kWarning:
        out.warnings.push_back(d.format());
        break;
      case Diagnostic::Severity::kNotice:
        out.notices.push_back(d.format());
        break;
    }
  }
  return out;
}

inline Loaded loadText(const std::string& text, const std::string& file = "cfg.yaml") {
  Diagnostics diags;
  std::optional<Config> config = loadConfigText(text, file, diags);
  return collect(std::move(config), diags);
}

inline Loaded loadFile(const std::string& path) {
  Diagnostics diags;
  std::optional<Config> config = loadConfig(path, diags);
  return collect(std::move(config), diags);
}

// "LINE:COL" (1-based) of the first `needle` at or after the first `after` in `text`: an oracle
// for positions that does not depend on the loader.
inline std::string locate(const std::string& text, const std::string& needle,
                          const std::string& after = "") {
  const size_t start = after.empty() ? 0 : text.find(after);
  const size_t at = text.find(needle, start == std::string::npos ? 0 : start);
  if (start == std::string::npos || at == std::string::npos) {
    return "?:?";
  }
  int line = 1;
  size_t lineStart = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(at - lineStart + 1);
}

// A complete configuration: one zone "tm.example.test" whose `profiles:` list is `profiles`
// (YAML list items indented by 6 spaces, e.g. "      - name: p\n        ...").
inline std::string configWithProfiles(const std::string& profiles) {
  return "listen: [\"127.0.0.1:0\"]\n"
         "zones:\n"
         "  - name: tm.example.test\n"
         "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test}\n"
         "    ns: [ns1.tm.example.test]\n"
         "    profiles:\n" +
         profiles;
}

// One table-driven expectation: the configuration built from `profiles` yields exactly one
// diagnostic of a kind, at the position of `needle`.
struct Case {
  const char* label;
  std::string profiles;  // the zone's `profiles:` list
  const char* after;     // the diagnostic sits at the first `needle` after `after`
  const char* needle;
  const char* expected;  // what follows "cfg.yaml:LINE:COL: "
};

inline void expectOnly(const Case& c, const std::vector<std::string> Loaded::*which) {
  SCOPED_TRACE(c.label);
  const std::string text = configWithProfiles(c.profiles);
  const Loaded loaded = loadText(text);
  const std::string where = locate(text, c.needle, c.after);
  ASSERT_NE(where, "?:?") << "bad test: needle not found";
  EXPECT_EQ(loaded.*which, std::vector<std::string>{"cfg.yaml:" + where + ": " + c.expected})
      << text;
  if (which == &Loaded::errors) {
    EXPECT_FALSE(loaded.config.has_value());
  } else {
    EXPECT_TRUE(loaded.errors.empty());
    EXPECT_TRUE(loaded.config.has_value());
  }
}

inline std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tmdns-config-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `text` to `relative` below the directory (creating folders) and returns the full path.
  std::string write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path full = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream out(full, std::ios::binary);
    out << text;
    return full.string();
  }

 private:
  std::string path_;
};

}  // namespace tmdns::config::testing
