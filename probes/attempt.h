// One probe attempt against one address: its id and outcome, shared by the HTTP and TCP probers.
#pragma once

#include <cstdint>
#include <string>

namespace tmdns::probes {

using AttemptId = uint64_t;

struct AttemptResult {
  bool ok = false;
  bool timedOut = false;  // the engine words it "timeout after Ns" from the spec
  std::string reason;     // "HTTP 200", "connect refused", "TLS handshake failed", ...
  double latencySeconds = 0;
};

struct CompletedAttempt {
  AttemptId id = 0;
  AttemptResult result;
};

}  // namespace tmdns::probes
