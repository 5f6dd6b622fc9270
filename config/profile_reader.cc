// Both Traffic Manager JSON shapes (traffic-manager.md §1.1-1.4) into model::Profile.
#include "config/profile_reader.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "config/dns_name.h"
#include "config/ip_address.h"
#include "config/path.h"
#include "geo/geo_codes.h"
#include "util/text.h"

namespace tmdns::config {

namespace {

using KeyCase = MapReader::KeyCase;

constexpr int64_t kMaxInt32 = 2147483647;
constexpr size_t kMaxCustomHeaders = 8;     // §1.3/§1.4: Azure's limit per profile and endpoint
constexpr size_t kMaxStatusCodeRanges = 8;  // §1.3

enum { kDisabled = 0, kEnabled = 1 };
const std::initializer_list<EnumName> kStatusNames = {{"Enabled", kEnabled},
                                                      {"Disabled", kDisabled}};

std::string upperCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// RFC 9110 §5.6.2: a field name is a token.
bool isHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// The shape decides where fields live: ARM nests them under `properties`, the CLI flattens them.
// `fields` points at whichever reader holds them.
class ShapeReader {
 public:
  ShapeReader(const YamlValue& value, Diagnostics& diags) : outer_(value, diags, KeyCase::kIgnore) {
    if (!outer_.isMap()) {
      return;
    }
    if (std::optional<YamlValue> props = outer_.take("properties")) {
      if (!props->isMap()) {
        diags.error(props->pos(), props->path(), "must be a map");
        return;
      }
      // Paths stay shape-independent: ARM's properties.weight reads as weight.
      properties_.emplace(props->withPath(value.path()), diags, KeyCase::kIgnore);
    }
    usable_ = true;
  }

  bool usable() const { return usable_; }
  MapReader& outer() { return outer_; }
  MapReader& fields() { return properties_ ? *properties_ : outer_; }

  void warnUnknownKeys() {
    outer_.warnUnknownKeys();
    if (properties_) {
      properties_->warnUnknownKeys();
    }
  }

