// The bounded set of classes a probe round's outcome falls into, for metrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tmdns::probes {

// A metric label set must stay small whatever endpoints answer, so the free-text reason of a
// round ("HTTP 503", "timeout after 5s", ...) is reduced to one of these.
enum class ProbeOutcome : uint8_t {
  kOk,              // the round succeeded
  kHttpStatus,      // an HTTP status outside the expected ranges (§4.1)
  kTimeout,         // no answer within timeoutInSeconds, or a connect timed out
  kConnectRefused,  // the target refused the connection
  kTls,             // TLS handshake or certificate verification failed
  kResolve,         // the target name did not resolve
  kOther,           // anything else, including addresses of one target failing differently
};
inline constexpr size_t kProbeOutcomeCount = 7;

// "ok", "http_status", "timeout", "connect_refused", "tls", "resolve", "other".
std::string_view toString(ProbeOutcome outcome);

// Classifies a round by its reason as the probers and the engine word it (http_prober.cc,
// tcp_prober.cc, address.cc connectErrorReason, engine.cc).
ProbeOutcome classifyOutcome(bool ok, const std::string& reason);

}  // namespace tmdns::probes
