// Answer assembly: lookup, CNAME chains, negative answers, profile routing; see answer_builder.h.
#include "dns/answer_builder.h"

#include <algorithm>

#include "dns/wire_name.h"
#include "dns/wire_types.h"
#include "routing/router.h"

namespace tmdns::dns {

namespace {

enum class Step : uint8_t { kDone, kNoData, kNxDomain, kFollow };

class AnswerBuilder {
 public:
  AnswerBuilder(const Snapshot& snapshot, const AnswerQuery& query, ResponseWriter& writer)
      : snap_(snapshot), query_(query), writer_(writer) {}

  AnswerResult run() noexcept;

 private:
  std::span<const uint8_t> bytes(uint32_t offset, size_t length) const noexcept {
    return {snap_.bytes.data() + offset, length};
  }
  std::span<const uint8_t> rdata(uint32_t index) const noexcept {
    const Rdata& r = snap_.rdatas[index];
    return bytes(r.offset, r.length);
  }
  std::span<const uint8_t> nodeName(const Node& node) const noexcept {
    return bytes(node.nameOffset, node.nameLength);
  }

  uint32_t enclosingZone(std::span<const uint8_t> lowerName) const noexcept;
  const RRset* findRRset(const Node& node, uint16_t type) const noexcept;
  void writeRRset(Section section, std::span<const uint8_t> owner, const RRset& rrset) noexcept;
  void writeGlue(const RRset& ns) noexcept;
  void writeNegativeSoa(uint32_t zone, std::span<const uint8_t> name) noexcept;
  Step answerStatic(const Node& node, std::span<const uint8_t> owner,
                    std::span<const uint8_t>& next) noexcept;
  Step answerProfile(const Node& node, std::span<const uint8_t> owner,
                     std::span<const uint8_t>& next) noexcept;

