// Metrics test helpers: a compiled test configuration with nested profiles, and a tiny JSON
// parser to read /status back.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/compiler.h"
#include "config/diagnostics.h"
#include "config/loader.h"
#include "config/model.h"
#include "dns/snapshot.h"
#include "metrics/catalog.h"

namespace tmdns::metrics::test {

// Zone z.test: "app" (Priority: primary 192.0.2.10, secondary 192.0.2.11, nested -> "child"),
// "child" (Weighted: c1 192.0.2.20, c2 192.0.2.21 disabled), "off" (disabled profile: o1).
// EndpointIds: primary 0, secondary 1, nested 2, c1 3, c2 4, o1 5. ProfileIds: app 0, child 1,
// off 2.
inline const char* kConfig = R"(
listen: ["127.0.0.1:0"]
probes: {enabled: true}
zones:
  - name: z.test
    soa: {mname: ns1.z.test, rname: hostmaster.z.test, serial: 1, refresh: 3600, retry: 600,
          expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.z.test]
    records: ["ns1 3600 IN A 192.0.2.53", "www 300 IN CNAME app.z.test."]
    profiles:
      - name: app
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: app, ttl: 30}
          monitorConfig: {protocol: HTTP, port: 8080, path: /health}
          endpoints:
            - {name: primary, type: externalEndpoints, properties: {target: 192.0.2.10, priority: 1}}
            - {name: secondary, type: externalEndpoints, properties: {target: 192.0.2.11, priority: 2}}
            - {name: nested, type: nestedEndpoints, properties: {target: child.z.test, priority: 3}}
      - name: child
        properties:
          trafficRoutingMethod: Weighted
          dnsConfig: {relativeName: child, ttl: 30}
          monitorConfig: {protocol: TCP, port: 9}
          endpoints:
            - {name: c1, type: externalEndpoints, properties: {target: 192.0.2.20}}
            - {name: c2, type: externalEndpoints, properties: {target: 192.0.2.21, endpointStatus: Disabled}}
      - name: "off"
        properties:
          profileStatus: Disabled
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: "off", ttl: 30}
          monitorConfig: {protocol: TCP, port: 9}
          endpoints:
            - {name: o1, type: externalEndpoints, properties: {target: 192.0.2.30}}
)";

struct Compiled {
  config::Config config;
  std::shared_ptr<dns::Snapshot> snapshot;
  std::shared_ptr<const Catalog> catalog;
};

inline Compiled compileConfig(const std::string& text = kConfig, uint64_t generation = 1) {
  config::Diagnostics diags;
  std::optional<config::Config> cfg = config::loadConfigText(text, "metrics-test.yaml", diags);
  EXPECT_TRUE(cfg.has_value());
  EXPECT_FALSE(diags.hasErrors());
  if (!cfg) {
    std::abort();
  }
  std::unique_ptr<dns::Snapshot> snapshot = config::compile(*cfg, diags);
  if (snapshot == nullptr) {
    ADD_FAILURE() << "compile failed";
    std::abort();
  }
  snapshot->generation = generation;
  snapshot->configHash = "hash-" + std::to_string(generation);
  Compiled out;
  out.catalog = std::make_shared<const Catalog>(
      buildCatalog(*cfg, snapshot->routing, generation, snapshot->configHash));
  out.config = std::move(*cfg);
  out.snapshot = std::move(snapshot);
  return out;
}

// A JSON value (RFC 8259), enough to walk /status.
struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  const Json& operator[](const std::string& key) const {
    static const Json missing;
    for (const auto& [k, v] : object) {
      if (k == key) {
        return v;
      }
    }
    ADD_FAILURE() << "no key " << key;
    return missing;
  }
  bool has(const std::string& key) const {
    for (const auto& [k, v] : object) {
      if (k == key) {
        return true;
      }
    }
    return false;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : text_(text) {}

  // Parses the whole text; nullopt on any syntax error (trailing garbage included).
  std::optional<Json> parse() {
    Json value;
    if (!parseValue(value)) {
      return std::nullopt;
    }
    skipSpace();
    return pos_ == text_.size() ? std::optional<Json>(std::move(value)) : std::nullopt;
  }

 private:
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) {
      return false;
    }
    pos_ += w.size();
    return true;
  }
  bool parseString(std::string& out) {
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      return false;
    }
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) {
        return false;
      }
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) {
            return false;
          }
          const long code = std::strtol(text_.substr(pos_, 4).c_str(), nullptr, 16);
          pos_ += 4;
          if (code >= 0x80) {
            return false;  // the writer escapes control characters only
          }
          out += static_cast<char>(code);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool parseValue(Json& out) {
    skipSpace();
    if (pos_ >= text_.size()) {
      return false;
    }
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      out.type = Json::Type::kObject;
      skipSpace();
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      for (;;) {
        skipSpace();
        std::string key;
        if (!parseString(key)) {
          return false;
        }
        skipSpace();
        if (pos_ >= text_.size() || text_[pos_++] != ':') {
          return false;
        }
        Json value;
        if (!parseValue(value)) {
          return false;
        }
        out.object.emplace_back(std::move(key), std::move(value));
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == '}') {
          ++pos_;
          return true;
        }
        return false;
      }
    }
    if (c == '[') {
      ++pos_;
      out.type = Json::Type::kArray;
      skipSpace();
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      for (;;) {
        Json value;
        if (!parseValue(value)) {
          return false;
        }
        out.array.push_back(std::move(value));
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ']') {
          ++pos_;
          return true;
        }
        return false;
      }
    }
    if (c == '"') {
      out.type = Json::Type::kString;
      return parseString(out.string);
    }
    if (literal("true")) {
      out.type = Json::Type::kBool;
      out.boolean = true;
      return true;
    }
    if (literal("false")) {
      out.type = Json::Type::kBool;
      return true;
    }
    if (literal("null")) {
      return true;
    }
    const char* start = text_.c_str() + pos_;
    char* end = nullptr;
    out.number = std::strtod(start, &end);
    if (end == start) {
      return false;
    }
    out.type = Json::Type::kNumber;
    pos_ += static_cast<size_t>(end - start);
    return true;
  }

  const std::string& text_;
  size_t pos_ = 0;
};

inline std::optional<Json> parseJson(const std::string& text) {
  return JsonParser(text).parse();
}

}  // namespace tmdns::metrics::test
