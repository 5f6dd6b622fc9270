// Compiles a validated Config into a dns::Snapshot: names to ids, ldns-encoded answers, policies.
#include "config/compiler.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dns/snapshot_builder.h"
#include "geo/address.h"
#include "geo/azure_regions.h"
#include "geo/geo_codes.h"
#include "geo/latency_table.h"
#include "geo/locator.h"
#include "routing/policy.h"
#include "routing/policy_factory.h"
#include "util/text.h"

namespace tmdns::config {
namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeNs = 2;
constexpr uint16_t kTypeCname = 5;
constexpr uint16_t kTypeSoa = 6;
constexpr uint16_t kTypeAaaa = 28;

// ldns objects are C structs with their own free functions; these keep them exception-safe.
struct RdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct RrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct BufferDeleter {
  void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;
using BufferPtr = std::unique_ptr<ldns_buffer, BufferDeleter>;

using Bytes = std::vector<uint8_t>;

// Absolute wire name of a presentation-format name (a missing final dot is implied).
bool wireName(const std::string& text, Bytes& out) {
  ldns_rdf* raw = nullptr;
  if (ldns_str2rdf_dname(&raw, text.c_str()) != LDNS_STATUS_OK || raw == nullptr) {
    return false;
  }
  RdfPtr rdf(raw);
  const uint8_t* data = ldns_rdf_data(rdf.get());
  out.assign(data, data + ldns_rdf_size(rdf.get()));
  return true;
}

Bytes rdataWire(const ldns_rr* rr) {
  BufferPtr buffer(ldns_buffer_new(256));
  // ldns writes RDATA without compression here; the DNS writer compresses at answer time.
  ldns_rr_rdata2buffer_wire(buffer.get(), rr);
  const uint8_t* data = ldns_buffer_begin(buffer.get());
  return Bytes(data, data + ldns_buffer_position(buffer.get()));
}

Bytes ownerWire(const ldns_rr* rr) {
  const ldns_rdf* owner = ldns_rr_owner(rr);
  const uint8_t* data = ldns_rdf_data(owner);
  return Bytes(data, data + ldns_rdf_size(owner));
}

std::string lastSegment(const std::string& id) {
  const size_t slash = id.find_last_of('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

// One `subnets` entry (§1.4) as numbers: CIDR (first + scope), range (first + last) or one
// address. The reader and validator have checked the syntax; nullopt only on what they reject.
std::optional<geo::AddressRange> toRange(const SubnetSpec& spec) {
  const std::optional<geo::Address> first = geo::parseAddress(spec.first);
  if (!first) {
    return std::nullopt;
  }
  if (spec.scope) {
    return geo::prefixRange(first->v6, first->value, static_cast<unsigned>(*spec.scope));
  }
  if (spec.last) {
    const std::optional<geo::Address> last = geo::parseAddress(*spec.last);
    if (!last || last->v6 != first->v6 || last->value < first->value) {
      return std::nullopt;
    }
    return geo::AddressRange{first->v6, first->value, last->value};
  }
  return geo::AddressRange{first->v6, first->value, first->value};
}

routing::Selection::Outcome toOutcome(NegativeAnswer answer) {
  return answer == NegativeAnswer::kNoData ? routing::Selection::Outcome::kNoData
                                           : routing::Selection::Outcome::kNxDomain;
}

Position fieldPosition(const Located& located, const std::string& field) {
  const auto it = located.fieldPos.find(field);
  return it == located.fieldPos.end() ? located.pos : it->second;
}

routing::Method toMethod(RoutingMethod m) {
  switch (m) {
    case RoutingMethod::kPriority:
      return routing::Method::kPriority;
    case RoutingMethod::kWeighted:
      return routing::Method::kWeighted;
    case RoutingMethod::kPerformance:
      return routing::Method::kPerformance;
    case RoutingMethod::kGeographic:
      return routing::Method::kGeographic;
    case RoutingMethod::kMultiValue:
      return routing::Method::kMultiValue;
    case RoutingMethod::kSubnet:
      return routing::Method::kSubnet;
  }
  return routing::Method::kPriority;
}

class Compiler {
 public:
  Compiler(const Config& config, Diagnostics& diags) : config_(config), diags_(diags) {}

  std::unique_ptr<dns::Snapshot> run() {
    numberProfiles();
    for (uint32_t z = 0; z < config_.zones.size(); ++z) {
      compileZone(z);
    }
    routing::Table table;
    loadGeoData(table);
    buildRouting(table);
    if (diags_.hasErrors()) {
      return nullptr;
    }
    builder_.setRouting(std::move(table));
    for (const auto& [id, answer] : answers_) {
      builder_.setEndpointAnswer(id, answer.first, answer.second);
    }
    builder_.setMaxUdpPayload(static_cast<uint16_t>(config_.maxUdpPayload));
    return builder_.finish();
  }

 private:
  struct ProfileRef {
    uint32_t zone;
    const Profile* profile;
  };

  // Profiles get ids in configuration order, zone by zone; endpoints are contiguous per profile.
  void numberProfiles() {
    for (uint32_t z = 0; z < config_.zones.size(); ++z) {
      for (const Profile& p : config_.zones[z].profiles) {
        const auto id = static_cast<routing::ProfileId>(profiles_.size());
        profiles_.push_back({z, &p});
        byName_[{z, p.name}] = id;
        byFqdn_[util::asciiLower(p.relativeName + "." + config_.zones[z].name)] = id;
      }
    }
  }

  void compileZone(uint32_t z) {
    const Zone& zone = config_.zones[z];
    Bytes apex;
    if (!wireName(zone.name, apex)) {
      diags_.error(zone.pos, zone.path + ".name", "not a valid domain name");
      return;
    }
    const Soa& soa = zone.soa;
    const std::string soaText = zone.name + ". " + std::to_string(soa.ttl) + " IN SOA " +
                                absolute(soa.mname) + " " + absolute(soa.rname) + " " +
                                std::to_string(soa.serial) + " " + std::to_string(soa.refresh) +
                                " " + std::to_string(soa.retry) + " " + std::to_string(soa.expire) +
                                " " + std::to_string(soa.minimum);
    RrPtr soaRr = parseRr(soaText, nullptr, soa.ttl);
    if (!soaRr) {
      diags_.error(soa.pos, soa.path, "SOA does not parse: " + soaText);
      return;
    }
    std::vector<Bytes> nsNames;
    for (size_t i = 0; i < zone.ns.size(); ++i) {
      Bytes ns;
      if (!wireName(zone.ns[i], ns)) {
        diags_.error(zone.pos, zone.path + ".ns[" + std::to_string(i) + "]",
                     "not a valid domain name");
        return;
      }
      nsNames.push_back(std::move(ns));
    }
    std::string error;
    const uint32_t zoneIndex =
        builder_.addZone(apex, soa.ttl, rdataWire(soaRr.get()), zone.nsTtl, nsNames, error);
    if (zoneIndex == dns::kNoIndex) {
      diags_.error(zone.pos, zone.path + ".name", error);
      return;
    }
    zoneIds_.push_back(zoneIndex);

    // Profiles first, so that a static record at a profile name is reported against the record.
    for (const Profile& p : zone.profiles) {
      Bytes name;
      if (!wireName(p.relativeName + "." + zone.name, name)) {
        diags_.error(p.pos, p.path + ".dnsConfig.relativeName", "not a valid domain name");
        continue;
      }
      if (!builder_.addProfileName(zoneIndex, name, byName_.at({z, p.name}), error)) {
        diags_.error(p.pos, p.path + ".dnsConfig.relativeName", error);
      }
    }
    compileRecords(zone, zoneIndex, apex);
  }

  void compileRecords(const Zone& zone, uint32_t zoneIndex, const Bytes& apex) {
    RdfPtr origin(ldns_dname_new_frm_data(static_cast<uint16_t>(apex.size()), apex.data()));
    for (const StaticRecord& record : zone.records) {
      RrPtr rr = parseRr(record.text, origin.get(), zone.soa.ttl);
      if (!rr) {
        diags_.error(record.pos, record.path, lastParseError_);
        continue;
      }
      if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN) {
        diags_.error(record.pos, record.path, "only class IN is served");
        continue;
      }
      const Bytes owner = ownerWire(rr.get());
      if (!owner.empty() && owner.size() >= 2 && owner[0] == 1 && owner[1] == '*') {
        diags_.error(record.pos, record.path, "wildcard owners are not supported");
        continue;
      }
      const auto type = static_cast<uint16_t>(ldns_rr_get_type(rr.get()));
      const bool atApex = ldns_dname_compare(ldns_rr_owner(rr.get()), origin.get()) == 0;
      if (type == kTypeSoa) {
        diags_.error(record.pos, record.path, "the zone SOA comes from `soa`, not from records");
        continue;
      }
      if (type == kTypeNs) {
        diags_.error(record.pos, record.path,
                     atApex ? "the apex NS set comes from `ns`, not from records"
                            : "sub-delegations (NS below the apex) are not supported");
        continue;
      }
      if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_DNAME) {
        diags_.error(record.pos, record.path, "DNAME records are not supported");
        continue;
      }
      std::string error;
      if (!builder_.addRecord(zoneIndex, owner, type, ldns_rr_ttl(rr.get()), rdataWire(rr.get()),
                              error)) {
        diags_.error(record.pos, record.path, error);
      }
    }
  }

  RrPtr parseRr(const std::string& text, ldns_rdf* origin, uint32_t defaultTtl) {
    ldns_rr* raw = nullptr;
    const ldns_status status = ldns_rr_new_frm_str(&raw, text.c_str(), defaultTtl, origin, nullptr);
    if (status != LDNS_STATUS_OK || raw == nullptr) {
      lastParseError_ = std::string("record does not parse: ") + ldns_get_errorstr_by_id(status);
      if (raw != nullptr) {
        ldns_rr_free(raw);
      }
      return nullptr;
    }
    return RrPtr(raw);
  }

  static std::string absolute(const std::string& name) {
    return (!name.empty() && name.back() == '.') ? name : name + ".";
  }

  // The geolocation database and latency table (§2.4, §2.5), loaded once per compilation and
  // shared by every policy through the table. A file that cannot be used is an error at the
  // key that names it.
  void loadGeoData(routing::Table& table) {
    std::string error;
    if (const std::optional<GeoIpSettings>& geoip = config_.geoip) {
      table.geo = geoip->format == GeoIpSettings::Format::kMmdb
                      ? geo::loadMmdbLocator(geoip->file, error)
                      : geo::loadCsvLocator(geoip->file, error);
      if (!table.geo) {
        diags_.error(geoip->pos, geoip->path, error);
      }
    }
    if (const std::optional<LatencySettings>& latency = config_.latency) {
      table.latency = geo::loadLatencyCsv(latency->file, error);
      if (!table.latency) {
        diags_.error(latency->pos, latency->path, error);
      }
    }
  }

  // What makePolicy needs beyond the endpoints: subnets, geo codes, the zone's §2.7 choices.
  routing::PolicyInputs policyInputs(uint32_t zone, const Profile& p) {
    routing::PolicyInputs out;
    out.subnetNoMatch = toOutcome(config_.zones[zone].subnetNoMatch);
    out.subnetUnhealthy = toOutcome(config_.zones[zone].subnetUnhealthy);
    for (const Endpoint& e : p.endpoints) {
      routing::EndpointInputs endpoint;
      for (const SubnetSpec& spec : e.subnets) {
        if (std::optional<geo::AddressRange> range = toRange(spec)) {
          endpoint.subnets.push_back(*range);
        }
      }
      for (const std::string& code : e.geoMapping) {
        const geo::GeoCodeId id = geo::geoCodeId(code);
        if (id != geo::kNoGeoCode) {
          endpoint.geoCodes.push_back(id);
        }
      }
      out.endpoints.push_back(std::move(endpoint));
    }
    return out;
  }

  // Client-aware methods without the data they need still answer, deterministically, but not
  // by location: say so at load time rather than let it go unnoticed.
  void noteMissingGeoData(const Profile& p) {
    const Position pos = fieldPosition(p, "trafficRoutingMethod");
    const std::string path = p.path + ".trafficRoutingMethod";
    if (p.method == RoutingMethod::kGeographic && !config_.geoip) {
      diags_.warning(pos, path,
                     "Geographic routing without a geolocation database (top-level `geoip:`): "
                     "no client can be located, only a WORLD mapping answers");
    }
    if (p.method == RoutingMethod::kPerformance && !config_.geoip && !config_.latency) {
      diags_.warning(pos, path,
                     "Performance routing without a latency table (top-level `latency:`) or a "
                     "geolocation database (`geoip:`): every query gets the eligible endpoint "
                     "with the lowest priority number");
    }
  }

  void buildRouting(routing::Table& table) {
    for (routing::ProfileId id = 0; id < profiles_.size(); ++id) {
      const auto& [z, p] = profiles_[id];
      routing::Profile rp;
      rp.method = toMethod(p->method);
      rp.enabled = p->enabled;
      rp.ttl = static_cast<uint32_t>(p->ttl);
      rp.maxReturn = static_cast<uint16_t>(p->maxReturn.value_or(0));
      rp.firstEndpoint = static_cast<routing::EndpointId>(table.endpoints.size());
      rp.endpointCount = static_cast<uint32_t>(p->endpoints.size());
      for (size_t i = 0; i < p->endpoints.size(); ++i) {
        const auto endpointId = static_cast<routing::EndpointId>(table.endpoints.size());
        table.endpoints.push_back(
            compileEndpoint(id, z, p->endpoints[i], static_cast<int>(i), endpointId));
      }
      table.profiles.push_back(rp);
    }
    routing::assignRollupSlots(table);
    for (routing::ProfileId id = 0; id < profiles_.size(); ++id) {
      const auto& [z, p] = profiles_[id];
      noteMissingGeoData(*p);
      std::string error;
      auto policy = routing::makePolicy(table, id, policyInputs(z, *p), error);
      if (!policy) {
        diags_.error(fieldPosition(*p, "trafficRoutingMethod"), p->path + ".trafficRoutingMethod",
                     error);
        continue;
      }
      table.profiles[id].policy = policy.get();
      table.policies.push_back(std::move(policy));
    }
  }

  routing::Endpoint compileEndpoint(routing::ProfileId profile, uint32_t zone, const Endpoint& e,
                                    int index, routing::EndpointId id) {
    routing::Endpoint re;
    re.profile = profile;
    re.enabled = e.enabled;
    re.alwaysServe = e.alwaysServe;
    re.weight = static_cast<uint16_t>(e.weight);
    re.priority = static_cast<uint16_t>(e.priority.value_or(index + 1));
    re.minChild = static_cast<uint16_t>(e.minChildEndpoints);
    re.minChildV4 = static_cast<uint16_t>(e.minChildEndpointsIPv4.value_or(0));
    re.minChildV6 = static_cast<uint16_t>(e.minChildEndpointsIPv6.value_or(0));
    // §2.4: Performance ranks endpoints by region; the validator has refused unknown names
    // there, elsewhere the location is informational and may stay unresolved.
    if (!e.endpointLocation.empty()) {
      re.region = geo::findRegion(e.endpointLocation);
    }
    if (e.type == EndpointType::kNested) {
      re.kind = routing::TargetKind::kNested;
      re.child = findChild(zone, e);
      if (re.child == routing::kNone) {
        diags_.error(e.pos, e.path + ".targetResourceId",
                     "nested endpoint names no profile of this configuration");
      }
      answers_[id] = {0, Bytes{}};
      return re;
    }
    uint8_t address[16];
    if (inet_pton(AF_INET, e.target.c_str(), address) == 1) {
      re.kind = routing::TargetKind::kIPv4;
      answers_[id] = {kTypeA, Bytes(address, address + 4)};
    } else if (inet_pton(AF_INET6, e.target.c_str(), address) == 1) {
      re.kind = routing::TargetKind::kIPv6;
      answers_[id] = {kTypeAaaa, Bytes(address, address + 16)};
    } else {
      re.kind = routing::TargetKind::kName;
      Bytes name;
      if (!wireName(e.target, name)) {
        diags_.error(e.pos, e.path + ".target", "not a valid domain name or IP address");
      }
      answers_[id] = {kTypeCname, std::move(name)};
    }
    return re;
  }

  // A nested endpoint names its child by targetResourceId (last segment = profile name) or by
  // target (the child's <relativeName>.<zone>). Same zone first, then any zone.
  routing::ProfileId findChild(uint32_t zone, const Endpoint& e) {
    if (!e.targetResourceId.empty()) {
      const std::string name = lastSegment(e.targetResourceId);
      if (auto it = byName_.find({zone, name}); it != byName_.end()) {
        return it->second;
      }
      for (uint32_t z = 0; z < config_.zones.size(); ++z) {
        if (auto it = byName_.find({z, name}); it != byName_.end()) {
          return it->second;
        }
      }
    }
    if (!e.target.empty()) {
      std::string fqdn = util::asciiLower(e.target);
      if (!fqdn.empty() && fqdn.back() == '.') {
        fqdn.pop_back();
      }
      if (auto it = byFqdn_.find(fqdn); it != byFqdn_.end()) {
        return it->second;
      }
    }
    return routing::kNone;
  }

  const Config& config_;
  Diagnostics& diags_;
  dns::SnapshotBuilder builder_;
  std::vector<ProfileRef> profiles_;
  std::map<std::pair<uint32_t, std::string>, routing::ProfileId> byName_;
  std::map<std::string, routing::ProfileId> byFqdn_;
  std::vector<uint32_t> zoneIds_;
  std::map<routing::EndpointId, std::pair<uint16_t, Bytes>> answers_;
  std::string lastParseError_;
};

}  // namespace

std::unique_ptr<dns::Snapshot> compile(const Config& config, Diagnostics& diags) {
  Diagnostics local;
  Compiler compiler(config, local);
  std::unique_ptr<dns::Snapshot> snapshot = compiler.run();
  diags.append(local);
  return snapshot;
}

}  // namespace tmdns::config