  const Snapshot& snap_;
  const AnswerQuery& query_;
  ResponseWriter& writer_;
  AnswerResult result_;
};

uint32_t AnswerBuilder::enclosingZone(std::span<const uint8_t> lowerName) const noexcept {
  // Every name between a node and its apex exists (empty non-terminals), so the first existing
  // ancestor belongs to the closest enclosing zone.
  size_t offset = 0;
  while (offset < lowerName.size()) {
    const uint32_t node = snap_.index.find(lowerName.subspan(offset));
    if (node != kNoIndex && node < snap_.nodes.size()) {
      return snap_.nodes[node].zone;
    }
    if (lowerName[offset] == 0) {
      break;
    }
    offset += size_t{1} + lowerName[offset];
  }
  return kNoIndex;
}

const RRset* AnswerBuilder::findRRset(const Node& node, uint16_t type) const noexcept {
  for (uint32_t i = 0; i < node.rrsetCount; ++i) {
    const RRset& rrset = snap_.rrsets[node.firstRRset + i];
    if (rrset.type == type) {
      return &rrset;
    }
    if (rrset.type > type) {
      break;  // sorted by type
    }
  }
  return nullptr;
}

void AnswerBuilder::writeRRset(Section section, std::span<const uint8_t> owner,
                               const RRset& rrset) noexcept {
  for (uint32_t i = 0; i < rrset.rdataCount; ++i) {
    if (!writer_.writeRecord(section, owner, rrset.type, rrset.ttl, rdata(rrset.firstRdata + i))) {
      return;
    }
  }
}

void AnswerBuilder::writeGlue(const RRset& ns) noexcept {
  // RFC 2181 §9: additional data that does not fit is left out without setting TC.
  const ResponseWriter::Mark before = writer_.mark();
  for (uint32_t i = 0; i < ns.rdataCount; ++i) {
    const auto target = rdata(ns.firstRdata + i);
    if (target.size() > kMaxNameLength) {
      continue;
    }
    uint8_t lower[kMaxNameLength];
    lowerCaseName(target, lower);
    const uint32_t id = snap_.index.find({lower, target.size()});
    if (id == kNoIndex || id >= snap_.nodes.size()) {
      continue;
    }
    const Node& node = snap_.nodes[id];
    for (const uint16_t type : {kTypeA, kTypeAaaa}) {
      if (const RRset* addresses = findRRset(node, type)) {
        writeRRset(Section::kAdditional, target, *addresses);
      }
    }
    if (writer_.overflowed()) {
      writer_.rewind(before);
      return;
    }
  }
}

void AnswerBuilder::writeNegativeSoa(uint32_t zoneIndex, std::span<const uint8_t> name) noexcept {
  if (zoneIndex >= snap_.zones.size()) {
    return;
  }
  const Zone& zone = snap_.zones[zoneIndex];
  if (zone.soaRRset >= snap_.rrsets.size()) {
    return;
  }
  const RRset& soa = snap_.rrsets[zone.soaRRset];
  if (soa.rdataCount == 0) {
    return;
  }
  // The apex as spelled in `name` (the name that had no answer, which lies below it), so the
  // owner compresses against it; the stored lower-case apex otherwise.
  std::span<const uint8_t> owner = nodeName(snap_.nodes[zone.apexNode]);
  size_t offset = 0;
  while (offset < name.size() && name.size() - offset > owner.size() && name[offset] != 0) {
    offset += size_t{1} + name[offset];
  }
  if (offset < name.size() && namesEqual(name.subspan(offset), owner)) {
    owner = name.subspan(offset);
  }
  // RFC 2308 §3: the SOA goes into authority, with the TTL of §5 = min(SOA TTL, MINIMUM).
  writer_.writeRecord(Section::kAuthority, owner, kTypeSoa, zone.negativeTtl,
                      rdata(soa.firstRdata));
}

Step AnswerBuilder::answerStatic(const Node& node, std::span<const uint8_t> owner,
                                 std::span<const uint8_t>& next) noexcept {
  const uint16_t qtype = query_.type;
  if (qtype == kTypeAny) {
    if (node.rrsetCount == 0) {
      return Step::kNoData;
    }
    // RFC 8482 §4.2: answer ANY with one RRset rather than all of them; the first by type is
    // a stable, cheap choice.
    const RRset& first = snap_.rrsets[node.firstRRset];
    writeRRset(Section::kAnswer, owner, first);
    if (first.type == kTypeNs) {
      writeGlue(first);
    }
    return Step::kDone;
  }
  if (const RRset* rrset = findRRset(node, qtype)) {
    writeRRset(Section::kAnswer, owner, *rrset);
    if (rrset->type == kTypeNs) {
      writeGlue(*rrset);
    }
    return Step::kDone;
  }
  if (node.hasCname) {
    // RFC 1034 §4.3.2 step 3a: the CNAME, then restart at its target.
    if (const RRset* cname = findRRset(node, kTypeCname); cname && cname->rdataCount > 0) {
      writeRRset(Section::kAnswer, owner, *cname);
      next = rdata(cname->firstRdata);
      return Step::kFollow;
    }
  }
  return Step::kNoData;
}

Step AnswerBuilder::answerProfile(const Node& node, std::span<const uint8_t> owner,
                                  std::span<const uint8_t>& next) noexcept {
  const uint16_t qtype = query_.type;
  routing::Request request;
  request.client = *query_.client;
  switch (qtype) {
    case kTypeA:
      request.family = routing::Family::kV4;
      break;
    case kTypeAaaa:
      request.family = routing::Family::kV6;
      break;
    case kTypeAny:
      request.family = routing::Family::kAny;
      break;
    default:
      request.family = routing::Family::kOther;
      break;
  }
  const routing::Context context{snap_.routing, query_.health, request, *query_.rng};
  routing::Selection selection;
  routing::route(context, node.profile, selection);
  // The answer depends on the client as far as routing says, even when it is negative.
  result_.ecsScope = std::max(result_.ecsScope, selection.ecsScope);
  if (selection.outcome == routing::Selection::Outcome::kNxDomain) {
    return Step::kNxDomain;  // traffic-manager.md §3.5: disabled / all endpoints disabled
  }
  if (selection.outcome == routing::Selection::Outcome::kNoData ||
      node.profile >= snap_.routing.profiles.size()) {
    return Step::kNoData;
  }
  const uint32_t ttl = snap_.routing.profiles[node.profile].ttl;  // §3.3
  int written = 0;
  for (uint8_t i = 0; i < selection.count && i < routing::kMaxSelected; ++i) {
    const routing::EndpointId id = selection.endpoints[i];
    if (id >= snap_.endpointAnswers.size()) {
      continue;
    }
    const EndpointAnswer& answer = snap_.endpointAnswers[id];
    // traffic-manager.md §3.2: selection first, then the record-type table.
    bool include = false;
    switch (answer.type) {
      case kTypeCname:
        include = qtype == kTypeA || qtype == kTypeAaaa || qtype == kTypeCname || qtype == kTypeAny;
        break;
      case kTypeA:
        include = qtype == kTypeA || qtype == kTypeAny;
        break;
      case kTypeAaaa:
        include = qtype == kTypeAaaa || qtype == kTypeAny;
        break;
      default:
        break;  // a nested endpoint never reaches here (routing returns leaves)
    }
    if (!include) {
      continue;
    }
    const auto data = bytes(answer.offset, answer.length);
    if (!writer_.writeRecord(Section::kAnswer, owner, answer.type, ttl, data)) {
      return Step::kDone;
    }
    ++written;
    if (result_.returnedCount < kMaxReturned) {
      result_.returned[result_.returnedCount++] = {node.profile, id};
    }
    if (answer.type == kTypeCname && next.empty()) {
      next = data;
    }
  }
  if (written == 0) {
    return Step::kNoData;  // §3.2: the selected endpoint does not match the query type
  }
  // ANY and CNAME queries are answered by the CNAME itself (RFC 1034 §4.3.2 step 3a).
  if (!next.empty() && qtype != kTypeCname && qtype != kTypeAny) {
    return Step::kFollow;
  }
  return Step::kDone;
}

AnswerResult AnswerBuilder::run() noexcept {
  std::span<const uint8_t> owner = query_.name;
  uint32_t visited[kMaxCnameChain + 1];
  int visitedCount = 0;
  for (int link = 0;; ++link) {
    if (owner.empty() || owner.size() > kMaxNameLength) {
      return result_;
    }
    uint8_t lower[kMaxNameLength];
    lowerCaseName(owner, lower);
    const std::span<const uint8_t> lowerName(lower, owner.size());
    const uint32_t nodeId = snap_.index.find(lowerName);
    if (nodeId == kNoIndex || nodeId >= snap_.nodes.size()) {
      const uint32_t zone = enclosingZone(lowerName);
      if (link == 0) {
        result_.zone = zone;
      }
      if (zone == kNoIndex) {
        if (link == 0) {
          result_.rcode = kRcodeRefused;  // not ours: no AA, nothing to say
        }
        // Otherwise a CNAME led out of our zones: the requester resolves the rest.
        return result_;
      }
      result_.authoritative = true;
      result_.rcode = kRcodeNxDomain;
      result_.noData = false;
      writeNegativeSoa(zone, owner);
      return result_;
    }
    result_.authoritative = true;
    // RFC 1034 §3.6.2: a CNAME loop is a configuration error; stop at the first repeat.
    for (int i = 0; i < visitedCount; ++i) {
      if (visited[i] == nodeId) {
        return result_;
      }
    }
    visited[visitedCount++] = nodeId;

    const Node& node = snap_.nodes[nodeId];
    if (link == 0) {
      result_.zone = node.zone;
      result_.profile = node.profile;
    }
    std::span<const uint8_t> next;
    const Step step = node.profile != routing::kNone ? answerProfile(node, owner, next)
                                                     : answerStatic(node, owner, next);
    if (writer_.overflowed()) {
      return result_;
    }
    switch (step) {
      case Step::kDone:
        return result_;
      case Step::kNoData:
        result_.noData = true;
        writeNegativeSoa(node.zone, owner);
        return result_;
      case Step::kNxDomain:
        result_.rcode = kRcodeNxDomain;
        writeNegativeSoa(node.zone, owner);
        return result_;
      case Step::kFollow:
        break;
    }
    if (link + 1 >= kMaxCnameChain) {
      return result_;
    }
    owner = next;
  }
}

}  // namespace

AnswerResult writeAnswer(const Snapshot& snapshot, const AnswerQuery& query,
                         ResponseWriter& writer) noexcept {
  AnswerBuilder builder(snapshot, query, writer);
  return builder.run();
}

}  // namespace tmdns::dns
