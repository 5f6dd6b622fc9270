// Path strings for diagnostics.
#include "config/path.h"

namespace tmdns::config {

std::string childPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!parent.empty()) {
    out += '.';
  }
  out += key;
  return out;
}

std::string indexPath(std::string_view parent, size_t index) {
  std::string out(parent);
  out += '[' + std::to_string(index) + ']';
  return out;
}

std::string fileRootPath(std::string_view patternPath, std::string_view displayName) {
  std::string out(patternPath);
  out += " (";
  out += displayName;
  out += ')';
  return out;
}

}  // namespace tmdns::config
