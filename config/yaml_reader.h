// Typed, position-aware access to yaml-cpp nodes: every wrong type or range becomes a diagnostic.
#pragma once

// GCC 12 reports a -Wdangling-pointer false positive inside yaml-cpp 0.7's node/impl.h.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"

namespace tmdns::config {

// How many nodes the readers may visit in one load, all its documents together. yaml-cpp shares
// an aliased node instead of copying it, so a few kilobytes of nested anchors and aliases stand
// for billions of nodes ("billion laughs"), and a reader following the schema would visit every
// one of them. Documents without aliases stay far below the limit: the 7 MB configuration of
// bench/gen_bench.py (10,000 profiles) has the readers visit fewer nodes than it has bytes.
class NodeBudget {
 public:
  static constexpr uint64_t kBaseNodes = 100000;
  static constexpr uint64_t kNodesPerByte = 10;

  // A document of `bytes` bytes joins the load.
  void credit(size_t bytes) { limit_ += kNodesPerByte * bytes; }
  // One more node visited; false once past the limit.
  bool spend() { return ++used_ <= limit_; }
  // The message for the node past the limit.
  std::string exceeded() const;

 private:
  uint64_t limit_ = kBaseNodes;
  uint64_t used_ = 0;
};

// Thrown out of the readers when a load exceeds its NodeBudget: nothing read after that point
// is worth reading. loadConfigText turns it into one error with this position and path.
class NodeLimitExceeded : public std::exception {
 public:
  NodeLimitExceeded(Position pos, std::string path, std::string message)
      : pos(std::move(pos)), path(std::move(path)), message(std::move(message)) {}
  const char* what() const noexcept override { return message.c_str(); }

  Position pos;
  std::string path;
  std::string message;
};

// A YAML node together with the file it came from and its path for messages.
class YamlValue {
 public:
  // `fallback` is used where yaml-cpp has no mark (e.g. an empty document). A value made here
  // has no NodeBudget: only documents from parseYaml can count their nodes.
  YamlValue(YAML::Node node, std::string file, std::string path, Position fallback);

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  Position pos() const;

  bool isNull() const { return node_.IsNull(); }
  bool isMap() const { return node_.IsMap(); }
  bool isSequence() const { return node_.IsSequence(); }
  bool isScalar() const { return node_.IsScalar(); }

  // The same node under another path (ARM's `properties` reads as the profile itself).
  YamlValue withPath(std::string path) const;
  // A child node with its path. Spends one node of the document's budget: throws
  // NodeLimitExceeded when it is used up.
  YamlValue child(const YAML::Node& node, std::string path) const;

  // The budget of the load this document belongs to (null: its nodes are not counted).
  NodeBudget* budget() const { return budget_; }

 private:
  friend std::optional<YamlValue> parseYaml(const std::string& text, const std::string& file,
                                            const std::string& path, Diagnostics& diags,
                                            NodeBudget* budget);

  YAML::Node node_;
  std::string file_;
  std::string path_;
  Position fallback_;
  NodeBudget* budget_ = nullptr;  // owned by the loader; outlives every value of its load
};

// Parses `text`; on a syntax error reports yaml-cpp's position and message and returns nullopt.
// `path` is the root path for messages about the document's content. The document's nodes are
// counted against `budget` (the loader's, shared by every document of one load), which is
// credited for `text` first; null: they are not counted.
std::optional<YamlValue> parseYaml(const std::string& text, const std::string& file,
                                   const std::string& path, Diagnostics& diags,
                                   NodeBudget* budget = nullptr);

// Reads a whole file; on failure reports "FILE:0:0: cannot read: <strerror>".
std::optional<std::string> readTextFile(const std::string& file, Diagnostics& diags);

inline constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// Scalar readers: each reports "must be ..." at the value and returns nullopt on a mismatch.
std::optional<std::string> readString(const YamlValue& value, Diagnostics& diags);
std::optional<int64_t> readInt(const YamlValue& value, int64_t min, int64_t max,
                               Diagnostics& diags);
std::optional<bool> readBool(const YamlValue& value, Diagnostics& diags);

// One allowed spelling of an enumeration (matched ignoring case, as Azure does).
struct EnumName {
  std::string_view name;
  int value;
};
std::optional<int> readEnum(const YamlValue& value, std::initializer_list<EnumName> names,
                            Diagnostics& diags);

// The elements of a sequence with paths "path[i]"; reports an error if it is not a sequence.
std::optional<std::vector<YamlValue>> readSequence(const YamlValue& value, Diagnostics& diags);

// Reads one YAML map. Keys are looked up as the schema spells them; at the end every key that was
// neither taken nor accepted is warned about as unknown, with its position.
class MapReader {
 public:
  enum class KeyCase { kExact, kIgnore };  // kIgnore for Azure objects: ARM ignores key case

  // Reports "must be a map" (and reads nothing) when `value` is not one. Duplicate keys are
  // errors: which one wins would be a guess.
  MapReader(const YamlValue& value, Diagnostics& diags, KeyCase keyCase);

  bool isMap() const { return isMap_; }
  const YamlValue& value() const { return value_; }

  // The value under `key`, or nullopt when absent or null (Azure prints unset fields as null).
  // The value's path is "<map path>.<key>".
  std::optional<YamlValue> take(std::string_view key);
  bool has(std::string_view key) const;

  // Keys that are known and deliberately unused (read-only Azure fields and the like).
  void accept(std::initializer_list<std::string_view> keys);

  // Reports "missing required key" at the map and returns nullopt when `key` is absent or null.
  std::optional<YamlValue> require(std::string_view key);

  // Typed shortcuts: absent/null gives nullopt without a message.
  std::optional<std::string> getString(std::string_view key);
  std::optional<int64_t> getInt(std::string_view key, int64_t min, int64_t max);
  std::optional<int> getEnum(std::string_view key, std::initializer_list<EnumName> names);

  // Warns about every key neither taken nor accepted; call once when done with the map.
  void warnUnknownKeys();

 private:
  struct Entry {
    std::string key;
    YAML::Node keyNode;
    YAML::Node value;
    bool used = false;
  };

  Entry* find(std::string_view key);
  const Entry* find(std::string_view key) const;

  YamlValue value_;
  Diagnostics& diags_;
  KeyCase keyCase_;
  bool isMap_ = false;
  std::vector<Entry> entries_;
};

}  // namespace tmdns::config
