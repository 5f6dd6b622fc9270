// classifyOutcome: maps the probers' documented reason wordings onto ProbeOutcome.
#include "probes/probe_outcome.h"

namespace tmdns::probes {
namespace {

bool startsWith(const std::string& text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::string_view toString(ProbeOutcome outcome) {
  switch (outcome) {
    case ProbeOutcome::kOk:
      return "ok";
    case ProbeOutcome::kHttpStatus:
      return "http_status";
    case ProbeOutcome::kTimeout:
      return "timeout";
    case ProbeOutcome::kConnectRefused:
      return "connect_refused";
    case ProbeOutcome::kTls:
      return "tls";
    case ProbeOutcome::kResolve:
      return "resolve";
    case ProbeOutcome::kOther:
      return "other";
  }
  return "other";
}

ProbeOutcome classifyOutcome(bool ok, const std::string& reason) {
  if (ok) {
    return ProbeOutcome::kOk;
  }
  // "HTTP 503": a final status arrived and was not accepted.
  if (startsWith(reason, "HTTP ")) {
    return ProbeOutcome::kHttpStatus;
  }
  // "timeout after 5s" (engine), "connect timed out" (ETIMEDOUT from connect).
  if (startsWith(reason, "timeout") || reason == "connect timed out") {
    return ProbeOutcome::kTimeout;
  }
  if (reason == "connect refused") {
    return ProbeOutcome::kConnectRefused;
  }
  // "TLS handshake failed", "TLS certificate verification failed".
  if (startsWith(reason, "TLS ")) {
    return ProbeOutcome::kTls;
  }
  // "resolve failed: NXDOMAIN", "resolve failed: timeout", "resolve failed: no address records".
  if (startsWith(reason, "resolve failed")) {
    return ProbeOutcome::kResolve;
  }
  // Everything else, including "127.0.0.1: HTTP 503; [::1]: connect refused" (the addresses of
  // one target failing differently).
  return ProbeOutcome::kOther;
}

}  // namespace tmdns::probes
