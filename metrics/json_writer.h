// A small streaming JSON writer (RFC 8259) for the /status document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tmdns::metrics {

// Values are written in document order; commas and key/value separators are placed by the
// writer. The caller keeps objects and arrays balanced.
class JsonWriter {
 public:
  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(double value);  // NaN and infinities (not JSON numbers) become null
  JsonWriter& integer(int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();

  const std::string& text() const { return out_; }

 private:
  void beforeValue();

  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool afterKey_ = false;
};

// RFC 8259 §7: quotes, backslash and control characters escaped; other bytes as they are.
std::string jsonQuote(std::string_view value);

// RFC 3339 UTC with milliseconds: "2024-05-01T12:00:00.123Z".
std::string rfc3339(int64_t unixMs);

}  // namespace tmdns::metrics
