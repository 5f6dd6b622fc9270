// Cross-object configuration rules and nested-profile resolution.
#include "config/validator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "config/dns_name.h"
#include "config/ip_address.h"
#include "config/path.h"
#include "geo/azure_regions.h"
#include "util/text.h"

namespace tmdns::config {

namespace {

Position posOf(const Located& located, const std::string& field) {
  const auto it = located.fieldPos.find(field);
  return it == located.fieldPos.end() ? located.pos : it->second;
}

bool written(const Located& located, const std::string& field) {
  return located.fieldPos.count(field) != 0;
}

// `inner`'s path as seen from `outer`, e.g. "endpoints[0].subnets[1]": short enough for "also
// ..." remarks inside one profile.
std::string relativePath(const Located& inner, const Located& outer) {
  std::string_view path = inner.path;
  if (path.substr(0, outer.path.size()) == outer.path && path.size() > outer.path.size()) {
    path.remove_prefix(outer.path.size());
    while (!path.empty() && (path.front() == '.' || path.front() == ':' || path.front() == ' ')) {
      path.remove_prefix(1);
    }
  }
  return std::string(path);
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

void checkEndpointNames(const Profile& profile, Diagnostics& diags) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (endpoint.name.empty()) {
      continue;
    }
    // Azure resource names are case-insensitive.
    const auto [it, inserted] = seen.emplace(util::asciiLower(endpoint.name), i);
    if (!inserted) {
      diags.error(posOf(endpoint, "name"), childPath(endpoint.path, "name"),
                  "duplicate endpoint name " + quoted(endpoint.name) + " (also " +
                      relativePath(profile.endpoints[it->second], profile) + ")");
    }
  }
}

// §1.4: unique; given on one endpoint means given on all.
void checkPriorities(const Profile& profile, Diagnostics& diags) {
  const bool anyWritten = std::any_of(profile.endpoints.begin(), profile.endpoints.end(),
                                      [](const Endpoint& e) { return written(e, "priority"); });
  std::map<int, size_t> seen;
  for (size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (anyWritten && !written(endpoint, "priority")) {
      diags.error(endpoint.pos, childPath(endpoint.path, "priority"),
                  "required because other endpoints of this profile set a priority");
      continue;
    }
    if (!endpoint.priority) {
      continue;
    }
    const auto [it, inserted] = seen.emplace(*endpoint.priority, i);
    if (!inserted) {
      diags.error(posOf(endpoint, "priority"), childPath(endpoint.path, "priority"),
                  "priority " + std::to_string(*endpoint.priority) + " is already used by " +
                      relativePath(profile.endpoints[it->second], profile));
    }
  }
}

enum class TargetKind { kFqdn, kIpv4, kIpv6 };

const char* kindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kFqdn:
      return "FQDN";
    case TargetKind::kIpv4:
      return "IPv4 address";
    case TargetKind::kIpv6:
      return "IPv6 address";
  }
  return "";
}

// §1.5: one addressing type per profile (MultiValue: IPv4 and IPv6), no duplicate IP target,
// and a notice for special-purpose space that Azure would refuse.
void checkTargets(const Profile& profile, Diagnostics& diags) {
  const bool multiValue = profile.method == RoutingMethod::kMultiValue;
  std::optional<std::pair<TargetKind, size_t>> reference;
  std::map<IpAddress, size_t> seenIps;
  for (size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    // Nested endpoints answer with whatever their child selects, so they take no side.
    if (endpoint.type == EndpointType::kNested || endpoint.target.empty()) {
      continue;
    }
    const Position pos = posOf(endpoint, "target");
    const std::string path = childPath(endpoint.path, "target");
    const std::optional<IpAddress> ip = parseIpAddress(endpoint.target);
    const TargetKind kind = !ip      ? TargetKind::kFqdn
                            : ip->v6 ? TargetKind::kIpv6
                                     : TargetKind::kIpv4;
    if (multiValue) {
      if (!ip) {
        diags.error(pos, path, "MultiValue endpoints need an IPv4 or IPv6 address");
      }
    } else if (!reference) {
      reference.emplace(kind, i);
    } else if (reference->first != kind) {
      diags.error(pos, path,
                  std::string("cannot mix target types in one profile: ") + kindName(kind) +
                      " here, " + kindName(reference->first) + " at " +
                      relativePath(profile.endpoints[reference->second], profile) +
                      " (only MultiValue profiles may mix IPv4 and IPv6)");
    }
    if (!ip) {
      continue;
    }
    const auto [it, inserted] = seenIps.emplace(*ip, i);
    if (!inserted) {
      diags.error(pos, path,
                  "duplicate IP target " + ip->toString() + " (also " +
                      relativePath(profile.endpoints[it->second], profile) + ")");
    }
    if (std::optional<std::string> block = specialPurposeBlock(*ip)) {
      diags.notice(pos, path,
                   ip->toString() + " is in special-purpose address space (" + *block +
                       "); Azure would reject it, tmdns serves it");
    }
  }
}

