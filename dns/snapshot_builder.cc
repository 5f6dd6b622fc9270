// SnapshotBuilder: collects zones, records and profile names, then lays out one Snapshot.
#include "dns/snapshot_builder.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "dns/wire_name.h"
#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

struct PendingRRset {
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<std::vector<uint8_t>> rdatas;
};

struct PendingNode {
  std::string lowerName;  // lower-cased wire name; also the map key
  uint32_t zone = kNoIndex;
  std::vector<PendingRRset> rrsets;
  uint32_t profile = routing::kNone;
  bool hasCname = false;
};

struct PendingZone {
  uint32_t apexNode = 0;
  uint32_t soaTtl = 0;
  uint32_t soaMinimum = 0;
};

struct PendingAnswer {
  uint16_t type = 0;
  std::vector<uint8_t> rdata;
  bool set = false;
};

std::string lowerKey(std::span<const uint8_t> name) {
  std::string key(name.size(), '\0');
  lowerCaseName(name, reinterpret_cast<uint8_t*>(key.data()));
  return key;
}

std::span<const uint8_t> keyBytes(const std::string& key) {
  return {reinterpret_cast<const uint8_t*>(key.data()), key.size()};
}

uint32_t readU32(std::span<const uint8_t> data, size_t pos) {
  return (uint32_t{data[pos]} << 24) | (uint32_t{data[pos + 1]} << 16) |
         (uint32_t{data[pos + 2]} << 8) | uint32_t{data[pos + 3]};
}

// Checks RDATA of the types whose layout the query path relies on: the response writer walks
// the names inside NS/CNAME/PTR/MX/SOA RDATA to compress them (RFC 1035 §4.1.4), so they must be
// exactly valid uncompressed names here.
bool validRdata(uint16_t type, std::span<const uint8_t> rdata, std::string& why) {
  if (rdata.size() > UINT16_MAX) {
    why = "RDATA longer than 65535 octets";
    return false;
  }
  switch (type) {
    case kTypeA:
      if (rdata.size() != 4) {
        why = "A RDATA must be 4 octets";
        return false;
      }
      return true;
    case kTypeAaaa:
      if (rdata.size() != 16) {
        why = "AAAA RDATA must be 16 octets";
        return false;
      }
      return true;
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
      if (!isWireName(rdata)) {
        why = "RDATA is not one uncompressed domain name";
        return false;
      }
      return true;
    case kTypeMx:
      if (rdata.size() < 3 || !isWireName(rdata.subspan(2))) {
        why = "MX RDATA must be a preference and one uncompressed domain name";
        return false;
      }
      return true;
    case kTypeTxt: {
      // RFC 1035 §3.3.14: one or more <character-string>s.
      size_t pos = 0;
      if (rdata.empty()) {
        why = "TXT RDATA must hold at least one string";
        return false;
      }
      while (pos < rdata.size()) {
        pos += 1 + rdata[pos];
      }
      if (pos != rdata.size()) {
        why = "TXT RDATA strings overrun the RDATA";
        return false;
      }
      return true;
    }
    default:
      return true;
  }
}

// SOA RDATA (RFC 1035 §3.3.13): MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM.
bool soaMinimum(std::span<const uint8_t> rdata, uint32_t& minimum) {
  const size_t mname = uncompressedNameLength(rdata);
  if (mname == 0) {
    return false;
  }
  const size_t rname = uncompressedNameLength(rdata.subspan(mname));
  if (rname == 0 || rdata.size() != mname + rname + 20) {
    return false;
  }
  minimum = readU32(rdata, rdata.size() - 4);
  return true;
}

}  // namespace

struct SnapshotBuilder::Impl {
  std::vector<PendingNode> nodes;
  std::unordered_map<std::string, uint32_t> byName;  // lower-cased wire name -> node
  std::vector<PendingZone> zones;
  routing::Table table;
  std::vector<PendingAnswer> answers;
  uint16_t maxUdpPayload = 1232;
  uint64_t generation = 0;
  std::string configHash;

  uint32_t findNode(const std::string& key) const {
    const auto it = byName.find(key);
    return it == byName.end() ? kNoIndex : it->second;
  }

  // The zone whose apex is the closest enclosing name of `key` (or kNoIndex).
  uint32_t zoneOf(const std::string& key) const {
    size_t pos = 0;
    while (pos < key.size()) {
      const uint32_t node = findNode(key.substr(pos));
      if (node != kNoIndex) {
        const uint32_t zone = nodes[node].zone;
        if (zone != kNoIndex && zones[zone].apexNode == node) {
          return zone;
        }
      }
      if (key[pos] == 0) {
        break;
      }
      pos += 1 + static_cast<uint8_t>(key[pos]);
    }
    return kNoIndex;
  }

