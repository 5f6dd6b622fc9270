// Compiles a validated configuration into the immutable snapshot the DNS workers serve.
#pragma once

#include <memory>

#include "config/diagnostics.h"
#include "config/model.h"
#include "dns/snapshot.h"

namespace tmdns::config {

// Resolves names to integer ids, parses static records with ldns, pre-encodes every endpoint's
// answer and builds each profile's routing policy. Problems only found here (e.g. a static record
// ldns cannot parse) go to `diags` with their position and the result is nullptr.
std::unique_ptr<dns::Snapshot> compile(const Config& config, Diagnostics& diags);

}  // namespace tmdns::config
