// ProbeSpec::key(): the identity under which equal probes are shared and kept across reloads.
#include "probes/probe_spec.h"
#include "util/text.h"

#include <string>

namespace tmdns::probes {
namespace {

// Length-prefixed so that no value (a header may hold any byte) can imitate a field boundary.
void field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

std::string protocolName(Protocol p) {
  switch (p) {
    case Protocol::kHttp:
      return "http";
    case Protocol::kHttps:
      return "https";
    case Protocol::kTcp:
      return "tcp";
  }
  return "?";
}

}  // namespace

std::string ProbeSpec::key() const {
  std::string out;
  field(out, protocolName(protocol));
  // DNS names compare case-insensitively; the Host header keeps its spelling via `headers`.
  field(out, util::asciiLower(target));
  field(out, std::to_string(port));
  // Everything that changes what is sent or how the answer is judged belongs to the identity;
  // for TCP the HTTP-only fields are ignored so that they cannot split equal TCP probes.
  if (protocol != Protocol::kTcp) {
    field(out, path);
    field(out, std::to_string(headers.size()));
    for (const auto& [name, value] : headers) {
      // RFC 9110 §5.1: header names are case-insensitive, values are not.
      field(out, util::asciiLower(name));
      field(out, value);
    }
    field(out, std::to_string(expectedStatus.size()));
    for (const auto& [min, max] : expectedStatus) {
      field(out, std::to_string(min) + "-" + std::to_string(max));
    }
    if (protocol == Protocol::kHttps) {
      field(out, verifyTls ? "verify" : "noverify");
    }
  }
  field(out, std::to_string(intervalSeconds));
  field(out, std::to_string(timeoutSeconds));
  field(out, std::to_string(toleratedFailures));
  return out;
}

}  // namespace tmdns::probes