  // Finds or creates the node for `key` in `zone`, and the empty non-terminals between it and
  // the apex so that names with children answer NODATA rather than NXDOMAIN (RFC 8020 §2).
  uint32_t nodeFor(const std::string& key, uint32_t zone) {
    uint32_t result = kNoIndex;
    size_t pos = 0;
    while (pos < key.size()) {
      std::string suffix = key.substr(pos);
      uint32_t node = findNode(suffix);
      const bool existed = node != kNoIndex;
      if (!existed) {
        node = static_cast<uint32_t>(nodes.size());
        PendingNode fresh;
        fresh.lowerName = suffix;
        fresh.zone = zone;
        nodes.push_back(std::move(fresh));
        byName.emplace(std::move(suffix), node);
      }
      if (result == kNoIndex) {
        result = node;
      }
      if (existed && pos != 0) {
        break;  // its own ancestors exist already
      }
      if (node == zones[zone].apexNode || key[pos] == 0) {
        break;
      }
      pos += 1 + static_cast<uint8_t>(key[pos]);
    }
    return result;
  }

  PendingRRset* findRRset(PendingNode& node, uint16_t type) {
    for (auto& rrset : node.rrsets) {
      if (rrset.type == type) {
        return &rrset;
      }
    }
    return nullptr;
  }

  void addToRRset(PendingNode& node, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
    PendingRRset* rrset = findRRset(node, type);
    if (rrset == nullptr) {
      node.rrsets.push_back(PendingRRset{type, ttl, {}});
      rrset = &node.rrsets.back();
    }
    for (const auto& existing : rrset->rdatas) {
      if (existing.size() == rdata.size() &&
          std::equal(existing.begin(), existing.end(), rdata.begin())) {
        return;  // RFC 2181 §5: an RRset holds no duplicate records
      }
    }
    rrset->rdatas.emplace_back(rdata.begin(), rdata.end());
  }

  // Common checks for a name handed to addRecord/addProfileName.
  bool checkName(uint32_t zone, std::span<const uint8_t> name, std::string& key,
                 std::string& error) const {
    if (zone >= zones.size()) {
      error = "unknown zone";
      return false;
    }
    if (!isWireName(name)) {
      error = "not a valid uncompressed domain name";
      return false;
    }
    key = lowerKey(name);
    const std::string& apex = nodes[zones[zone].apexNode].lowerName;
    if (!isAtOrBelow(keyBytes(key), keyBytes(apex))) {
      error = nameToText(name) + " is outside zone " + nameToText(keyBytes(apex));
      return false;
    }
    const uint32_t owning = zoneOf(key);
    if (owning != zone) {
      error = nameToText(name) + " belongs to zone " +
              nameToText(keyBytes(nodes[zones[owning].apexNode].lowerName)) + ", not " +
              nameToText(keyBytes(apex));
      return false;
    }
    return true;
  }
};

SnapshotBuilder::SnapshotBuilder() : impl_(std::make_unique<Impl>()) {}
SnapshotBuilder::~SnapshotBuilder() = default;

uint32_t SnapshotBuilder::addZone(std::span<const uint8_t> apexName, uint32_t soaTtl,
                                  std::span<const uint8_t> soaRdata, uint32_t nsTtl,
                                  const std::vector<std::vector<uint8_t>>& nsNames) {
  std::string error;
  return addZone(apexName, soaTtl, soaRdata, nsTtl, nsNames, error);
}

uint32_t SnapshotBuilder::addZone(std::span<const uint8_t> apexName, uint32_t soaTtl,
                                  std::span<const uint8_t> soaRdata, uint32_t nsTtl,
                                  const std::vector<std::vector<uint8_t>>& nsNames,
                                  std::string& error) {
  Impl& s = *impl_;
  if (!isWireName(apexName)) {
    error = "zone apex is not a valid uncompressed domain name";
    return kNoIndex;
  }
  const std::string key = lowerKey(apexName);
  uint32_t minimum = 0;
  if (!soaMinimum(soaRdata, minimum)) {
    error = "SOA RDATA of zone " + nameToText(apexName) + " is not two names and 20 octets";
    return kNoIndex;
  }
  for (const auto& ns : nsNames) {
    if (!isWireName(ns)) {
      error = "an NS name of zone " + nameToText(apexName) + " is not a valid domain name";
      return kNoIndex;
    }
  }
  if (s.findNode(key) != kNoIndex) {
    const uint32_t other = s.nodes[s.findNode(key)].zone;
    error = "zone " + nameToText(apexName) +
            (s.zones[other].apexNode == s.findNode(key)
                 ? " is defined twice"
                 : " is a name inside zone " +
                       nameToText(keyBytes(s.nodes[s.zones[other].apexNode].lowerName)) +
                       " that already has data");
    return kNoIndex;
  }

  const auto zone = static_cast<uint32_t>(s.zones.size());
  const auto apex = static_cast<uint32_t>(s.nodes.size());
  PendingNode node;
  node.lowerName = key;
  node.zone = zone;
  s.nodes.push_back(std::move(node));
  s.byName.emplace(key, apex);
  PendingZone z;
  z.apexNode = apex;
  z.soaTtl = soaTtl;
  z.soaMinimum = minimum;
  s.zones.push_back(z);

  s.addToRRset(s.nodes[apex], kTypeSoa, soaTtl, soaRdata);
  for (const auto& ns : nsNames) {
    s.addToRRset(s.nodes[apex], kTypeNs, nsTtl, ns);
  }
  return zone;
}

