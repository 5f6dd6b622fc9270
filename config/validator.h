// Rules that relate endpoints, profiles and zones to each other (traffic-manager.md §1.5).
#pragma once

#include "config/diagnostics.h"
#include "config/model.h"

namespace tmdns::config {

// Nesting never goes deeper than this many nested-endpoint hops (§1.5).
inline constexpr int kMaxNestingDepth = 10;

// Checks what no single object can check alone: unique names (zones, profiles per zone,
// relativeNames per zone, endpoints per profile), priorities, addressing-type mixing and
// duplicate IPs, the method-specific rules (MultiValue, Performance, Geographic, Subnet) and
// nested-profile references, loops and depth. Resolves every nested endpoint's child profile
// (Endpoint::childZone/childProfile). Expects the model as the readers left it.
void validateConfig(Config& config, Diagnostics& diags);

}  // namespace tmdns::config
