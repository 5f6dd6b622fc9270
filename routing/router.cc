// Profile-level routing rules, effective endpoint status with nested rollup (per query or
// precomputed per health publication), and nested descent.
#include "routing/router.h"

#include <algorithm>
#include <vector>

#include "routing/eligibility.h"

namespace tmdns::routing {
namespace {

Context childContext(const Context& ctx) noexcept {
  return Context{ctx.table, ctx.health, ctx.request, ctx.rng, static_cast<uint8_t>(ctx.depth + 1)};
}

// Which child endpoints count towards the threshold for this query. §2.9 leaves the
// per-family rule UNDOCUMENTED; we take its natural reading: an A query uses
// minChildEndpointsIPv4 (when set) counted over the child's A-capable endpoints, an AAAA query
// minChildEndpointsIPv6 over the AAAA-capable ones, everything else minChildEndpoints over all.
// Name targets (CNAME) and nested grandchildren may yield either family, so they count for both.
struct Threshold {
  uint16_t minimum = 1;
  KindMask counted = kAllKinds;
};

Threshold thresholdFor(const Endpoint& nested, Family family) noexcept {
  constexpr KindMask kEither = kindBit(TargetKind::kName) | kindBit(TargetKind::kNested);
  if (family == Family::kV4 && nested.minChildV4 != 0) {
    return {nested.minChildV4, static_cast<KindMask>(kEither | kindBit(TargetKind::kIPv4))};
  }
  if (family == Family::kV6 && nested.minChildV6 != 0) {
    return {nested.minChildV6, static_cast<KindMask>(kEither | kindBit(TargetKind::kIPv6))};
  }
  return {nested.minChild, kAllKinds};
}

// §2.9: the parent never probes the child; the child's endpoint states roll up.
MonitorStatus rollUp(const Context& ctx, const Endpoint& nested) noexcept {
  // A dangling child or one past the depth limit (only a loop can get there: §1.5 caps
  // nesting at 10 and the config compiler rejects loops) cannot be answered: Stopped.
  if (nested.child >= ctx.table.profiles.size() || ctx.depth >= kMaxNestingDepth) {
    return MonitorStatus::kStopped;
  }
  const Profile& child = ctx.table.profiles[nested.child];
  // §2.9, §6 surprise 5: a disabled child shows as Stopped in the parent, not Disabled.
  if (!child.enabled) {
    return MonitorStatus::kStopped;
  }
  const Context inner = childContext(ctx);
  const Threshold threshold = thresholdFor(nested, ctx.request.family);
  const uint32_t count = servedEndpointCount(ctx.table, child);
  uint32_t eligible = 0;
  uint32_t online = 0;
  uint32_t checking = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const EndpointId id = child.firstEndpoint + i;
    const MonitorStatus status = effectiveStatus(inner, id);
    if (!isEligible(status)) {
      continue;
    }
    ++eligible;
    if ((kindBit(ctx.table.endpoints[id].kind) & threshold.counted) == 0) {
      continue;
    }
    // Unmonitored (alwaysServe) is always available (§2.10), so it counts as Online.
    if (status == MonitorStatus::kOnline || status == MonitorStatus::kUnmonitored) {
      ++online;
    } else if (status == MonitorStatus::kCheckingEndpoint) {
      ++checking;
    }
  }
  // §2.9, §4.5: a child with no endpoint that is neither Disabled nor Stopped is Inactive, which
  // the parent shows as Stopped.
  if (eligible == 0) {
    return MonitorStatus::kStopped;
  }
  if (online >= threshold.minimum) {
    return MonitorStatus::kOnline;
  }
  if (online + checking >= threshold.minimum) {
    return MonitorStatus::kCheckingEndpoint;
  }
  return MonitorStatus::kDegraded;
}

// §3.5 last row: a profile whose endpoints are all Disabled or Stopped is Inactive and answers
// like an all-disabled one. Stops at the first eligible endpoint, usually the first.
bool hasEligibleEndpoint(const Context& ctx, const Profile& profile) noexcept {
  const uint32_t count = servedEndpointCount(ctx.table, profile);
  for (uint32_t i = 0; i < count; ++i) {
    if (isEligible(effectiveStatus(ctx, profile.firstEndpoint + i))) {
      return true;
    }
  }
  return false;
}

}  // namespace

MonitorStatus recomputeNestedStatus(const Context& ctx, const Endpoint& endpoint) noexcept {
  return rollUp(ctx, endpoint);
}