void checkMultiValue(const Profile& profile, Diagnostics& diags) {
  const std::string path = childPath(profile.path, "maxReturn");
  if (!written(profile, "maxReturn")) {
    diags.error(profile.pos, path, "required for MultiValue profiles");
  } else if (profile.maxReturn) {
    if (*profile.maxReturn < 1 || *profile.maxReturn > 10) {
      diags.error(posOf(profile, "maxReturn"), path, "must be 1..10");
    } else if (*profile.maxReturn > 8) {
      // §2.6: the FAQ says 10, the portal and Terraform enforce 8.
      diags.notice(posOf(profile, "maxReturn"), path,
                   "Azure's portal and Terraform accept at most 8");
    }
  }
  for (const Endpoint& endpoint : profile.endpoints) {
    if (endpoint.type == EndpointType::kNested) {
      diags.error(endpoint.pos, endpoint.path,
                  "a MultiValue profile cannot be the parent of nested endpoints");
    } else if (endpoint.type == EndpointType::kAzure) {
      diags.error(posOf(endpoint, "type"), childPath(endpoint.path, "type"),
                  "MultiValue profiles take only external endpoints");
    }
  }
}

// §2.4: latency routing ranks endpoints by region, so every endpoint names a known one. Azure
// endpoints inherit their resource's region in Azure, but tmdns cannot look resources up: the
// region must be written (exports such as `az ... profile show` carry it).
void checkPerformance(const Profile& profile, Diagnostics& diags) {
  for (const Endpoint& endpoint : profile.endpoints) {
    if (!written(endpoint, "endpointLocation")) {
      diags.error(endpoint.pos, childPath(endpoint.path, "endpointLocation"),
                  endpoint.type == EndpointType::kAzure
                      ? "required for Performance routing (tmdns cannot look up the Azure "
                        "resource's region: copy it from the endpoint's export)"
                      : "required for Performance routing");
    } else if (!endpoint.endpointLocation.empty() &&
               geo::findRegion(endpoint.endpointLocation) == geo::kNoRegionId) {
      diags.error(posOf(endpoint, "endpointLocation"), childPath(endpoint.path, "endpointLocation"),
                  "unknown Azure region " + quoted(endpoint.endpointLocation) + " (did you mean " +
                      quoted(geo::closestRegionName(endpoint.endpointLocation)) + "?)");
    }
  }
}

// §1.5: every endpoint maps at least one code, and a code maps to one endpoint only.
void checkGeographic(const Profile& profile, Diagnostics& diags) {
  std::map<std::string, size_t> owner;
  for (size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (endpoint.geoMapping.empty()) {
      diags.error(posOf(endpoint, "geoMapping"), childPath(endpoint.path, "geoMapping"),
                  "Geographic routing needs at least one code on every endpoint");
    }
    for (size_t k = 0; k < endpoint.geoMapping.size(); ++k) {
      const std::string& code = endpoint.geoMapping[k];
      if (code.empty()) {
        continue;
      }
      const auto [it, inserted] = owner.emplace(code, i);
      if (!inserted && it->second != i) {
        const std::string field = "geoMapping[" + std::to_string(k) + "]";
        diags.error(posOf(endpoint, field), childPath(endpoint.path, field),
                    quoted(code) + " is already mapped to " +
                        relativePath(profile.endpoints[it->second], profile));
      }
    }
  }
}

struct AddressRange {
  IpAddress low;
  IpAddress high;
  size_t endpoint;
  const SubnetSpec* spec;
};

std::optional<AddressRange> toRange(const SubnetSpec& spec, size_t endpoint) {
  const std::optional<IpAddress> first = parseIpAddress(spec.first);
  if (!first) {
    return std::nullopt;
  }
  AddressRange range{*first, *first, endpoint, &spec};
  if (spec.scope) {
    range.low = firstInPrefix(*first, *spec.scope);
    range.high = lastInPrefix(*first, *spec.scope);
  } else if (spec.last) {
    const std::optional<IpAddress> last = parseIpAddress(*spec.last);
    if (!last || last->v6 != first->v6) {
      return std::nullopt;
    }
    range.high = *last;
  }
  return range;
}

