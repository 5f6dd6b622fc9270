// QueryStats: the counter layout derived from a snapshot, the per-thread blocks and their reads.
#include "dns/query_stats.h"

#include <algorithm>

#include "dns/wire_types.h"
#include "routing/policy.h"

namespace tmdns::dns {

namespace {

// Cells kept free before and after each block: the blocks of two threads are separate
// allocations, and this keeps their hot ends off a shared cache line.
constexpr size_t kPadCells = 64 / sizeof(uint64_t);

constexpr size_t kCellsPerRow = kQtypeClassCount * kRcodeClassCount;

// RFC 9460 (SVCB, HTTPS), RFC 8659 (CAA), RFC 4034 (DS, DNSKEY), RFC 2782 (SRV).
constexpr uint16_t kTypeSrv = 33;
constexpr uint16_t kTypeDs = 43;
constexpr uint16_t kTypeDnskey = 48;
constexpr uint16_t kTypeSvcb = 64;
constexpr uint16_t kTypeHttps = 65;
constexpr uint16_t kTypeCaa = 257;

}  // namespace

struct QueryStats::Layout {
  struct ProfileSlots {
    routing::EndpointId first = 0;  // own endpoints: [first, first + own)
    uint32_t own = 0;
    uint32_t base = 0;        // pair index of the first own endpoint
    uint32_t extraBegin = 0;  // nested leaves: extra[extraBegin, extraEnd), sorted
    uint32_t extraEnd = 0;
  };

  uint32_t profiles = 0;
  uint32_t zones = 0;
  uint32_t rows = 0;
  std::vector<ProfileSlots> slots;
  std::vector<routing::EndpointId> extra;
  std::vector<AnswerPair> pairs;

  size_t queryCell(uint32_t row, QtypeClass q, RcodeClass r) const noexcept {
    return kPadCells + row * kCellsPerRow + static_cast<size_t>(q) * kRcodeClassCount +
           static_cast<size_t>(r);
  }
  size_t answerCell(size_t pair) const noexcept {
    return kPadCells + size_t{rows} * kCellsPerRow + pair;
  }
  size_t cellCount() const noexcept { return answerCell(pairs.size()) + kPadCells; }