bool SnapshotBuilder::addRecord(uint32_t zone, std::span<const uint8_t> owner, uint16_t type,
                                uint32_t ttl, std::span<const uint8_t> rdata, std::string& error) {
  Impl& s = *impl_;
  std::string key;
  if (!s.checkName(zone, owner, key, error)) {
    return false;
  }
  const std::string where = nameToText(owner);
  if (type == 0 || type == kTypeOpt || (type >= kTypeTkey && type <= kTypeAny)) {
    error = where + ": type " + std::to_string(type) + " is a meta type, not data";
    return false;
  }
  if (type == kTypeSoa) {
    error = where + ": the zone SOA is set with the zone, not as a record";
    return false;
  }
  if (type == kTypeDname) {
    error = where + ": DNAME records are not supported";
    return false;
  }
  std::string why;
  if (!validRdata(type, rdata, why)) {
    error = where + ": " + why;
    return false;
  }
  const uint32_t existing = s.findNode(key);
  const bool atApex = existing != kNoIndex && existing == s.zones[zone].apexNode;
  if (type == kTypeNs && !atApex) {
    error = where + ": NS below the zone apex (a delegation) is not supported";
    return false;
  }
  if (existing != kNoIndex) {
    const PendingNode& node = s.nodes[existing];
    if (node.profile != routing::kNone) {
      error = where + " is a Traffic Manager profile name and cannot hold records";
      return false;
    }
    if (type == kTypeCname && node.hasCname) {
      // RFC 2181 §10.1: one CNAME per name.
      error = where + " already has a CNAME record";
      return false;
    }
    if (type == kTypeCname && !node.rrsets.empty()) {
      error = where + ": CNAME cannot coexist with other data (RFC 1034 §3.6.2)";
      return false;
    }
    if (type != kTypeCname && node.hasCname) {
      error = where + " has a CNAME record and cannot hold other data (RFC 1034 §3.6.2)";
      return false;
    }
  }
  const uint32_t id = s.nodeFor(key, zone);
  PendingNode& node = s.nodes[id];
  if (type == kTypeCname) {
    node.hasCname = true;
  }
  s.addToRRset(node, type, ttl, rdata);
  return true;
}

bool SnapshotBuilder::addProfileName(uint32_t zone, std::span<const uint8_t> name, uint32_t profile,
                                     std::string& error) {
  Impl& s = *impl_;
  std::string key;
  if (!s.checkName(zone, name, key, error)) {
    return false;
  }
  const std::string where = nameToText(name);
  if (profile == routing::kNone) {
    error = where + ": invalid profile id";
    return false;
  }
  const uint32_t existing = s.findNode(key);
  if (existing != kNoIndex) {
    const PendingNode& node = s.nodes[existing];
    if (existing == s.zones[zone].apexNode) {
      error = where + " is the zone apex and cannot be a profile name";
      return false;
    }
    if (node.profile != routing::kNone) {
      error = where + " is already the name of another profile";
      return false;
    }
    if (!node.rrsets.empty()) {
      error = where + " already has records and cannot be a profile name";
      return false;
    }
  }
  const uint32_t id = s.nodeFor(key, zone);
  s.nodes[id].profile = profile;
  return true;
}

void SnapshotBuilder::setRouting(routing::Table table) {
  impl_->table = std::move(table);
}

void SnapshotBuilder::setEndpointAnswer(routing::EndpointId id, uint16_t type,
                                        std::span<const uint8_t> rdata) {
  Impl& s = *impl_;
  if (id == routing::kNone) {
    return;
  }
  if (s.answers.size() <= id) {
    s.answers.resize(size_t{id} + 1);
  }
  s.answers[id].type = type;
  s.answers[id].rdata.assign(rdata.begin(), rdata.end());
  s.answers[id].set = true;
}

void SnapshotBuilder::setMaxUdpPayload(uint16_t size) {
  impl_->maxUdpPayload = size;
}

