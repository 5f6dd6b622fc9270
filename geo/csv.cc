// CSV line splitting and number parsing for the geolocation and latency files.
#include "geo/csv.h"
#include "util/text.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace tmdns::geo {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::vector<CsvLine> readCsv(std::istream& in, std::string_view header) {
  std::vector<CsvLine> out;
  std::string text;
  size_t number = 0;
  bool first = true;
  while (std::getline(in, text)) {
    ++number;
    const std::string_view line = trim(text);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    CsvLine parsed;
    parsed.number = number;
    size_t start = 0;
    while (true) {
      const size_t comma = line.find(',', start);
      parsed.fields.emplace_back(trim(line.substr(start, comma - start)));
      if (comma == std::string_view::npos) {
        break;
      }
      start = comma + 1;
    }
    const bool isHeader = first && util::equalsIgnoreCase(parsed.fields.front(), header);
    first = false;
    if (!isHeader) {
      out.push_back(std::move(parsed));
    }
  }
  return out;
}

std::optional<double> parseDecimal(std::string_view text) {
  double value = 0;
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace tmdns::geo
