// loadConfig/loadConfigText: top-level keys, listen addresses, then zones and the validator.
#include "config/loader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "config/ip_address.h"
#include "config/validator.h"
#include "config/yaml_reader.h"
#include "config/zone_reader.h"
#include "dns/rate_limiter.h"

namespace tmdns::config {

namespace {

using KeyCase = MapReader::KeyCase;

// Loopback only: serving the world must be a deliberate choice in the file.
constexpr const char* kDefaultListenHost = "127.0.0.1";
constexpr uint16_t kDefaultListenPort = 53;

std::optional<ListenAddress> readListenAddress(const YamlValue& value, Diagnostics& diags) {
  const std::optional<std::string> text = readString(value, diags);
  if (!text) {
    return std::nullopt;
  }
  std::string host;
  std::string port;
  bool bracketed = false;
  if (!text->empty() && text->front() == '[') {
    const size_t close = text->find("]:");
    if (close != std::string::npos) {
      host = text->substr(1, close - 1);
      port = text->substr(close + 2);
      bracketed = true;
    }
  } else if (const size_t colon = text->rfind(':'); colon != std::string::npos) {
    host = text->substr(0, colon);
    port = text->substr(colon + 1);
  }
  const std::optional<IpAddress> ip = parseIpAddress(host);
  if (!ip || ip->v6 != bracketed || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    diags.error(value.pos(), value.path(),
                "must be IPv4:port or [IPv6]:port (e.g. 127.0.0.1:53 or [::1]:53)");
    return std::nullopt;
  }
  // Port 0 lets the kernel pick a free port (tests rely on it).
  const int number = std::stoi(port);
  if (number > 65535) {
    diags.error(value.pos(), value.path(), "port must be 0..65535");
    return std::nullopt;
  }
  ListenAddress address;
  address.pos = value.pos();
  address.path = value.path();
  address.host = ip->toString();
  address.port = static_cast<uint16_t>(number);
  return address;
}

void readListen(MapReader& top, Config& config, Diagnostics& diags) {
  const std::optional<YamlValue> listen = top.take("listen");
  if (!listen) {
    ListenAddress address;
    address.pos = top.value().pos();
    address.path = "listen";
    address.host = kDefaultListenHost;
    address.port = kDefaultListenPort;
    config.listen.push_back(std::move(address));
    return;
  }
  const std::optional<std::vector<YamlValue>> items = readSequence(*listen, diags);
  if (!items) {
    return;
  }
  if (items->empty()) {
    diags.error(listen->pos(), listen->path(), "must list at least one address");
  }
  std::map<std::pair<std::string, uint16_t>, std::string> seen;
  for (const YamlValue& item : *items) {
    std::optional<ListenAddress> address = readListenAddress(item, diags);
    if (!address) {
      continue;
    }
    // Two sockets cannot bind the same address and port; port 0 picks a fresh one each time.
    if (address->port != 0) {
      const auto [it, inserted] =
          seen.emplace(std::pair(address->host, address->port), item.path());
      if (!inserted) {
        diags.error(item.pos(), item.path(), "duplicate address (also " + it->second + ")");
        continue;
      }
    }
    config.listen.push_back(std::move(*address));
  }
}

void readTcp(const YamlValue& value, TcpSettings& tcp, Diagnostics& diags) {
  tcp.pos = value.pos();
  tcp.path = value.path();
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return;
  }
  if (std::optional<int64_t> number = map.getInt("idle_timeout_ms", 1, 3600000)) {
    tcp.idleTimeoutMs = static_cast<int>(*number);
  }
  if (std::optional<int64_t> number = map.getInt("max_connections", 1, 1000000)) {
    tcp.maxConnections = static_cast<int>(*number);
  }
  if (std::optional<int64_t> number = map.getInt("max_queries_per_connection", 1, 1000000)) {
    tcp.maxQueriesPerConnection = static_cast<int>(*number);
  }
  map.warnUnknownKeys();
}

// `probes:` (issue 4): whether and how endpoints are monitored.
void readProbes(const YamlValue& value, ProbeSettings& probes, Diagnostics& diags) {
  probes.pos = value.pos();
  probes.path = value.path();
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return;
  }
  if (std::optional<YamlValue> enabled = map.take("enabled")) {
    probes.enabled = readBool(*enabled, diags).value_or(probes.enabled);
  }
  if (std::optional<YamlValue> resolvers = map.take("resolvers")) {
    if (std::optional<std::vector<YamlValue>> items = readSequence(*resolvers, diags)) {
      for (const YamlValue& item : *items) {
        // Same address forms as listen: "127.0.0.1:5300", "[::1]:53".
        if (std::optional<ListenAddress> address = readListenAddress(item, diags)) {
          const bool v6 = address->host.find(':') != std::string::npos;
          probes.resolvers.push_back((v6 ? "[" + address->host + "]" : address->host) + ":" +
                                     std::to_string(address->port));
        }
      }
    }
  }
  if (std::optional<YamlValue> source = map.take("source_address")) {
    if (std::optional<std::string> text = readString(*source, diags)) {
      if (std::optional<IpAddress> ip = parseIpAddress(*text)) {
        probes.sourceAddress = ip->toString();
      } else {
        diags.error(source->pos(), source->path(), "must be an IPv4 or IPv6 address");
      }
    }
  }
  if (std::optional<std::string> agent = map.getString("user_agent")) {
    probes.userAgent = *agent;
  }
  if (std::optional<int64_t> number = map.getInt("max_concurrent", 1, 100000)) {
    probes.maxConcurrent = static_cast<int>(*number);
  }
  map.warnUnknownKeys();
}