std::vector<AddressRange> rangesOf(const Profile& profile) {
  std::vector<AddressRange> ranges;
  for (size_t i = 0; i < profile.endpoints.size(); ++i) {
    for (const SubnetSpec& spec : profile.endpoints[i].subnets) {
      if (std::optional<AddressRange> range = toRange(spec, i)) {
        ranges.push_back(*range);
      }
    }
  }
  return ranges;
}

// §1.5: in a Subnet profile an address belongs to one endpoint at most.
void checkSubnetOverlaps(const Profile& profile, Diagnostics& diags) {
  const std::vector<AddressRange> ranges = rangesOf(profile);
  for (size_t b = 0; b < ranges.size(); ++b) {
    for (size_t a = 0; a < b; ++a) {
      if (ranges[a].endpoint == ranges[b].endpoint || ranges[a].low.v6 != ranges[b].low.v6) {
        continue;
      }
      if (ranges[a].low <= ranges[b].high && ranges[b].low <= ranges[a].high) {
        diags.error(ranges[b].spec->pos, ranges[b].spec->path,
                    "overlaps " + relativePath(*ranges[a].spec, profile));
        break;  // one report per range is enough to find the conflict
      }
    }
  }
}

// §2.7 makes the endpoint without subnets the fallback; §7 leaves open whether there may be
// two. Which of two would answer is arbitrary, so a second one is refused.
void checkSubnetFallback(const Profile& profile, Diagnostics& diags) {
  const Endpoint* fallback = nullptr;
  for (const Endpoint& endpoint : profile.endpoints) {
    if (!endpoint.subnets.empty()) {
      continue;
    }
    if (fallback != nullptr) {
      diags.error(endpoint.pos, childPath(endpoint.path, "subnets"),
                  "a Subnet profile has at most one endpoint without subnets (the fallback), "
                  "and " +
                      relativePath(*fallback, profile) + " is it");
      continue;
    }
    fallback = &endpoint;
  }
}

// §2.8 overrides: the most specific range wins where one endpoint's range lies inside another's
// (like a routing table), so nesting is fine; ranges that cross, or one range on two endpoints,
// leave the owner of some addresses undecided.
void checkOverrideOverlaps(const Profile& profile, Diagnostics& diags) {
  const std::vector<AddressRange> ranges = rangesOf(profile);
  for (size_t b = 0; b < ranges.size(); ++b) {
    for (size_t a = 0; a < b; ++a) {
      const AddressRange& x = ranges[a];
      const AddressRange& y = ranges[b];
      if (x.endpoint == y.endpoint || x.low.v6 != y.low.v6 || x.high < y.low || y.high < x.low) {
        continue;
      }
      const bool same = x.low == y.low && x.high == y.high;
      const bool nested =
          (x.low <= y.low && y.high <= x.high) || (y.low <= x.low && x.high <= y.high);
      if (same || !nested) {
        diags.error(y.spec->pos, y.spec->path,
                    std::string(same ? "is the same range as " : "partially overlaps ") +
                        relativePath(*x.spec, profile) +
                        " (override ranges of two endpoints may only nest)");
        break;
      }
    }
  }
}

void checkProfile(const Profile& profile, Diagnostics& diags) {
  checkEndpointNames(profile, diags);
  checkPriorities(profile, diags);
  checkTargets(profile, diags);
  switch (profile.method) {
    case RoutingMethod::kMultiValue:
      checkMultiValue(profile, diags);
      break;
    case RoutingMethod::kPerformance:
      checkPerformance(profile, diags);
      checkOverrideOverlaps(profile, diags);
      break;
    case RoutingMethod::kGeographic:
      checkGeographic(profile, diags);
      checkOverrideOverlaps(profile, diags);
      break;
    case RoutingMethod::kSubnet:
      checkSubnetOverlaps(profile, diags);
      checkSubnetFallback(profile, diags);
      break;
    case RoutingMethod::kPriority:
    case RoutingMethod::kWeighted:
      break;
  }
}

