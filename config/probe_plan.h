// Derives the probe engine's plan (what to probe, per EndpointId) from a validated Config.
#pragma once

#include <cstdint>

#include "config/model.h"
#include "probes/probe_spec.h"

namespace tmdns::config {

// EndpointIds are numbered exactly as compile() numbers them: zones in order, profiles in order
// within a zone, endpoints in order within a profile, one counter for all. Probed are the enabled
// endpoints of enabled profiles that are neither nested nor alwaysServe (§2.10, §4.4), and only
// when config.probes.enabled; otherwise the plan is empty but still sized (endpointCount).
probes::ProbePlan buildProbePlan(const Config& config, uint64_t generation);

}  // namespace tmdns::config