// `rate_limit:` (issue 8): Response Rate Limiting of UDP answers; the ranges are the limiter's.
std::optional<RateLimitSettings> readRateLimit(const YamlValue& value, Diagnostics& diags) {
  using Limits = dns::RateLimitOptions;
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return std::nullopt;
  }
  RateLimitSettings settings;
  settings.pos = value.pos();
  settings.path = value.path();
  // A limit that was written wrong is an error, never quietly the default.
  bool valid = true;
  auto read = [&](const std::optional<YamlValue>& item, int64_t min, int64_t max, int& field) {
    if (!item) {
      return;
    }
    if (std::optional<int64_t> number = readInt(*item, min, max, diags)) {
      field = static_cast<int>(*number);
    } else {
      valid = false;
    }
  };
  const std::optional<YamlValue> rate = map.require("responses_per_second");
  valid = rate.has_value();
  read(rate, 1, Limits::kMaxResponsesPerSecond, settings.responsesPerSecond);
  read(map.take("window"), 1, Limits::kMaxWindow, settings.window);
  read(map.take("slip"), 0, Limits::kMaxSlip, settings.slip);
  read(map.take("ipv4_prefix"), 8, 32, settings.ipv4Prefix);
  read(map.take("ipv6_prefix"), 32, 128, settings.ipv6Prefix);
  read(map.take("table_size"), Limits::kMinTableSize, Limits::kMaxTableSize, settings.tableSize);
  map.warnUnknownKeys();
  if (!valid) {
    return std::nullopt;
  }
  return settings;
}

// Every file the configuration was read from, for the configuration hash: the main file, the
// profile files and the data files, each once.
void recordSourceFiles(Config& config) {
  auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(config.sourceFiles.begin(), config.sourceFiles.end(), name) ==
                             config.sourceFiles.end()) {
      config.sourceFiles.push_back(name);
    }
  };
  add(config.file);
  for (const Zone& zone : config.zones) {
    for (const Profile& profile : zone.profiles) {
      add(profile.pos.file);
    }
  }
  if (config.geoip) {
    add(config.geoip->file);
  }
  if (config.latency) {
    add(config.latency->file);
  }
}