void SnapshotBuilder::setIdentity(uint64_t generation, std::string configHash) {
  impl_->generation = generation;
  impl_->configHash = std::move(configHash);
}

std::unique_ptr<Snapshot> SnapshotBuilder::finish() {
  Impl& s = *impl_;
  auto snap = std::make_unique<Snapshot>();

  size_t byteCount = 0;
  for (const auto& node : s.nodes) {
    byteCount += node.lowerName.size();
    for (const auto& rrset : node.rrsets) {
      for (const auto& rdata : rrset.rdatas) {
        byteCount += rdata.size();
      }
    }
  }
  for (const auto& answer : s.answers) {
    byteCount += answer.rdata.size();
  }
  // Reserved up front: the name index keeps spans into this buffer.
  snap->bytes.reserve(byteCount);

  auto append = [&](std::span<const uint8_t> data) {
    const auto offset = static_cast<uint32_t>(snap->bytes.size());
    snap->bytes.insert(snap->bytes.end(), data.begin(), data.end());
    return offset;
  };

  snap->nodes.reserve(s.nodes.size());
  for (auto& pending : s.nodes) {
    Node node;
    node.zone = pending.zone;
    node.nameOffset = append(keyBytes(pending.lowerName));
    node.nameLength = static_cast<uint8_t>(pending.lowerName.size());
    node.profile = pending.profile;
    node.hasCname = pending.hasCname;
    // The query path finds an RRset by type with a scan or a binary search; keep them sorted.
    std::sort(pending.rrsets.begin(), pending.rrsets.end(),
              [](const PendingRRset& a, const PendingRRset& b) { return a.type < b.type; });
    node.firstRRset = static_cast<uint32_t>(snap->rrsets.size());
    node.rrsetCount = static_cast<uint32_t>(pending.rrsets.size());
    for (const auto& pendingSet : pending.rrsets) {
      RRset rrset;
      rrset.type = pendingSet.type;
      rrset.ttl = pendingSet.ttl;
      rrset.firstRdata = static_cast<uint32_t>(snap->rdatas.size());
      rrset.rdataCount = static_cast<uint32_t>(pendingSet.rdatas.size());
      for (const auto& rdata : pendingSet.rdatas) {
        Rdata r;
        r.length = static_cast<uint16_t>(rdata.size());
        r.offset = append(rdata);
        snap->rdatas.push_back(r);
      }
      snap->rrsets.push_back(rrset);
    }
    snap->nodes.push_back(node);
  }

  for (const auto& pending : s.zones) {
    Zone zone;
    zone.apexNode = pending.apexNode;
    zone.soaRRset = kNoIndex;
    zone.nsRRset = kNoIndex;
    const Node& apex = snap->nodes[pending.apexNode];
    for (uint32_t i = apex.firstRRset; i < apex.firstRRset + apex.rrsetCount; ++i) {
      if (snap->rrsets[i].type == kTypeSoa) {
        zone.soaRRset = i;
      } else if (snap->rrsets[i].type == kTypeNs) {
        zone.nsRRset = i;
      }
    }
    // RFC 2308 §5: negative answers are cached for min(SOA TTL, SOA MINIMUM).
    zone.negativeTtl = std::min(pending.soaTtl, pending.soaMinimum);
    snap->zones.push_back(zone);
  }

  snap->routing = std::move(s.table);

  snap->endpointAnswers.resize(std::max(snap->routing.endpoints.size(), s.answers.size()));
  for (size_t id = 0; id < s.answers.size(); ++id) {
    if (!s.answers[id].set) {
      continue;
    }
    EndpointAnswer answer;
    answer.type = s.answers[id].type;
    answer.length = static_cast<uint16_t>(s.answers[id].rdata.size());
    answer.offset = append(s.answers[id].rdata);
    snap->endpointAnswers[id] = answer;
  }

  size_t profileCount = snap->routing.profiles.size();
  for (const auto& node : s.nodes) {
    if (node.profile != routing::kNone) {
      profileCount = std::max(profileCount, size_t{node.profile} + 1);
    }
  }
  snap->profileZone.assign(profileCount, kNoIndex);
  for (const auto& node : s.nodes) {
    if (node.profile != routing::kNone && snap->profileZone[node.profile] == kNoIndex) {
      snap->profileZone[node.profile] = node.zone;
    }
  }

  std::vector<std::span<const uint8_t>> names;
  names.reserve(snap->nodes.size());
  for (const Node& node : snap->nodes) {
    names.emplace_back(snap->bytes.data() + node.nameOffset, node.nameLength);
  }
  snap->index.build(names);

  snap->maxUdpPayload = s.maxUdpPayload;
  snap->generation = s.generation;
  snap->configHash = std::move(s.configHash);

  impl_ = std::make_unique<Impl>();
  return snap;
}

}  // namespace tmdns::dns