  // The pair index of (profile, endpoint), or SIZE_MAX when the endpoint cannot be returned
  // for that profile.
  size_t pairIndex(routing::ProfileId profile, routing::EndpointId endpoint) const noexcept {
    if (profile >= slots.size()) {
      return SIZE_MAX;
    }
    const ProfileSlots& s = slots[profile];
    // Unsigned: an endpoint before `first` wraps around and fails the test.
    if (endpoint - s.first < s.own) {
      return size_t{s.base} + (endpoint - s.first);
    }
    const auto begin = extra.begin() + s.extraBegin;
    const auto end = extra.begin() + s.extraEnd;
    const auto it = std::lower_bound(begin, end, endpoint);
    if (it == end || *it != endpoint) {
      return SIZE_MAX;
    }
    return size_t{s.base} + s.own + static_cast<size_t>(it - begin);
  }
};

namespace {

// The leaf endpoints reachable from `profile` through its nested endpoints (§2.9), to the
// nesting limit; the compiler rejects loops, the limit only bounds a table that slipped one in.
void collectNestedLeaves(const routing::Table& table, routing::ProfileId profile, int depth,
                         std::vector<routing::EndpointId>& out) {
  if (profile >= table.profiles.size() || depth > routing::kMaxNestingDepth) {
    return;
  }
  const routing::Profile& p = table.profiles[profile];
  for (uint32_t i = 0; i < p.endpointCount; ++i) {
    const routing::EndpointId id = p.firstEndpoint + i;
    if (id >= table.endpoints.size()) {
      break;
    }
    const routing::Endpoint& e = table.endpoints[id];
    if (e.kind == routing::TargetKind::kNested) {
      collectNestedLeaves(table, e.child, depth + 1, out);
    } else if (depth > 0) {
      out.push_back(id);
    }
  }
}

}  // namespace

QtypeClass qtypeClassOf(uint16_t qtype) noexcept {
  switch (qtype) {
    case kTypeA:
      return QtypeClass::kA;
    case kTypeNs:
      return QtypeClass::kNs;
    case kTypeCname:
      return QtypeClass::kCname;
    case kTypeSoa:
      return QtypeClass::kSoa;
    case kTypePtr:
      return QtypeClass::kPtr;
    case kTypeMx:
      return QtypeClass::kMx;
    case kTypeTxt:
      return QtypeClass::kTxt;
    case kTypeAaaa:
      return QtypeClass::kAaaa;
    case kTypeSrv:
      return QtypeClass::kSrv;
    case kTypeDs:
      return QtypeClass::kDs;
    case kTypeDnskey:
      return QtypeClass::kDnskey;
    case kTypeSvcb:
      return QtypeClass::kSvcb;
    case kTypeHttps:
      return QtypeClass::kHttps;
    case kTypeCaa:
      return QtypeClass::kCaa;
    case kTypeAny:
      return QtypeClass::kAny;
    default:
      return QtypeClass::kOther;
  }
}

RcodeClass rcodeClassOf(uint16_t rcode) noexcept {
  switch (rcode) {
    case kRcodeNoError:
      return RcodeClass::kNoError;
    case kRcodeFormErr:
      return RcodeClass::kFormErr;
    case kRcodeServFail:
      return RcodeClass::kServFail;
    case kRcodeNxDomain:
      return RcodeClass::kNxDomain;
    case kRcodeNotImp:
      return RcodeClass::kNotImp;
    case kRcodeRefused:
      return RcodeClass::kRefused;
    case kRcodeBadVers:
      return RcodeClass::kBadVers;
    default:
      return RcodeClass::kOther;
  }
}

std::string_view toString(QtypeClass c) noexcept {
  switch (c) {
    case QtypeClass::kA:
      return "A";
    case QtypeClass::kNs:
      return "NS";
    case QtypeClass::kCname:
      return "CNAME";
    case QtypeClass::kSoa:
      return "SOA";
    case QtypeClass::kPtr:
      return "PTR";
    case QtypeClass::kMx:
      return "MX";
    case QtypeClass::kTxt:
      return "TXT";
    case QtypeClass::kAaaa:
      return "AAAA";
    case QtypeClass::kSrv:
      return "SRV";
    case QtypeClass::kDs:
      return "DS";
    case QtypeClass::kDnskey:
      return "DNSKEY";
    case QtypeClass::kSvcb:
      return "SVCB";
    case QtypeClass::kHttps:
      return "HTTPS";
    case QtypeClass::kCaa:
      return "CAA";
    case QtypeClass::kAny:
      return "ANY";
    case QtypeClass::kOther:
      return "other";
  }
  return "other";
}

std::string_view toString(RcodeClass c) noexcept {
  switch (c) {
    case RcodeClass::kNoError:
      return "NOERROR";
    case RcodeClass::kFormErr:
      return "FORMERR";
    case RcodeClass::kServFail:
      return "SERVFAIL";
    case RcodeClass::kNxDomain:
      return "NXDOMAIN";
    case RcodeClass::kNotImp:
      return "NOTIMP";
    case RcodeClass::kRefused:
      return "REFUSED";
    case RcodeClass::kBadVers:
      return "BADVERS";
    case RcodeClass::kOther:
      return "other";
  }
  return "other";
}

std::string_view toString(Transport t) noexcept {
  return t == Transport::kTcp ? "tcp" : "udp";
}

void QueryStats::Block::countQuery(uint32_t zone, routing::ProfileId profile, QtypeClass qtype,
                                   RcodeClass rcode) noexcept {
  uint32_t row = layout_->rows - 1;
  if (profile < layout_->profiles) {
    row = profile;
  } else if (zone < layout_->zones) {
    row = layout_->profiles + zone;
  }
  bump(cells_[layout_->queryCell(row, qtype, rcode)]);
}

void QueryStats::Block::countAnswer(routing::ProfileId profile,
                                    routing::EndpointId endpoint) noexcept {
  const size_t pair = layout_->pairIndex(profile, endpoint);
  if (pair != SIZE_MAX) {
    bump(cells_[layout_->answerCell(pair)]);
  }
}

QueryStats::QueryStats(const Snapshot& snapshot, uint32_t udpSlots, uint32_t tcpSlots)
    : udpSlots_(udpSlots) {
  auto layout = std::make_unique<Layout>();
  const routing::Table& table = snapshot.routing;
  layout->profiles = static_cast<uint32_t>(table.profiles.size());
  layout->zones = static_cast<uint32_t>(snapshot.zones.size());
  layout->rows = layout->profiles + layout->zones + 1;
  layout->slots.resize(table.profiles.size());
  for (routing::ProfileId id = 0; id < table.profiles.size(); ++id) {
    const routing::Profile& p = table.profiles[id];
    Layout::ProfileSlots& s = layout->slots[id];
    s.first = p.firstEndpoint;
    s.own = p.endpointCount;
    s.base = static_cast<uint32_t>(layout->pairs.size());
    for (uint32_t i = 0; i < p.endpointCount; ++i) {
      layout->pairs.push_back({id, p.firstEndpoint + i});
    }
    std::vector<routing::EndpointId> leaves;
    collectNestedLeaves(table, id, 0, leaves);
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    s.extraBegin = static_cast<uint32_t>(layout->extra.size());
    for (routing::EndpointId leaf : leaves) {
      layout->extra.push_back(leaf);
      layout->pairs.push_back({id, leaf});
    }
    s.extraEnd = static_cast<uint32_t>(layout->extra.size());
  }
  layout_ = std::move(layout);
  blocks_.resize(size_t{udpSlots} + tcpSlots);
  for (Block& block : blocks_) {
    block.layout_ = layout_.get();
    // Value-initialised: every cell starts at zero.
    block.cells_ = std::make_unique<std::atomic<uint64_t>[]>(layout_->cellCount());
  }
}

QueryStats::~QueryStats() = default;

uint32_t QueryStats::profileCount() const noexcept {
  return layout_->profiles;
}

uint32_t QueryStats::zoneCount() const noexcept {
  return layout_->zones;
}

uint32_t QueryStats::rowCount() const noexcept {
  return layout_->rows;
}

uint64_t QueryStats::queries(uint32_t slot, uint32_t row, QtypeClass qtype,
                             RcodeClass rcode) const noexcept {
  if (slot >= blocks_.size() || row >= layout_->rows) {
    return 0;
  }
  return blocks_[slot].cells_[layout_->queryCell(row, qtype, rcode)].load(
      std::memory_order_relaxed);
}

size_t QueryStats::answerPairCount() const noexcept {
  return layout_->pairs.size();
}

AnswerPair QueryStats::answerPair(size_t index) const noexcept {
  return index < layout_->pairs.size() ? layout_->pairs[index] : AnswerPair{};
}

uint64_t QueryStats::answers(uint32_t slot, size_t pair) const noexcept {
  if (slot >= blocks_.size() || pair >= layout_->pairs.size()) {
    return 0;
  }
  return blocks_[slot].cells_[layout_->answerCell(pair)].load(std::memory_order_relaxed);
}

}  // namespace tmdns::dns
