// Formatting and collection of configuration diagnostics.
#include "config/diagnostics.h"

#include <algorithm>

namespace tmdns::config {

std::string Diagnostic::format() const {
  std::string out = pos.file.empty() ? std::string("<config>") : pos.file;
  out += ':' + std::to_string(pos.line) + ':' + std::to_string(pos.col) + ": ";
  if (severity == Severity::kWarning) {
    out += "warning: ";
  } else if (severity == Severity::kNotice) {
    out += "notice: ";
  }
  if (!path.empty()) {
    out += path + ": ";
  }
  out += message;
  return out;
}

void Diagnostics::error(const Position& pos, std::string path, std::string message) {
  items_.push_back({Diagnostic::Severity::kError, pos, std::move(path), std::move(message)});
}

void Diagnostics::warning(const Position& pos, std::string path, std::string message) {
  items_.push_back({Diagnostic::Severity::kWarning, pos, std::move(path), std::move(message)});
}

void Diagnostics::notice(const Position& pos, std::string path, std::string message) {
  items_.push_back({Diagnostic::Severity::kNotice, pos, std::move(path), std::move(message)});
}

bool Diagnostics::hasErrors() const {
  return errorCount() > 0;
}

size_t Diagnostics::errorCount() const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::kError;
  }));
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

}  // namespace tmdns::config