// A data file named relative to the configuration file resolves against its directory.
std::string resolveAgainst(const std::string& baseDir, const std::string& file) {
  const std::filesystem::path path(file);
  return path.is_absolute() || baseDir.empty() ? file
                                               : (std::filesystem::path(baseDir) / path).string();
}

// `geoip: {mmdb: FILE}` or `geoip: {csv: FILE}`: exactly one of them.
std::optional<GeoIpSettings> readGeoIp(const YamlValue& value, const std::string& baseDir,
                                       Diagnostics& diags) {
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return std::nullopt;
  }
  const std::optional<YamlValue> mmdb = map.take("mmdb");
  const std::optional<YamlValue> csv = map.take("csv");
  map.warnUnknownKeys();
  if (mmdb && csv) {
    diags.error(csv->pos(), csv->path(), "give one geolocation database: mmdb or csv, not both");
    return std::nullopt;
  }
  if (!mmdb && !csv) {
    diags.error(value.pos(), value.path(), "needs `mmdb: FILE` or `csv: FILE`");
    return std::nullopt;
  }
  const YamlValue& fileValue = mmdb ? *mmdb : *csv;
  const std::optional<std::string> file = readString(fileValue, diags);
  if (!file) {
    return std::nullopt;
  }
  if (file->empty()) {
    diags.error(fileValue.pos(), fileValue.path(), "must name a file");
    return std::nullopt;
  }
  GeoIpSettings settings;
  settings.pos = fileValue.pos();
  settings.path = fileValue.path();
  settings.format = mmdb ? GeoIpSettings::Format::kMmdb : GeoIpSettings::Format::kCsv;
  settings.file = resolveAgainst(baseDir, *file);
  return settings;
}

// `latency: {csv: FILE}`.
std::optional<LatencySettings> readLatency(const YamlValue& value, const std::string& baseDir,
                                           Diagnostics& diags) {
  MapReader map(value, diags, KeyCase::kExact);
  if (!map.isMap()) {
    return std::nullopt;
  }
  const std::optional<YamlValue> csv = map.require("csv");
  map.warnUnknownKeys();
  if (!csv) {
    return std::nullopt;
  }
  const std::optional<std::string> file = readString(*csv, diags);
  if (!file) {
    return std::nullopt;
  }
  if (file->empty()) {
    diags.error(csv->pos(), csv->path(), "must name a file");
    return std::nullopt;
  }
  LatencySettings settings;
  settings.pos = csv->pos();
  settings.path = csv->path();
  settings.file = resolveAgainst(baseDir, *file);
  return settings;
}

// `user:` / `group:`: a name as useradd accepts it, or a numeric id. Whether it exists is checked
// where it is used (start-up), since a file is often checked on another machine.
std::optional<std::string> readAccountName(const YamlValue& value, Diagnostics& diags) {
  std::optional<std::string> text = readString(value, diags);
  if (!text) {
    return std::nullopt;
  }
  const bool valid =
      !text->empty() && text->size() <= 32 && text->front() != '-' &&
      std::all_of(text->begin(), text->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
      });
  if (!valid) {
    diags.error(value.pos(), value.path(),
                "must be a user or group name (letters, digits, '_', '-', '.') or a numeric id");
    return std::nullopt;
  }
  return text;
}

void readRunAs(MapReader& top, Config& config, Diagnostics& diags) {
  const std::optional<YamlValue> user = top.take("user");
  const std::optional<YamlValue> group = top.take("group");
  if (user) {
    config.runAs.pos = user->pos();
    config.runAs.path = user->path();
    config.runAs.user = readAccountName(*user, diags).value_or("");
  }
  if (group) {
    if (!user) {
      diags.error(group->pos(), group->path(), "needs `user:` (the user to run as)");
    } else {
      config.runAs.group = readAccountName(*group, diags).value_or("");
    }
  }
}

