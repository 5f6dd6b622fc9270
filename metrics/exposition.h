// Renders metric families in the Prometheus text format 0.0.4 or OpenMetrics 1.0 text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/family.h"

namespace tmdns::metrics {

enum class Format : uint8_t { kText004, kOpenMetrics };

// The format an HTTP Accept header asks for: OpenMetrics when it accepts
// application/openmetrics-text (version 1.0.0, 0.0.1 or unversioned) at least as much as
// text/plain, else the text format 0.0.4 (also for an absent or empty header).
Format negotiate(std::string_view accept);

// The Content-Type of a rendering in `format`.
std::string_view contentType(Format format);

// Every family in order; OpenMetrics ends with "# EOF".
std::string render(const std::vector<Family>& families, Format format);

// Label values in both formats: backslash, double quote and line feed escaped.
std::string escapeLabelValue(std::string_view value);
// HELP text: backslash and line feed escaped (and double quote in OpenMetrics).
std::string escapeHelp(std::string_view help, Format format);
// A sample value: integers without exponent or fraction, else the shortest round-trip form;
// NaN, +Inf and -Inf as the formats spell them.
std::string formatValue(double value);

// Prometheus' data model: [a-zA-Z_:][a-zA-Z0-9_:]* for metric names, [a-zA-Z_][a-zA-Z0-9_]*
// for label names (and names starting with "__" are reserved).
bool isValidMetricName(std::string_view name);
bool isValidLabelName(std::string_view name);

}  // namespace tmdns::metrics
