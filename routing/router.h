// Entry point of routing: profile-level rules, then the profile's policy, nested descent.
#pragma once

#include <vector>

#include "routing/policy.h"

namespace tmdns::routing {

// Answers one profile for one request:
// - profile disabled, no endpoints, or every endpoint disabled/stopped -> kNxDomain (§2.1, §3.5);
// - otherwise the profile's policy decides; nested endpoints it picks are resolved to a leaf
//   endpoint of the child (§2.9), at most kMaxNestingDepth deep.
// `ctx.depth` is the nesting depth of `profile` (0 for the queried profile); deeper than
// kMaxNestingDepth, or a profile without a policy, answers kNxDomain. `out` is overwritten.
// noexcept, allocation-free, lock-free.
void route(const Context& ctx, ProfileId profile, Selection& out) noexcept;

// The child rollup (§2.9) of a nested endpoint, recomputed from the child's endpoints (and,
// for deeper nesting, from theirs, or from ctx.health's precomputed rollups where it has them).
// `endpoint` must be in ctx.table, of a profile at depth ctx.depth.
MonitorStatus recomputeNestedStatus(const Context& ctx, const Endpoint& endpoint) noexcept;

// effectiveStatus() of a nested endpoint: the child rollup (§2.9), read from ctx.health when it
// carries rollups for ctx.table (health_table.h), else recomputed. Both give the same status.
inline MonitorStatus nestedStatus(const Context& ctx, const Endpoint& endpoint) noexcept {
  if (const NestedRollup* rollup = ctx.health.rollup(ctx.table, endpoint.rollupSlot)) {
    return rollup->at(ctx.depth, ctx.request.family);
  }
  return recomputeNestedStatus(ctx, endpoint);
}

// Every nested endpoint's rollup under the probe results `probed` (whose own rollups, if any,
// are ignored), indexed by Endpoint::rollupSlot: what recomputeNestedStatus() would return at
// each depth and family. Cost: about one pass over each nested endpoint's child per family and
// depth at which its answer can differ. Allocates; for the publisher, never per query.
std::vector<NestedRollup> computeNestedRollups(const Table& table, const HealthView& probed);

// The status routing acts on for one endpoint (§2.1, §2.9, §2.10): Disabled when the endpoint is
// disabled, Inactive when its profile is disabled (§4.4), the child rollup for nested endpoints,
// Unmonitored for alwaysServe, else the probe's.
// The nested rollup depends on ctx.request.family (minChildEndpointsIPv4/IPv6) and on ctx.depth,
// which must be the depth of the endpoint's own profile; a child beyond kMaxNestingDepth is
// Stopped.
// Inline: every policy asks for the status of each endpoint it looks at, once or twice per
// query, and a call per endpoint cost as much as the checks themselves.
inline MonitorStatus effectiveStatus(const Context& ctx, EndpointId id) noexcept {
  if (id >= ctx.table.endpoints.size()) {
    return MonitorStatus::kStopped;
  }
  const Endpoint& endpoint = ctx.table.endpoints[id];
  // §4.4: the endpoint's own Disabled wins over everything, including a disabled profile.
  if (!endpoint.enabled) {
    return MonitorStatus::kDisabled;
  }
  if (endpoint.profile < ctx.table.profiles.size() &&
      !ctx.table.profiles[endpoint.profile].enabled) {
    return MonitorStatus::kInactive;
  }
  // Nested before alwaysServe: §2.10 forbids alwaysServe on nested endpoints, so should one slip
  // through, the child rollup still decides.
  if (endpoint.kind == TargetKind::kNested) {
    return nestedStatus(ctx, endpoint);
  }
  if (endpoint.alwaysServe) {
    return MonitorStatus::kUnmonitored;
  }
  return ctx.health.probed(id);
}

// For policies: puts endpoint `id`, picked from a profile at depth ctx.depth, into `out`. A leaf
// is added as is; a nested endpoint is replaced by what routing its child profile at depth + 1
// yields (§2.1 last bullet, §2.9), so `out` only ever holds leaves. When the child yields no
// endpoint and `out` is still empty, `out.outcome` becomes the child's outcome.
void addEndpoint(const Context& ctx, EndpointId id, Selection& out) noexcept;

}  // namespace tmdns::routing