std::optional<Config> readConfig(const std::string& text, const std::string& file,
                                 Diagnostics& diags) {
  // Every document of this load (the profile files too) counts its nodes here.
  NodeBudget budget;
  const std::optional<YamlValue> doc = parseYaml(text, file, "", diags, &budget);
  if (!doc) {
    return std::nullopt;
  }
  if (!doc->isMap()) {
    diags.error(doc->pos(), "",
                doc->isNull() ? "the configuration is empty"
                              : "the configuration must be a map (listen, threads, zones, ...)");
    return std::nullopt;
  }
  Config config;
  config.file = file;
  config.tcp.pos = doc->pos();
  config.tcp.path = "tcp";
  MapReader top(*doc, diags, KeyCase::kExact);
  readListen(top, config, diags);
  if (std::optional<int64_t> threads = top.getInt("threads", 0, 256)) {
    config.threads = static_cast<int>(*threads);
  }
  // RFC 6891 §6.2.5: below 512 is not allowed; 4096 is the customary ceiling.
  if (std::optional<int64_t> payload = top.getInt("max_udp_payload", 512, 4096)) {
    config.maxUdpPayload = static_cast<int>(*payload);
  }
  if (std::optional<YamlValue> tcp = top.take("tcp")) {
    readTcp(*tcp, config.tcp, diags);
  }
  if (std::optional<YamlValue> probes = top.take("probes")) {
    readProbes(*probes, config.probes, diags);
  }
  // The metrics and status listener, in the listen address forms; port 0 picks a free port.
  if (std::optional<YamlValue> http = top.take("http")) {
    config.http = readListenAddress(*http, diags);
  }
  // Data files, like profile_files, are named relative to the configuration file.
  const std::string baseDir = std::filesystem::path(file).parent_path().string();
  if (std::optional<YamlValue> geoip = top.take("geoip")) {
    config.geoip = readGeoIp(*geoip, baseDir, diags);
  }
  if (std::optional<YamlValue> latency = top.take("latency")) {
    config.latency = readLatency(*latency, baseDir, diags);
  }
  if (std::optional<YamlValue> rateLimit = top.take("rate_limit")) {
    config.rateLimit = readRateLimit(*rateLimit, diags);
  }
  readRunAs(top, config, diags);
  if (std::optional<YamlValue> zones = top.require("zones")) {
    if (std::optional<std::vector<YamlValue>> items = readSequence(*zones, diags)) {
      if (items->empty()) {
        diags.error(zones->pos(), zones->path(), "must list at least one zone");
      }
      for (const YamlValue& item : *items) {
        config.zones.push_back(readZone(item, baseDir, diags));
      }
    }
  }
  top.warnUnknownKeys();
  validateConfig(config, diags);
  recordSourceFiles(config);
  return config;
}

}  // namespace

std::optional<Config> loadConfigText(const std::string& text, const std::string& file,
                                     Diagnostics& diags) {
  Diagnostics local;
  std::optional<Config> config;
  try {
    config = readConfig(text, file, local);
  } catch (const NodeLimitExceeded& e) {
    // YAML aliases expanding without bound: reading on would take as long as they expand.
    local.error(e.pos, e.path, e.message);
    config.reset();
  } catch (const std::exception& e) {
    // Only a bug (or memory exhaustion) gets here; the caller still gets a diagnostic.
    local.error(Position{file, 0, 0}, "", std::string("internal error while loading: ") + e.what());
    config.reset();
  }
  diags.append(local);
  if (local.hasErrors()) {
    return std::nullopt;
  }
  return config;
}

std::optional<Config> loadConfig(const std::string& path, Diagnostics& diags) {
  Diagnostics local;
  std::optional<std::string> text;
  try {
    text = readTextFile(path, local);
  } catch (const std::exception& e) {
    local.error(Position{path, 0, 0}, "", std::string("cannot read: ") + e.what());
  }
  diags.append(local);
  if (!text) {
    return std::nullopt;
  }
  return loadConfigText(*text, path, diags);
}

}  // namespace tmdns::config
