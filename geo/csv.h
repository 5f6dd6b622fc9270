// Line-oriented CSV reading shared by the geolocation and latency files (load time only).
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tmdns::geo {

struct CsvLine {
  size_t number = 0;                // 1-based line number in the file
  std::vector<std::string> fields;  // trimmed of surrounding whitespace
};

// Every data line of `in`: blank lines, lines starting with `#` and a first data line whose
// first field is `header` (any case) are skipped. Quoting is not supported: none of our fields
// can contain a comma.
std::vector<CsvLine> readCsv(std::istream& in, std::string_view header);

// A decimal number (e.g. "52.37", "-4", "12.5"), or nullopt.
std::optional<double> parseDecimal(std::string_view text);

}  // namespace tmdns::geo
