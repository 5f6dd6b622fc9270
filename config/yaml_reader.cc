// yaml-cpp access with positions, paths and type checks; throws only NodeLimitExceeded (loader).
#include "config/yaml_reader.h"

#include <yaml-cpp/depthguard.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config/path.h"
#include "util/text.h"

namespace tmdns::config {

namespace {

// yaml-cpp marks are 0-based; diagnostics are 1-based with 0 meaning unknown.
Position toPosition(const YAML::Mark& mark, const std::string& file, const Position& fallback) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) {
    return fallback;
  }
  return Position{file, mark.line + 1, mark.column + 1};
}

std::string rangeText(int64_t min, int64_t max) {
  if (max == kNoLimit) {
    return "must be at least " + std::to_string(min);
  }
  return "must be " + std::to_string(min) + ".." + std::to_string(max);
}

}  // namespace

YamlValue::YamlValue(YAML::Node node, std::string file, std::string path, Position fallback)
    : node_(std::move(node)),
      file_(std::move(file)),
      path_(std::move(path)),
      fallback_(std::move(fallback)) {}

Position YamlValue::pos() const {
  return toPosition(node_.Mark(), file_, fallback_);
}

YamlValue YamlValue::withPath(std::string path) const {
  YamlValue value(node_, file_, std::move(path), fallback_);
  value.budget_ = budget_;
  return value;
}

YamlValue YamlValue::child(const YAML::Node& node, std::string path) const {
  YamlValue value(node, file_, std::move(path), pos());
  if (budget_ != nullptr) {
    if (!budget_->spend()) {
      // Keys are read with an empty path: the map's is where they are.
      throw NodeLimitExceeded(value.pos(), value.path().empty() ? path_ : value.path(),
                              budget_->exceeded());
    }
    value.budget_ = budget_;
  }
  return value;
}

std::string NodeBudget::exceeded() const {
  return "too many nodes: YAML aliases expand the configuration beyond " + std::to_string(limit_) +
         " nodes (" + std::to_string(kBaseNodes) + " + " + std::to_string(kNodesPerByte) +
         " per byte of input)";
}