// Profile names and relativeNames are unique per zone; relativeName + zone is a valid name.
void checkZoneProfiles(const Zone& zone, Diagnostics& diags) {
  std::map<std::string, size_t> names;
  std::map<std::string, size_t> relativeNames;
  for (size_t i = 0; i < zone.profiles.size(); ++i) {
    const Profile& profile = zone.profiles[i];
    if (!profile.name.empty()) {
      const auto [it, inserted] = names.emplace(util::asciiLower(profile.name), i);
      if (!inserted) {
        diags.error(posOf(profile, "name"), childPath(profile.path, "name"),
                    "duplicate profile name " + quoted(profile.name) + " in this zone (also " +
                        zone.profiles[it->second].path + ")");
      }
    }
    if (!written(profile, "dnsConfig.relativeName")) {
      continue;
    }
    const Position pos = posOf(profile, "dnsConfig.relativeName");
    const std::string path = childPath(profile.path, "dnsConfig.relativeName");
    if (std::optional<std::string> problem = dnsNameProblem(profile.relativeName)) {
      diags.error(pos, path, *problem);
      continue;
    }
    if (!zone.name.empty() &&
        profile.relativeName.size() + 1 + zone.name.size() > kMaxDnsNameLength) {
      diags.error(pos, path, "with the zone name the profile's name is longer than 253 characters");
      continue;
    }
    const auto [it, inserted] = relativeNames.emplace(profile.relativeName, i);
    if (!inserted) {
      diags.error(
          pos, path,
          quoted(profile.relativeName) + " is already used by " + zone.profiles[it->second].path);
    }
  }
}

// Zone names are unique and not inside one another (nested zones are not supported yet).
void checkZones(const Config& config, Diagnostics& diags) {
  for (size_t b = 0; b < config.zones.size(); ++b) {
    const Zone& zone = config.zones[b];
    if (zone.name.empty()) {
      continue;
    }
    for (size_t a = 0; a < b; ++a) {
      const Zone& other = config.zones[a];
      if (other.name.empty()) {
        continue;
      }
      const Position pos = posOf(zone, "name");
      const std::string path = childPath(zone.path, "name");
      if (zone.name == other.name) {
        diags.error(pos, path,
                    "duplicate zone " + quoted(zone.name) + " (also " + other.path + ")");
        break;
      }
      if (isAtOrBelow(zone.name, other.name) || isAtOrBelow(other.name, zone.name)) {
        diags.error(pos, path,
                    quoted(zone.name) + " and " + quoted(other.name) + " (" + other.path +
                        ") are nested; nested zones are not supported");
        break;
      }
    }
  }
}

using ProfileRef = std::pair<int, int>;  // zone index, profile index

// Finds nested endpoints' child profiles: by `target` equal to <relativeName>.<zone> first (an
// exact name), then by the last segment of `targetResourceId` (the child's resource name),
// preferring the parent's own zone.
class NestedResolver {
 public:
  explicit NestedResolver(const Config& config) : config_(config) {
    for (size_t z = 0; z < config.zones.size(); ++z) {
      const Zone& zone = config.zones[z];
      for (size_t p = 0; p < zone.profiles.size(); ++p) {
        const Profile& profile = zone.profiles[p];
        const ProfileRef ref{static_cast<int>(z), static_cast<int>(p)};
        if (!profile.relativeName.empty() && !zone.name.empty()) {
          byFqdn_.emplace(profile.relativeName + "." + zone.name, ref);
        }
        if (!profile.name.empty()) {
          byName_[util::asciiLower(profile.name)].push_back(ref);
        }
      }
    }
  }

  std::optional<ProfileRef> resolve(int zone, const Endpoint& endpoint, Diagnostics& diags) const {
    if (!endpoint.target.empty()) {
      const auto it = byFqdn_.find(normalizeDnsName(endpoint.target));
      if (it != byFqdn_.end()) {
        return it->second;
      }
    }
    std::string name = endpoint.targetResourceId;
    while (!name.empty() && name.back() == '/') {
      name.pop_back();
    }
    name = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
    if (!name.empty()) {
      const auto it = byName_.find(util::asciiLower(name));
      if (it != byName_.end()) {
        for (const ProfileRef& ref : it->second) {
          if (ref.first == zone) {
            return ref;
          }
        }
        if (it->second.size() == 1) {
          return it->second.front();
        }
        diags.error(posOf(endpoint, "targetResourceId"),
                    childPath(endpoint.path, "targetResourceId"),
                    "child profile " + quoted(name) + " exists in several zones (" +
                        config_.zones[it->second[0].first].path + ", " +
                        config_.zones[it->second[1].first].path +
                        "); name it by \"target\" as <relativeName>.<zone> instead");
        return std::nullopt;
      }
    }
    const std::string wanted = name.empty() ? endpoint.target : name;
    diags.error(endpoint.pos, endpoint.path,
                "child profile " + quoted(wanted) +
                    " is not in this configuration (nested endpoints need their child profile "
                    "in the same configuration)");
    return std::nullopt;
  }