std::vector<NestedRollup> computeNestedRollups(const Table& table, const HealthView& probed) {
  std::vector<NestedRollup> rollups(table.nestedCount);
  // Each entry is rollUp() itself, run over a view that reads the rollups filled so far: a
  // rollup at depth d only looks at its child's endpoints at depth d + 1, so filling the
  // deepest depth first gives every deeper status it needs (depth kMaxNestingDepth is Stopped
  // without an entry). Same function, so the same answer as the per-query rollup.
  HealthView filled(probed.statusData(), probed.statusCount(), &table, rollups.data(),
                    rollups.size());
  util::Rng unused(0);
  constexpr Family kClassFamily[NestedRollup::kFamilyClasses] = {Family::kAny, Family::kV4,
                                                                 Family::kV6};
  // changed[slot]: its status at the depth just filled differs from the one below it (from
  // Stopped, past the deepest entry). A rollup whose nested children all stayed the same
  // between d + 1 and d + 2 is the same at d as at d + 1, so it is copied, not walked; in a
  // valid configuration that leaves one walk per family for each nesting level below it.
  std::vector<uint8_t> changed(table.nestedCount, 1);
  std::vector<uint8_t> changedNext(table.nestedCount, 0);
  for (int depth = kMaxNestingDepth - 1; depth >= 0; --depth) {
    for (const Endpoint& endpoint : table.endpoints) {
      if (endpoint.kind != TargetKind::kNested || endpoint.rollupSlot >= rollups.size()) {
        continue;
      }
      NestedRollup& rollup = rollups[endpoint.rollupSlot];
      bool recompute = depth == kMaxNestingDepth - 1;
      if (!recompute && endpoint.child < table.profiles.size()) {
        const Profile& child = table.profiles[endpoint.child];
        const uint32_t count = servedEndpointCount(table, child);
        for (uint32_t i = 0; i < count && !recompute; ++i) {
          const Endpoint& grandchild = table.endpoints[child.firstEndpoint + i];
          recompute = grandchild.kind == TargetKind::kNested &&
                      (grandchild.rollupSlot >= rollups.size() || changed[grandchild.rollupSlot]);
        }
      }
      bool differs = false;
      for (int f = 0; f < NestedRollup::kFamilyClasses; ++f) {
        const MonitorStatus below = rollup.at(static_cast<uint8_t>(depth + 1), kClassFamily[f]);
        MonitorStatus status = below;
        if (recompute) {
          Request request;
          request.family = kClassFamily[f];
          const Context ctx{table, filled, request, unused, static_cast<uint8_t>(depth)};
          status = rollUp(ctx, endpoint);
        }
        rollup.status[depth][f] = status;
        differs = differs || status != below;
      }
      changedNext[endpoint.rollupSlot] = differs ? 1 : 0;
    }
    changed.swap(changedNext);
  }
  return rollups;
}

void route(const Context& ctx, ProfileId id, Selection& out) noexcept {
  out = Selection{};
  if (id >= ctx.table.profiles.size() || ctx.depth > kMaxNestingDepth) {
    return;
  }
  const Profile& profile = ctx.table.profiles[id];
  // §2.1, §3.5: disabled profile, no endpoints, all endpoints Disabled or Stopped => NXDOMAIN.
  // A profile without a policy only exists in a table that failed to compile; answer the same.
  if (!profile.enabled || profile.policy == nullptr || !hasEligibleEndpoint(ctx, profile)) {
    return;
  }
  profile.policy->select(ctx, profile, out);
}

void addEndpoint(const Context& ctx, EndpointId id, Selection& out) noexcept {
  const Endpoint& endpoint = ctx.table.endpoints[id];
  if (endpoint.kind != TargetKind::kNested) {
    out.add(id);
    return;
  }
  // §2.1 last bullet: the answer carries the leaf, never the child profile's name.
  Selection child;
  route(childContext(ctx), endpoint.child, child);
  // The answer depends on the client as soon as any level's choice did.
  out.ecsScope = std::max(out.ecsScope, child.ecsScope);
  if (child.outcome == Selection::Outcome::kAnswer) {
    for (uint8_t i = 0; i < child.count; ++i) {
      out.add(child.endpoints[i]);
    }
  } else if (out.count == 0) {
    out.outcome = child.outcome;
  }
}

}  // namespace tmdns::routing
