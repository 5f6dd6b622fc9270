// Zone entries and the profile files they name.
#include "config/zone_reader.h"

#include <glob.h>

#include <memory>

#include "config/dns_name.h"
#include "config/path.h"
#include "config/profile_reader.h"

namespace tmdns::config {

namespace {

using KeyCase = MapReader::KeyCase;

constexpr int64_t kMaxInt32 = 2147483647;
constexpr int64_t kMaxUint32 = 4294967295;

bool hasGlobChars(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

// The directory is literal text; only the pattern after it may use wildcards.
std::string escapeGlob(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

struct ProfileFile {
  std::string path;     // what is opened, and the file name in positions
  std::string display;  // as matched relative to the configuration's directory
};

std::vector<ProfileFile> expandPattern(const YamlValue& value, const std::string& pattern,
                                       const std::string& baseDir, Diagnostics& diags) {
  const bool absolute = !pattern.empty() && pattern.front() == '/';
  const std::string prefix = absolute || baseDir.empty() ? "" : baseDir + "/";
  std::vector<ProfileFile> files;
  if (!hasGlobChars(pattern)) {
    // A plain file name must exist: reading it reports what is wrong.
    files.push_back({prefix + pattern, pattern});
    return files;
  }
  glob_t matches{};
  std::unique_ptr<glob_t, void (*)(glob_t*)> guard(&matches, &globfree);
  const int rc = glob((escapeGlob(prefix) + pattern).c_str(), GLOB_MARK, nullptr, &matches);
  if (rc == GLOB_NOMATCH) {
    diags.warning(value.pos(), value.path(), "\"" + pattern + "\" matches no file");
    return files;
  }
  if (rc != 0) {
    diags.error(value.pos(), value.path(), "cannot expand \"" + pattern + "\"");
    return files;
  }
  for (size_t i = 0; i < matches.gl_pathc; ++i) {
    const std::string match = matches.gl_pathv[i];
    if (!match.empty() && match.back() == '/') {
      continue;  // GLOB_MARK: a directory, not a profile file
    }
    files.push_back({match, match.substr(prefix.size())});
  }
  return files;
}

void readProfileFile(const YamlValue& patternValue, const ProfileFile& file, Zone& zone,
                     Diagnostics& diags) {
  const std::optional<std::string> text = readTextFile(file.path, diags);
  if (!text) {
    return;
  }
  const std::string root = fileRootPath(patternValue.path(), file.display);
  // One budget for the whole load: each profile file adds to it, none gets a base of its own.
  const std::optional<YamlValue> doc =
      parseYaml(*text, file.path, root, diags, patternValue.budget());
  if (!doc) {
    return;
  }
  if (doc->isMap()) {
    zone.profiles.push_back(readProfile(*doc, diags));
  } else if (doc->isSequence()) {
    if (const std::optional<std::vector<YamlValue>> items = readSequence(*doc, diags)) {
      for (const YamlValue& item : *items) {
        zone.profiles.push_back(readProfile(item, diags));
      }
    }
  } else {
    diags.error(doc->pos(), root, "must hold a profile object or a list of profiles");
  }
}

// A name written in the configuration, normalized; reports what is wrong with it.
std::optional<std::string> readDnsName(const YamlValue& value, Diagnostics& diags) {
  const std::optional<std::string> text = readString(value, diags);
  if (!text) {
    return std::nullopt;
  }
  std::string name = normalizeDnsName(*text);
  if (std::optional<std::string> problem = dnsNameProblem(name)) {
    diags.error(value.pos(), value.path(), *problem);
    return std::nullopt;
  }
  return name;
}

void readUint32(MapReader& map, std::string_view key, int64_t max, uint32_t& out) {
  if (std::optional<int64_t> number = map.getInt(key, 0, max)) {
    out = static_cast<uint32_t>(*number);
  }
}

Soa readSoa(const YamlValue& value, Diagnostics& diags) {
  Soa soa;
  soa.pos = value.pos();
  soa.path = value.path();
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return soa;
  }
  if (std::optional<YamlValue> mname = map.require("mname")) {
    soa.mname = readDnsName(*mname, diags).value_or("");
  }
  if (std::optional<YamlValue> rname = map.require("rname")) {
    soa.rname = readDnsName(*rname, diags).value_or("");
  }
  readUint32(map, "serial", kMaxUint32, soa.serial);
  readUint32(map, "refresh", kMaxInt32, soa.refresh);
  readUint32(map, "retry", kMaxInt32, soa.retry);
  readUint32(map, "expire", kMaxInt32, soa.expire);
  readUint32(map, "minimum", kMaxInt32, soa.minimum);
  readUint32(map, "ttl", kMaxInt32, soa.ttl);
  map.warnUnknownKeys();
  return soa;
}

std::optional<NegativeAnswer> readNegativeAnswer(MapReader& map, std::string_view key) {
  std::optional<int> value =
      map.getEnum(key, {{"nodata", static_cast<int>(NegativeAnswer::kNoData)},
                        {"nxdomain", static_cast<int>(NegativeAnswer::kNxDomain)}});
  if (!value) {
    return std::nullopt;
  }
  return static_cast<NegativeAnswer>(*value);
}

}  // namespace

Zone readZone(const YamlValue& value, const std::string& baseDir, Diagnostics& diags) {
  Zone zone;
  zone.pos = value.pos();
  zone.path = value.path();
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return zone;
  }
  if (std::optional<YamlValue> name = map.require("name")) {
    zone.fieldPos["name"] = name->pos();
    zone.name = readDnsName(*name, diags).value_or("");
  }
  if (std::optional<YamlValue> soa = map.require("soa")) {
    zone.soa = readSoa(*soa, diags);
  }
  if (std::optional<YamlValue> ns = map.require("ns")) {
    if (std::optional<std::vector<YamlValue>> items = readSequence(*ns, diags)) {
      if (items->empty()) {
        diags.error(ns->pos(), ns->path(), "must list at least one name server");
      }
      for (const YamlValue& item : *items) {
        if (std::optional<std::string> server = readDnsName(item, diags)) {
          zone.ns.push_back(*server);
        }
      }
    }
  }
  readUint32(map, "ns_ttl", kMaxInt32, zone.nsTtl);
  if (std::optional<YamlValue> records = map.take("records")) {
    if (std::optional<std::vector<YamlValue>> items = readSequence(*records, diags)) {
      for (const YamlValue& item : *items) {
        if (std::optional<std::string> text = readString(item, diags)) {
          StaticRecord record;
          record.pos = item.pos();
          record.path = item.path();
          record.text = *text;
          zone.records.push_back(std::move(record));
        }
      }
    }
  }
  if (std::optional<NegativeAnswer> answer = readNegativeAnswer(map, "subnet_no_match")) {
    zone.subnetNoMatch = *answer;
  }
  if (std::optional<NegativeAnswer> answer = readNegativeAnswer(map, "subnet_unhealthy")) {
    zone.subnetUnhealthy = *answer;
  }
  if (std::optional<YamlValue> profiles = map.take("profiles")) {
    if (std::optional<std::vector<YamlValue>> items = readSequence(*profiles, diags)) {
      for (const YamlValue& item : *items) {
        zone.profiles.push_back(readProfile(item, diags));
      }
    }
  }
  if (std::optional<YamlValue> files = map.take("profile_files")) {
    if (std::optional<std::vector<YamlValue>> patterns = readSequence(*files, diags)) {
      for (const YamlValue& patternValue : *patterns) {
        const std::optional<std::string> pattern = readString(patternValue, diags);
        if (!pattern) {
          continue;
        }
        if (pattern->empty()) {
          diags.error(patternValue.pos(), patternValue.path(), "must not be empty");
          continue;
        }
        for (const ProfileFile& file : expandPattern(patternValue, *pattern, baseDir, diags)) {
          readProfileFile(patternValue, file, zone, diags);
        }
      }
    }
  }
  map.warnUnknownKeys();
  return zone;
}

}  // namespace tmdns::config
