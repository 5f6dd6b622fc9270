// Every ```yaml block in docs/ is a complete configuration that loads and compiles cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/compiler.h"
#include "config/loader.h"

namespace tmdns::config {
namespace {

struct Example {
  std::string file;
  int line = 0;
  std::string text;
};

std::vector<Example> yamlBlocks() {
  std::vector<Example> out;
  const std::filesystem::path docs = std::filesystem::path(TMDNS_SOURCE_DIR) / "docs";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(docs)) {
    if (entry.path().extension() != ".md") {
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    Example* current = nullptr;
    while (std::getline(in, line)) {
      ++number;
      if (current == nullptr && line == "```yaml") {
        out.push_back({entry.path().string(), number + 1, ""});
        current = &out.back();
      } else if (current != nullptr && line == "```") {
        current = nullptr;
      } else if (current != nullptr) {
        current->text += line + "\n";
      }
    }
  }
  return out;
}

TEST(DocsExamples, EveryYamlBlockLoadsAndCompiles) {
  const std::vector<Example> examples = yamlBlocks();
  ASSERT_GE(examples.size(), 3u) << "docs/ should hold an example per routing method";
  for (const Example& ex : examples) {
    SCOPED_TRACE(ex.file + ":" + std::to_string(ex.line));
    Diagnostics diags;
    auto cfg = loadConfigText(ex.text, ex.file, diags);
    ASSERT_TRUE(cfg.has_value());
    auto snapshot = compile(*cfg, diags);
    std::ostringstream all;
    for (const auto& d : diags.items()) {
      all << d.format() << "\n";
    }
    EXPECT_NE(snapshot, nullptr) << all.str();
    EXPECT_FALSE(diags.hasErrors()) << all.str();
  }
}

}  // namespace
}  // namespace tmdns::config
