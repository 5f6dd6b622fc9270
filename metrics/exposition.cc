// Text exposition: HELP/TYPE lines, escaping, histogram series, content negotiation.
#include "metrics/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/text.h"

namespace tmdns::metrics {
namespace {

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// One media range of an Accept header (RFC 9110 §12.5.1): type/subtype, version and q.
struct MediaRange {
  std::string_view type;
  std::string_view version;
  double q = 1;
};

MediaRange parseMediaRange(std::string_view text) {
  MediaRange range;
  size_t semicolon = text.find(';');
  range.type = trim(text.substr(0, semicolon));
  while (semicolon != std::string_view::npos) {
    text.remove_prefix(semicolon + 1);
    semicolon = text.find(';');
    const std::string_view parameter = trim(text.substr(0, semicolon));
    const size_t equals = parameter.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const std::string_view name = trim(parameter.substr(0, equals));
    std::string_view value = trim(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (util::equalsIgnoreCase(name, "q")) {
      double q = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
      range.q =
          (ec == std::errc() && end == value.data() + value.size() && q >= 0 && q <= 1) ? q : 0;
    } else if (util::equalsIgnoreCase(name, "version")) {
      range.version = value;
    }
  }
  return range;
}

void appendLabels(std::string& out, const Labels& labels, std::string_view extraName = {},
                  std::string_view extraValue = {}) {
  if (labels.empty() && extraName.empty()) {
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += name;
    out += "=\"";
    out += escapeLabelValue(value);
    out += '"';
  }
  if (!extraName.empty()) {
    if (!first) {
      out += ',';
    }
    out += extraName;
    out += "=\"";
    out += extraValue;
    out += '"';
  }
  out += '}';
}

void appendSample(std::string& out, std::string_view name, const Labels& labels, double value,
                  std::string_view extraName = {}, std::string_view extraValue = {}) {
  out += name;
  appendLabels(out, labels, extraName, extraValue);
  out += ' ';
  out += formatValue(value);
  out += '\n';
}

std::string_view typeName(MetricType type, Format format) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kInfo:
      // The text format 0.0.4 has no info type: an info family is a gauge of value 1 there.
      return format == Format::kOpenMetrics ? "info" : "gauge";
  }
  return "untyped";
}

// The MetricFamily name: OpenMetrics names counters and info families without the suffix their
// samples carry.
std::string_view familyName(const Family& family, Format format) {
  std::string_view name = family.name;
  if (format == Format::kOpenMetrics) {
    if (family.type == MetricType::kCounter && endsWith(name, "_total")) {
      name.remove_suffix(6);
    } else if (family.type == MetricType::kInfo && endsWith(name, "_info")) {
      name.remove_suffix(5);
    }
  }
  return name;
}

void renderHistogram(std::string& out, const Family& family) {
  const std::string bucket = family.name + "_bucket";
  const std::string sum = family.name + "_sum";
  const std::string count = family.name + "_count";
  for (const HistogramSample& h : family.histograms) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < family.bounds.size(); ++i) {
      cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
      appendSample(out, bucket, h.labels, static_cast<double>(cumulative), "le",
                   formatValue(family.bounds[i]));
    }
    appendSample(out, bucket, h.labels, static_cast<double>(h.count), "le", "+Inf");
    appendSample(out, sum, h.labels, h.sum);
    appendSample(out, count, h.labels, static_cast<double>(h.count));
  }
}

}  // namespace

Format negotiate(std::string_view accept) {
  double openMetrics = 0;
  double text = 0;
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    const MediaRange range = parseMediaRange(accept.substr(0, comma));
    accept.remove_prefix(comma == std::string_view::npos ? accept.size() : comma + 1);
    if (util::equalsIgnoreCase(range.type, "application/openmetrics-text")) {
      if (range.version.empty() || range.version == "1.0.0" || range.version == "0.0.1") {
        openMetrics = std::max(openMetrics, range.q);
      }
    } else if (util::equalsIgnoreCase(range.type, "text/plain") || range.type == "*/*" ||
               util::equalsIgnoreCase(range.type, "text/*")) {
      text = std::max(text, range.q);
    }
  }
  return openMetrics > 0 && openMetrics >= text ? Format::kOpenMetrics : Format::kText004;
}

std::string_view contentType(Format format) {
  return format == Format::kOpenMetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

std::string render(const std::vector<Family>& families, Format format) {
  std::string out;
  for (const Family& family : families) {
    const std::string_view name = familyName(family, format);
    out += "# HELP ";
    out += name;
    out += ' ';
    out += escapeHelp(family.help, format);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += typeName(family.type, format);
    out += '\n';
    if (family.type == MetricType::kHistogram) {
      renderHistogram(out, family);
      continue;
    }
    for (const Sample& sample : family.samples) {
      appendSample(out, family.name, sample.labels, sample.value);
    }
  }
  if (format == Format::kOpenMetrics) {
    out += "# EOF\n";
  }
  return out;
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
        break;
    }
  }
  return out;
}

std::string escapeHelp(std::string_view help, Format format) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && format == Format::kOpenMetrics) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  // Counts are exact in a double up to 2^53; print them as integers.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%lld", static_cast<long long>(value));
    return buffer;
  }
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : "NaN";
}

bool isValidMetricName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
      return false;
    }
  }
  return true;
}

bool isValidLabelName(std::string_view name) {
  if (name.empty() || name.rfind("__", 0) == 0) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
      return false;
    }
  }
  return true;
}

}  // namespace tmdns::metrics