 private:
  MapReader outer_;
  std::optional<MapReader> properties_;
  bool usable_ = false;
};

void remember(Located& located, std::string field, const YamlValue& value) {
  located.fieldPos[std::move(field)] = value.pos();
}

std::vector<CustomHeader> readCustomHeaders(const YamlValue& list, Diagnostics& diags) {
  std::vector<CustomHeader> headers;
  const std::optional<std::vector<YamlValue>> items = readSequence(list, diags);
  if (!items) {
    return headers;
  }
  if (items->size() > kMaxCustomHeaders) {
    diags.error(list.pos(), list.path(), "at most 8 custom headers are allowed (Azure's limit)");
  }
  for (const YamlValue& item : *items) {
    CustomHeader header;
    header.pos = item.pos();
    header.path = item.path();
    MapReader map(item, diags, KeyCase::kIgnore);
    if (!map.isMap()) {
      continue;
    }
    std::optional<std::string> name;
    if (std::optional<YamlValue> value = map.require("name")) {
      name = readString(*value, diags);
      if (name && !isHeaderName(*name)) {
        diags.error(value->pos(), value->path(), "must be an HTTP header name (a token)");
        name.reset();
      }
    }
    std::optional<std::string> text;
    if (std::optional<YamlValue> value = map.require("value")) {
      text = readString(*value, diags);
      if (text && text->find_first_of("\r\n") != std::string::npos) {
        // A line break would let the value inject more headers into the probe request.
        diags.error(value->pos(), value->path(), "must not contain line breaks");
        text.reset();
      } else if (text && name && util::asciiLower(*name) == "host" &&
                 text->find('*') != std::string::npos) {
        // §1.3: Azure rejects wildcards in a custom Host header.
        diags.error(value->pos(), value->path(), "a custom Host header must not contain '*'");
        text.reset();
      }
    }
    map.warnUnknownKeys();
    if (name && text) {
      header.name = *name;
      header.value = *text;
      headers.push_back(std::move(header));
    }
  }
  return headers;
}

std::vector<StatusCodeRange> readStatusCodeRanges(const YamlValue& list, Diagnostics& diags) {
  std::vector<StatusCodeRange> ranges;
  const std::optional<std::vector<YamlValue>> items = readSequence(list, diags);
  if (!items) {
    return ranges;
  }
  if (items->size() > kMaxStatusCodeRanges) {
    diags.error(list.pos(), list.path(), "at most 8 ranges are allowed (Azure's limit)");
  }
  for (const YamlValue& item : *items) {
    MapReader map(item, diags, KeyCase::kIgnore);
    if (!map.isMap()) {
      continue;
    }
    std::optional<int64_t> min;
    std::optional<int64_t> max;
    if (std::optional<YamlValue> value = map.require("min")) {
      min = readInt(*value, 100, 999, diags);
    }
    std::optional<YamlValue> maxValue = map.require("max");
    if (maxValue) {
      max = readInt(*maxValue, 100, 999, diags);
    }
    map.warnUnknownKeys();
    if (!min || !max) {
      continue;
    }
    if (*min > *max) {
      diags.error(maxValue->pos(), maxValue->path(),
                  "must not be lower than min (" + std::to_string(*min) + ")");
      continue;
    }
    StatusCodeRange range;
    range.pos = item.pos();
    range.path = item.path();
    range.min = static_cast<int>(*min);
    range.max = static_cast<int>(*max);
    ranges.push_back(std::move(range));
  }
  return ranges;
}

// §1.3: timeouts Azure accepts for its two intervals.
void noteAzureTimeoutRange(const YamlValue& value, int interval, int timeout, Diagnostics& diags) {
  if (interval == 30 && (timeout < 5 || timeout > 10)) {
    diags.notice(
        value.pos(), value.path(),
        "Azure accepts 5..10 with a 30-second interval; tmdns uses " + std::to_string(timeout));
  } else if (interval == 10 && (timeout < 5 || timeout > 9)) {
    diags.notice(
        value.pos(), value.path(),
        "Azure accepts 5..9 with a 10-second interval; tmdns uses " + std::to_string(timeout));
  }
}

MonitorConfig readMonitor(const YamlValue& value, Diagnostics& diags) {
  MonitorConfig monitor;
  monitor.pos = value.pos();
  // MonitorConfig::path (the probe path) hides Located::path (the diagnostics path).
  monitor.Located::path = value.path();
  MapReader map(value, diags, KeyCase::kIgnore);
  if (!map.isMap()) {
    return monitor;
  }
  map.accept({"profileMonitorStatus"});  // read-only; health is ours to find out

  if (std::optional<int> protocol =
          map.getEnum("protocol", {{"HTTP", static_cast<int>(ProbeProtocol::kHttp)},
                                   {"HTTPS", static_cast<int>(ProbeProtocol::kHttps)},
                                   {"TCP", static_cast<int>(ProbeProtocol::kTcp)}})) {
    monitor.protocol = static_cast<ProbeProtocol>(*protocol);
  }
  const bool http = monitor.protocol != ProbeProtocol::kTcp;

  // Azure CLI defaults the port to 80 whatever the protocol; 443 is the only sane HTTPS default.
  monitor.port = monitor.protocol == ProbeProtocol::kHttps ? 443 : 80;
  if (std::optional<YamlValue> port = map.take("port")) {
    if (std::optional<int64_t> number = readInt(*port, 1, 65535, diags)) {
      monitor.port = static_cast<uint16_t>(*number);
    }
  }

  monitor.path = http ? "/" : "";
  if (std::optional<YamlValue> path = map.take("path")) {
    remember(monitor, "path", *path);
    if (!http) {
      diags.error(path->pos(), path->path(), "not allowed with TCP monitoring");
    } else if (std::optional<std::string> text = readString(*path, diags)) {
      if (text->empty() || text->front() != '/') {
        diags.error(path->pos(), path->path(), "must start with '/'");
      } else if (std::any_of(text->begin(), text->end(), [](char c) {
                   return std::iscntrl(static_cast<unsigned char>(c)) != 0 || c == ' ';
                 })) {
        diags.error(path->pos(), path->path(), "must not contain spaces or control characters");
      } else {
        monitor.path = *text;
      }
    }
  }

  // The interval must leave room for a timeout of at least one second below it.
  if (std::optional<YamlValue> interval = map.take("intervalInSeconds")) {
    if (std::optional<int64_t> number = readInt(*interval, 2, kMaxInt32, diags)) {
      monitor.intervalInSeconds = static_cast<int>(*number);
      if (*number != 10 && *number != 30) {
        diags.notice(interval->pos(), interval->path(),
                     "Azure accepts only 10 or 30; tmdns probes every " + std::to_string(*number) +
                         " seconds");
      }
    }
  }
  const int interval = monitor.intervalInSeconds;
  monitor.timeoutInSeconds = interval == 30 ? 10 : interval == 10 ? 9 : std::min(10, interval - 1);
  if (std::optional<YamlValue> timeout = map.take("timeoutInSeconds")) {
    if (std::optional<int64_t> number = readInt(*timeout, 1, kMaxInt32, diags)) {
      if (*number >= interval) {
        diags.error(timeout->pos(), timeout->path(),
                    "must be less than intervalInSeconds (" + std::to_string(interval) + ")");
      } else {
        monitor.timeoutInSeconds = static_cast<int>(*number);
        noteAzureTimeoutRange(*timeout, interval, monitor.timeoutInSeconds, diags);
      }
    }
  }

  if (std::optional<int64_t> tolerated = map.getInt("toleratedNumberOfFailures", 0, 9)) {
    monitor.toleratedNumberOfFailures = static_cast<int>(*tolerated);
  }
  if (std::optional<YamlValue> headers = map.take("customHeaders")) {
    monitor.customHeaders = readCustomHeaders(*headers, diags);
  }
  if (std::optional<YamlValue> ranges = map.take("expectedStatusCodeRanges")) {
    if (!http) {
      diags.error(ranges->pos(), ranges->path(), "only allowed with HTTP or HTTPS monitoring");
    } else {
      monitor.expectedStatusCodeRanges = readStatusCodeRanges(*ranges, diags);
    }
  }
  // tmdns extension: Azure never validates probe certificates (§4.1).
  if (std::optional<YamlValue> verify = map.take("verifyTls")) {
    if (std::optional<bool> flag = readBool(*verify, diags)) {
      monitor.verifyTls = *flag;
    }
  }
  map.warnUnknownKeys();
  return monitor;
}

std::optional<SubnetSpec> readSubnet(const YamlValue& value, Diagnostics& diags) {
  MapReader map(value, diags, KeyCase::kIgnore);
  if (!map.isMap()) {
    return std::nullopt;
  }
  SubnetSpec subnet;
  subnet.pos = value.pos();
  subnet.path = value.path();
  bool ok = true;

  std::optional<IpAddress> first;
  std::optional<YamlValue> firstValue = map.require("first");
  if (firstValue) {
    if (std::optional<std::string> text = readString(*firstValue, diags)) {
      subnet.first = *text;
      first = parseIpAddress(*text);
      if (!first) {
        diags.error(firstValue->pos(), firstValue->path(), "must be an IPv4 or IPv6 address");
      }
    }
  }
  ok = ok && first.has_value();

  std::optional<YamlValue> lastValue = map.take("last");
  std::optional<YamlValue> scopeValue = map.take("scope");
  if (lastValue && scopeValue) {
    diags.error(value.pos(), value.path(), "give either \"last\" or \"scope\", not both");
    ok = false;
  }
  if (lastValue) {
    if (std::optional<std::string> text = readString(*lastValue, diags)) {
      const std::optional<IpAddress> last = parseIpAddress(*text);
      if (!last) {
        diags.error(lastValue->pos(), lastValue->path(), "must be an IPv4 or IPv6 address");
        ok = false;
      } else if (first && last->v6 != first->v6) {
        diags.error(lastValue->pos(), lastValue->path(),
                    "must be of the same address family as first");
        ok = false;
      } else if (first && *last < *first) {
        diags.error(lastValue->pos(), lastValue->path(), "must not be lower than first");
        ok = false;
      }
      subnet.last = *text;
    } else {
      ok = false;
    }
  }
  if (scopeValue) {
    const int bits = first ? first->bits() : 128;
    if (std::optional<int64_t> scope = readInt(*scopeValue, 0, bits, diags)) {
      subnet.scope = static_cast<int>(*scope);
      if (first && !isNetworkAddress(*first, *subnet.scope)) {
        diags.error(firstValue->pos(), firstValue->path(),
                    "must be the network address of the /" + std::to_string(*subnet.scope) +
                        " block (" + firstInPrefix(*first, *subnet.scope).toString() + ")");
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  map.warnUnknownKeys();
  if (!ok) {
    return std::nullopt;
  }
  return subnet;
}

std::optional<EndpointType> parseEndpointType(std::string_view type) {
  // Only the last segment matters: "Microsoft.network/TrafficManagerProfiles/ExternalEndpoints".
  const size_t slash = type.rfind('/');
  const std::string last =
      util::asciiLower(slash == std::string_view::npos ? type : type.substr(slash + 1));
  if (last == "azureendpoints") {
    return EndpointType::kAzure;
  }
  if (last == "externalendpoints") {
    return EndpointType::kExternal;
  }
  if (last == "nestedendpoints") {
    return EndpointType::kNested;
  }
  return std::nullopt;
}

// A name whose last label is all digits is a mistyped address, not a host name.
bool looksNumeric(std::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? name : name.substr(dot + 1);
  return !last.empty() && std::all_of(last.begin(), last.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

void checkTarget(Endpoint& endpoint, const std::optional<YamlValue>& targetValue,
                 Diagnostics& diags) {
  const std::string targetPath = childPath(endpoint.path, "target");
  if (endpoint.target.empty()) {
    if (endpoint.type == EndpointType::kExternal) {
      diags.error(endpoint.pos, targetPath,
                  "external endpoints need a \"target\" (an FQDN or IP address)");
    } else if (endpoint.type == EndpointType::kAzure) {
      diags.error(endpoint.pos, targetPath,
                  "azure endpoint needs the resolved `target` (export it with az network "
                  "traffic-manager profile show)");
    } else if (endpoint.targetResourceId.empty()) {
      diags.error(endpoint.pos, endpoint.path,
                  "nested endpoint needs \"targetResourceId\" or \"target\" naming its child "
                  "profile");
    }
    return;
  }
  const Position pos = targetValue ? targetValue->pos() : endpoint.pos;
  if (parseIpAddress(endpoint.target)) {
    // §1.4: IP literals only on external endpoints.
    if (endpoint.type != EndpointType::kExternal) {
      diags.error(pos, targetPath, "IP addresses are allowed only on external endpoints");
    }
    return;
  }
  if (endpoint.target.find(':') != std::string::npos) {
    diags.error(pos, targetPath, "must be an FQDN or an IP address, without a port");
  } else if (std::optional<std::string> problem = dnsNameProblem(endpoint.target)) {
    diags.error(pos, targetPath, "must be an FQDN or an IP address; the name " + *problem);
  } else if (looksNumeric(endpoint.target)) {
    diags.error(pos, targetPath, "must be an FQDN or an IP address");
  }
}

std::optional<Endpoint> readEndpoint(const YamlValue& value, Diagnostics& diags) {
  ShapeReader shape(value, diags);
  if (!shape.usable()) {
    return std::nullopt;  // already reported; its keys are not worth warnings on top
  }
  Endpoint endpoint;
  endpoint.pos = value.pos();
  endpoint.path = value.path();
  MapReader& outer = shape.outer();
  MapReader& fields = shape.fields();
  outer.accept({"id", "resourceGroup", "etag"});
  fields.accept({"endpointMonitorStatus", "NestedProfile"});  // read-only, decide nothing

  if (std::optional<YamlValue> name = outer.require("name")) {
    if (std::optional<std::string> text = readString(*name, diags)) {
      if (text->empty()) {
        diags.error(name->pos(), name->path(), "must not be empty");
      }
      endpoint.name = *text;
      remember(endpoint, "name", *name);
    }
  }
  bool typeKnown = false;
  if (std::optional<YamlValue> type = outer.require("type")) {
    if (std::optional<std::string> text = readString(*type, diags)) {
      if (std::optional<EndpointType> parsed = parseEndpointType(*text)) {
        endpoint.type = *parsed;
        typeKnown = true;
      } else {
        diags.error(type->pos(), type->path(),
                    "must end in azureEndpoints, externalEndpoints or nestedEndpoints");
      }
    }
    remember(endpoint, "type", *type);
  }

  std::optional<YamlValue> targetValue = fields.take("target");
  if (targetValue) {
    if (std::optional<std::string> text = readString(*targetValue, diags)) {
      endpoint.target = *text;
      if (endpoint.target.size() > 1 && endpoint.target.back() == '.') {
        endpoint.target.pop_back();
      }
      remember(endpoint, "target", *targetValue);
    }
  }
  if (std::optional<YamlValue> id = fields.take("targetResourceId")) {
    if (std::optional<std::string> text = readString(*id, diags)) {
      endpoint.targetResourceId = *text;
      remember(endpoint, "targetResourceId", *id);
    }
  }
  if (typeKnown) {
    checkTarget(endpoint, targetValue, diags);
  }

  if (std::optional<int> status = fields.getEnum("endpointStatus", kStatusNames)) {
    endpoint.enabled = *status == kEnabled;
  }
  if (std::optional<YamlValue> weight = fields.take("weight")) {
    if (std::optional<int64_t> number = readInt(*weight, 1, 1000, diags)) {
      endpoint.weight = static_cast<int>(*number);
    }
    remember(endpoint, "weight", *weight);
  }
  if (std::optional<YamlValue> priority = fields.take("priority")) {
    if (std::optional<int64_t> number = readInt(*priority, 1, 1000, diags)) {
      endpoint.priority = static_cast<int>(*number);
    }
    remember(endpoint, "priority", *priority);
  }
  if (std::optional<YamlValue> location = fields.take("endpointLocation")) {
    if (std::optional<std::string> text = readString(*location, diags)) {
      if (util::asciiLower(*text) == "global") {
        // §1.4: Azure rejects it; Performance routing needs a real region.
        diags.error(location->pos(), location->path(),
                    "\"global\" is not a region; name the Azure region closest to the endpoint");
      } else {
        endpoint.endpointLocation = *text;
      }
    }
    remember(endpoint, "endpointLocation", *location);
  }
  if (std::optional<int64_t> number = fields.getInt("minChildEndpoints", 1, kMaxInt32)) {
    endpoint.minChildEndpoints = static_cast<int>(*number);
  }
  if (std::optional<int64_t> number = fields.getInt("minChildEndpointsIPv4", 0, kMaxInt32)) {
    endpoint.minChildEndpointsIPv4 = static_cast<int>(*number);
  }
  if (std::optional<int64_t> number = fields.getInt("minChildEndpointsIPv6", 0, kMaxInt32)) {
    endpoint.minChildEndpointsIPv6 = static_cast<int>(*number);
  }

  if (std::optional<YamlValue> mapping = fields.take("geoMapping")) {
    remember(endpoint, "geoMapping", *mapping);
    if (std::optional<std::vector<YamlValue>> codes = readSequence(*mapping, diags)) {
      std::set<std::string> seen;
      for (size_t i = 0; i < codes->size(); ++i) {
        const YamlValue& item = (*codes)[i];
        std::optional<std::string> text = readString(item, diags);
        if (!text) {
          endpoint.geoMapping.emplace_back();
          continue;
        }
        const std::string code = upperCase(*text);
        if (geo::findGeoCode(code) == nullptr) {
          diags.error(item.pos(), item.path(), "unknown geographic code \"" + *text + "\"");
        } else if (!seen.insert(code).second) {
          diags.error(item.pos(), item.path(), "\"" + code + "\" is listed twice");
        }
        // Kept even when wrong so indices match the input; a model with errors is never served.
        remember(endpoint, "geoMapping[" + std::to_string(i) + "]", item);
        endpoint.geoMapping.push_back(code);
      }
    }
  }
  if (std::optional<YamlValue> subnets = fields.take("subnets")) {
    remember(endpoint, "subnets", *subnets);
    if (std::optional<std::vector<YamlValue>> items = readSequence(*subnets, diags)) {
      for (const YamlValue& item : *items) {
        if (std::optional<SubnetSpec> subnet = readSubnet(item, diags)) {
          endpoint.subnets.push_back(std::move(*subnet));
        }
      }
    }
  }
  if (std::optional<YamlValue> headers = fields.take("customHeaders")) {
    endpoint.customHeaders = readCustomHeaders(*headers, diags);
  }
  if (std::optional<YamlValue> always = fields.take("alwaysServe")) {
    if (std::optional<int> status = readEnum(*always, kStatusNames, diags)) {
      endpoint.alwaysServe = *status == kEnabled;
      if (endpoint.alwaysServe && endpoint.type == EndpointType::kNested) {
        // §2.9/§2.10: a nested endpoint's health always comes from its child profile.
        diags.error(always->pos(), always->path(), "not allowed on nested endpoints");
      }
    }
  }
  shape.warnUnknownKeys();
  return endpoint;
}

}  // namespace

Profile readProfile(const YamlValue& value, Diagnostics& diags) {
  Profile profile;
  profile.pos = value.pos();
  profile.path = value.path();
  ShapeReader shape(value, diags);
  if (!shape.usable()) {
    return profile;  // already reported; its keys are not worth warnings on top
  }
  MapReader& outer = shape.outer();
  MapReader& fields = shape.fields();
  // The ARM envelope, template-only keys and what the CLI adds: known, read-only or unused.
  outer.accept({"id", "type", "location", "tags", "apiVersion", "dependsOn", "resourceGroup",
                "etag", "comments", "condition", "scope", "copy", "systemData"});
  // §1.2: tmdns answers for every record type; these restrict Azure's control plane only.
  fields.accept({"trafficViewEnrollmentStatus", "allowedEndpointRecordTypes", "recordType"});

  if (std::optional<YamlValue> name = outer.take("name")) {
    if (std::optional<std::string> text = readString(*name, diags)) {
      if (text->empty()) {
        diags.error(name->pos(), name->path(), "must not be empty");
      }
      profile.name = *text;
      remember(profile, "name", *name);
    }
  } else {
    diags.error(profile.pos, profile.path,
                "missing required key \"name\" (the profile's resource name; Azure request "
                "bodies carry it in the URL)");
  }

  if (std::optional<int> status = fields.getEnum("profileStatus", kStatusNames)) {
    profile.enabled = *status == kEnabled;
  }
  if (std::optional<YamlValue> method = fields.require("trafficRoutingMethod")) {
    remember(profile, "trafficRoutingMethod", *method);
    if (std::optional<int> parsed =
            readEnum(*method,
                     {{"Priority", static_cast<int>(RoutingMethod::kPriority)},
                      {"Weighted", static_cast<int>(RoutingMethod::kWeighted)},
                      {"Performance", static_cast<int>(RoutingMethod::kPerformance)},
                      {"Geographic", static_cast<int>(RoutingMethod::kGeographic)},
                      {"MultiValue", static_cast<int>(RoutingMethod::kMultiValue)},
                      {"Subnet", static_cast<int>(RoutingMethod::kSubnet)}},
                     diags)) {
      profile.method = static_cast<RoutingMethod>(*parsed);
    }
  }

  if (std::optional<YamlValue> dns = fields.require("dnsConfig")) {
    MapReader dnsConfig(*dns, diags, KeyCase::kIgnore);
    dnsConfig.accept({"fqdn"});  // Azure's name; tmdns answers at relativeName.<zone>
    if (std::optional<YamlValue> relative = dnsConfig.require("relativeName")) {
      if (std::optional<std::string> text = readString(*relative, diags)) {
        profile.relativeName = util::asciiLower(*text);
        remember(profile, "dnsConfig.relativeName", *relative);
      }
    }
    if (std::optional<int64_t> ttl = dnsConfig.getInt("ttl", 0, kMaxInt32)) {
      profile.ttl = *ttl;
    }
    dnsConfig.warnUnknownKeys();
  }

  if (std::optional<YamlValue> monitor = fields.take("monitorConfig")) {
    profile.monitor = readMonitor(*monitor, diags);
  } else {
    profile.monitor.pos = profile.pos;
    profile.monitor.Located::path = childPath(profile.path, "monitorConfig");
  }

  if (std::optional<YamlValue> maxReturn = fields.take("maxReturn")) {
    remember(profile, "maxReturn", *maxReturn);
    profile.maxReturn = readInt(*maxReturn, std::numeric_limits<int64_t>::min(), kNoLimit, diags);
  }

  if (std::optional<YamlValue> endpoints = fields.take("endpoints")) {
    if (std::optional<std::vector<YamlValue>> items = readSequence(*endpoints, diags)) {
      for (const YamlValue& item : *items) {
        if (std::optional<Endpoint> endpoint = readEndpoint(item, diags)) {
          profile.endpoints.push_back(std::move(*endpoint));
        }
      }
    }
  }
  // §1.4: without any priority the service numbers endpoints by order.
  const bool anyPriority = std::any_of(profile.endpoints.begin(), profile.endpoints.end(),
                                       [](const Endpoint& e) { return e.priority.has_value(); });
  if (!anyPriority) {
    for (size_t i = 0; i < profile.endpoints.size(); ++i) {
      profile.endpoints[i].priority = static_cast<int>(i + 1);
    }
  }
  shape.warnUnknownKeys();
  return profile;
}

}  // namespace tmdns::config
