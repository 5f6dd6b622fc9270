// Configuration diagnostics: errors, warnings and notices with file, line, column and path.
#pragma once

#include <string>
#include <vector>

namespace tmdns::config {

// Where something came from. line/col are 1-based; 0 means unknown.
struct Position {
  std::string file;
  int line = 0;
  int col = 0;
};

struct Diagnostic {
  enum class Severity { kError, kWarning, kNotice };
  Severity severity = Severity::kError;
  Position pos;
  std::string path;  // e.g. zones[0].profiles[2].endpoints[1].weight
  std::string message;

  // "FILE:LINE:COL: path: message", with "warning: "/"notice: " before path when not an error.
  std::string format() const;
};

class Diagnostics {
 public:
  void error(const Position& pos, std::string path, std::string message);
  void warning(const Position& pos, std::string path, std::string message);
  void notice(const Position& pos, std::string path, std::string message);

  bool hasErrors() const;
  size_t errorCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const Diagnostics& other);

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace tmdns::config
