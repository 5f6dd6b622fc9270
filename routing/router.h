// Entry point of routing: profile-level rules, then the profile's policy, nested descent.
#pragma once

#include "routing/policy.h"

namespace tmdns::routing {

// Answers one profile for one request:
// - profile disabled, no endpoints, or every endpoint disabled/stopped -> kNxDomain (§2.1, §3.5);
// - otherwise the profile's policy decides; nested endpoints it picks are resolved to a leaf
//   endpoint of the child (§2.9), at most kMaxNestingDepth deep.
// noexcept, allocation-free, lock-free.
void route(const Context& ctx, ProfileId profile, Selection& out) noexcept;

// The status routing acts on for one endpoint (§2.1, §2.9, §2.10): Disabled when the endpoint is
// disabled, Unmonitored for alwaysServe, the child rollup for nested endpoints, else the probe's.
MonitorStatus effectiveStatus(const Context& ctx, EndpointId id) noexcept;

}  // namespace tmdns::routing