 private:
  const Config& config_;
  std::map<std::string, ProfileRef> byFqdn_;
  std::map<std::string, std::vector<ProfileRef>> byName_;
};

void resolveNested(Config& config, Diagnostics& diags) {
  const NestedResolver resolver(config);
  for (size_t z = 0; z < config.zones.size(); ++z) {
    for (Profile& profile : config.zones[z].profiles) {
      for (Endpoint& endpoint : profile.endpoints) {
        // Without any reference the reader has already said so.
        if (endpoint.type != EndpointType::kNested ||
            (endpoint.target.empty() && endpoint.targetResourceId.empty())) {
          continue;
        }
        if (std::optional<ProfileRef> ref =
                resolver.resolve(static_cast<int>(z), endpoint, diags)) {
          endpoint.childZone = ref->first;
          endpoint.childProfile = ref->second;
        }
      }
    }
  }
}

// Depth-first over parent -> child edges without recursion (a long chain must not exhaust the
// stack): reports each loop once, at the endpoint that closes it, and every endpoint whose child
// is already kMaxNestingDepth hops deep.
void checkNestingGraph(const Config& config, Diagnostics& diags) {
  std::map<ProfileRef, int> index;
  std::vector<const Profile*> nodes;
  for (size_t z = 0; z < config.zones.size(); ++z) {
    for (size_t p = 0; p < config.zones[z].profiles.size(); ++p) {
      index[{static_cast<int>(z), static_cast<int>(p)}] = static_cast<int>(nodes.size());
      nodes.push_back(&config.zones[z].profiles[p]);
    }
  }
  auto childOf = [&](const Endpoint& endpoint) -> int {
    if (endpoint.type != EndpointType::kNested || endpoint.childZone < 0) {
      return -1;
    }
    return index.at({endpoint.childZone, endpoint.childProfile});
  };

  enum class Color { kWhite, kGray, kBlack };
  std::vector<Color> color(nodes.size(), Color::kWhite);
  std::vector<int> height(nodes.size(), 0);
  struct Frame {
    int node;
    size_t next;  // next endpoint to look at
  };
  for (size_t root = 0; root < nodes.size(); ++root) {
    if (color[root] != Color::kWhite) {
      continue;
    }
    std::vector<Frame> stack{{static_cast<int>(root), 0}};
    color[root] = Color::kGray;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      const Profile& profile = *nodes[frame.node];
      if (frame.next == profile.endpoints.size()) {
        color[frame.node] = Color::kBlack;
        stack.pop_back();
        continue;
      }
      const Endpoint& endpoint = profile.endpoints[frame.next++];
      const int child = childOf(endpoint);
      if (child < 0) {
        continue;
      }
      if (color[child] == Color::kGray) {
        std::string cycle;
        bool inCycle = false;
        for (const Frame& f : stack) {
          inCycle = inCycle || f.node == child;
          if (inCycle) {
            cycle += quoted(nodes[f.node]->name) + " -> ";
          }
        }
        diags.error(endpoint.pos, endpoint.path,
                    "nesting loop: " + cycle + quoted(nodes[child]->name));
        continue;
      }
      if (color[child] == Color::kWhite) {
        --frame.next;  // come back to this endpoint once the child is done
        color[child] = Color::kGray;
        stack.push_back({child, 0});
        continue;
      }
      if (height[child] == kMaxNestingDepth) {
        diags.error(endpoint.pos, endpoint.path,
                    "nesting is deeper than " + std::to_string(kMaxNestingDepth) +
                        " levels below this endpoint");
      }
      height[frame.node] = std::max(height[frame.node], height[child] + 1);
    }
  }
}

}  // namespace

void validateConfig(Config& config, Diagnostics& diags) {
  checkZones(config, diags);
  for (const Zone& zone : config.zones) {
    checkZoneProfiles(zone, diags);
    for (const Profile& profile : zone.profiles) {
      checkProfile(profile, diags);
    }
  }
  resolveNested(config, diags);
  checkNestingGraph(config, diags);
}

}  // namespace tmdns::config