std::optional<YamlValue> parseYaml(const std::string& text, const std::string& file,
                                   const std::string& path, Diagnostics& diags,
                                   NodeBudget* budget) {
  const Position start{file, 1, 1};
  if (budget != nullptr) {
    budget->credit(text.size());
  }
  try {
    YamlValue doc(YAML::Load(text), file, path, start);
    doc.budget_ = budget;
    return doc;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp 0.7 gives this exception a misleading "bad file" message.
    diags.error(toPosition(e.mark, file, start), "",
                "syntax error: nested too deeply (" + std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    diags.error(toPosition(e.mark, file, start), "", "syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diags.error(start, "", std::string("cannot parse: ") + e.what());
  }
  return std::nullopt;
}

std::optional<std::string> readTextFile(const std::string& file, Diagnostics& diags) {
  const Position unknown{file, 0, 0};
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) {
    diags.error(unknown, "", std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, in.get())) > 0) {
    text.append(buf, n);
  }
  if (std::ferror(in.get()) != 0) {
    // A directory opens fine and fails here with EISDIR.
    diags.error(unknown, "", std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> readString(const YamlValue& value, Diagnostics& diags) {
  if (!value.isScalar()) {
    diags.error(value.pos(), value.path(), "must be a string");
    return std::nullopt;
  }
  return value.node().Scalar();
}

std::optional<int64_t> readInt(const YamlValue& value, int64_t min, int64_t max,
                               Diagnostics& diags) {
  if (!value.isScalar()) {
    diags.error(value.pos(), value.path(), "must be a whole number");
    return std::nullopt;
  }
  const std::string& text = value.node().Scalar();
  const char* first = text.data();
  const char* last = text.data() + text.size();
  int64_t number = 0;
  const auto [end, ec] = std::from_chars(first, last, number);
  if (ec == std::errc::result_out_of_range) {
    // Still a whole number, just far outside any range we accept.
    diags.error(value.pos(), value.path(), rangeText(min, max));
    return std::nullopt;
  }
  if (ec != std::errc() || end != last || text.empty()) {
    diags.error(value.pos(), value.path(), "must be a whole number");
    return std::nullopt;
  }
  if (number < min || number > max) {
    diags.error(value.pos(), value.path(), rangeText(min, max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> readBool(const YamlValue& value, Diagnostics& diags) {
  if (value.isScalar()) {
    if (util::equalsIgnoreCase(value.node().Scalar(), "true")) {
      return true;
    }
    if (util::equalsIgnoreCase(value.node().Scalar(), "false")) {
      return false;
    }
  }
  diags.error(value.pos(), value.path(), "must be true or false");
  return std::nullopt;
}

std::optional<int> readEnum(const YamlValue& value, std::initializer_list<EnumName> names,
                            Diagnostics& diags) {
  if (value.isScalar()) {
    for (const EnumName& name : names) {
      if (util::equalsIgnoreCase(value.node().Scalar(), name.name)) {
        return name.value;
      }
    }
  }
  std::string message = "must be one of ";
  bool firstName = true;
  for (const EnumName& name : names) {
    if (!firstName) {
      message += ", ";
    }
    message += name.name;
    firstName = false;
  }
  diags.error(value.pos(), value.path(), message);
  return std::nullopt;
}

std::optional<std::vector<YamlValue>> readSequence(const YamlValue& value, Diagnostics& diags) {
  if (!value.isSequence()) {
    diags.error(value.pos(), value.path(), "must be a list");
    return std::nullopt;
  }
  std::vector<YamlValue> items;
  size_t index = 0;
  for (const YAML::Node& item : value.node()) {
    items.push_back(value.child(item, indexPath(value.path(), index)));
    ++index;
  }
  return items;
}

MapReader::MapReader(const YamlValue& value, Diagnostics& diags, KeyCase keyCase)
    : value_(value), diags_(diags), keyCase_(keyCase) {
  if (!value.isMap()) {
    diags_.error(value.pos(), value.path(), "must be a map");
    return;
  }
  isMap_ = true;
  for (auto it = value.node().begin(); it != value.node().end(); ++it) {
    // Copies: yaml-cpp's iterator hands out a temporary pair, references to it would dangle.
    const YAML::Node key = it->first;
    const YAML::Node item = it->second;
    const Position keyPos = value.child(key, "").pos();
    if (!key.IsScalar()) {
      diags_.error(keyPos, value.path(), "keys must be plain strings");
      continue;
    }
    if (find(key.Scalar()) != nullptr) {
      diags_.error(keyPos, value.path(), "duplicate key \"" + key.Scalar() + "\"");
      continue;
    }
    entries_.push_back(Entry{key.Scalar(), key, item, false});
  }
}

MapReader::Entry* MapReader::find(std::string_view key) {
  for (Entry& entry : entries_) {
    if (keyCase_ == KeyCase::kExact ? entry.key == key : util::equalsIgnoreCase(entry.key, key)) {
      return &entry;
    }
  }
  return nullptr;
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  return const_cast<MapReader*>(this)->find(key);
}

std::optional<YamlValue> MapReader::take(std::string_view key) {
  Entry* entry = find(key);
  if (entry == nullptr) {
    return std::nullopt;
  }
  entry->used = true;
  if (entry->value.IsNull()) {
    return std::nullopt;
  }
  return value_.child(entry->value, childPath(value_.path(), key));
}

bool MapReader::has(std::string_view key) const {
  const Entry* entry = find(key);
  return entry != nullptr && !entry->value.IsNull();
}

void MapReader::accept(std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (Entry* entry = find(key)) {
      entry->used = true;
    }
  }
}

std::optional<YamlValue> MapReader::require(std::string_view key) {
  std::optional<YamlValue> value = take(key);
  if (!value && isMap_) {
    diags_.error(value_.pos(), value_.path(), "missing required key \"" + std::string(key) + "\"");
  }
  return value;
}

std::optional<std::string> MapReader::getString(std::string_view key) {
  std::optional<YamlValue> value = take(key);
  if (!value) {
    return std::nullopt;
  }
  return readString(*value, diags_);
}

std::optional<int64_t> MapReader::getInt(std::string_view key, int64_t min, int64_t max) {
  std::optional<YamlValue> value = take(key);
  if (!value) {
    return std::nullopt;
  }
  return readInt(*value, min, max, diags_);
}

std::optional<int> MapReader::getEnum(std::string_view key, std::initializer_list<EnumName> names) {
  std::optional<YamlValue> value = take(key);
  if (!value) {
    return std::nullopt;
  }
  return readEnum(*value, names, diags_);
}

void MapReader::warnUnknownKeys() {
  for (Entry& entry : entries_) {
    if (!entry.used) {
      diags_.warning(value_.child(entry.keyNode, "").pos(), value_.path(),
                     "unknown key \"" + entry.key + "\"");
      entry.used = true;  // warn once even if called again
    }
  }
}

}  // namespace tmdns::config
