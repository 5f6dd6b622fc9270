// buildProbePlan: monitorConfig and custom headers turned into one ProbeSpec per probed endpoint.
#include "config/probe_plan.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>
#include <utility>
#include <vector>

namespace tmdns::config {
namespace {

bool sameName(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) {
      return false;
    }
  }
  return true;
}

probes::Protocol toProtocol(ProbeProtocol p) {
  switch (p) {
    case ProbeProtocol::kHttp:
      return probes::Protocol::kHttp;
    case ProbeProtocol::kHttps:
      return probes::Protocol::kHttps;
    case ProbeProtocol::kTcp:
      return probes::Protocol::kTcp;
  }
  return probes::Protocol::kHttp;
}

// The Host header value for a target: RFC 9110 §7.2 wants an IPv6 literal in brackets.
std::string hostValue(const std::string& target) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, target.c_str(), &v6) == 1) {
    return "[" + target + "]";
  }
  return target;
}

// §4.1: Host first (a custom Host wins over the target), then the profile's headers with the
// endpoint's overriding those of the same name, then the endpoint's other headers.
std::vector<std::pair<std::string, std::string>> probeHeaders(const Profile& profile,
                                                              const Endpoint& endpoint) {
  std::vector<std::pair<std::string, std::string>> merged;
  auto put = [&merged](const CustomHeader& h) {
    for (auto& [name, value] : merged) {
      if (sameName(name, h.name)) {
        value = h.value;
        return;
      }
    }
    merged.emplace_back(h.name, h.value);
  };
  for (const CustomHeader& h : profile.monitor.customHeaders) {
    put(h);
  }
  for (const CustomHeader& h : endpoint.customHeaders) {
    put(h);
  }
  std::vector<std::pair<std::string, std::string>> out;
  std::string host = hostValue(endpoint.target);
  for (auto& [name, value] : merged) {
    if (sameName(name, "Host")) {
      host = value;
    }
  }
  out.emplace_back("Host", host);
  for (auto& [name, value] : merged) {
    if (!sameName(name, "Host")) {
      out.emplace_back(std::move(name), std::move(value));
    }
  }
  return out;
}

}  // namespace

probes::ProbePlan buildProbePlan(const Config& config, uint64_t generation) {
  probes::ProbePlan plan;
  plan.generation = generation;
  routing::EndpointId next = 0;
  for (const Zone& zone : config.zones) {
    for (const Profile& profile : zone.profiles) {
      for (const Endpoint& endpoint : profile.endpoints) {
        const routing::EndpointId id = next++;
        // Disabled endpoints and inactive profiles are not probed (§4.4); nested endpoints take
        // their health from the child profile and alwaysServe ones are Unmonitored (§2.10).
        if (!config.probes.enabled || !profile.enabled || !endpoint.enabled ||
            endpoint.type == EndpointType::kNested || endpoint.alwaysServe ||
            endpoint.target.empty()) {
          continue;
        }
        const MonitorConfig& monitor = profile.monitor;
        probes::ProbeSpec spec;
        spec.endpoint = id;
        spec.zoneName = zone.name;
        spec.profileName = profile.name;
        spec.endpointName = endpoint.name;
        spec.protocol = toProtocol(monitor.protocol);
        spec.target = endpoint.target;
        spec.port = monitor.port;
        spec.intervalSeconds = monitor.intervalInSeconds;
        spec.timeoutSeconds = monitor.timeoutInSeconds;
        spec.toleratedFailures = monitor.toleratedNumberOfFailures;
        if (spec.protocol == probes::Protocol::kTcp) {
          // §4.1: a TCP probe sends nothing; path, headers and status ranges do not apply.
          spec.path.clear();
        } else {
          spec.path = monitor.path.empty() ? "/" : monitor.path;
          spec.headers = probeHeaders(profile, endpoint);
          for (const StatusCodeRange& range : monitor.expectedStatusCodeRanges) {
            spec.expectedStatus.emplace_back(range.min, range.max);
          }
          spec.verifyTls = spec.protocol == probes::Protocol::kHttps && monitor.verifyTls;
        }
        plan.probes.push_back(std::move(spec));
      }
    }
  }
  plan.endpointCount = next;
  return plan;
}

}  // namespace tmdns::config
