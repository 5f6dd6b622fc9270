// Endpoint and profile monitor states as Traffic Manager names them (traffic-manager.md §4.4-4.5).
#pragma once

#include <cstdint>
#include <string_view>

namespace tmdns::routing {

// Endpoint monitor status (§4.4). The numeric values are stable: they index metric arrays.
enum class MonitorStatus : uint8_t {
  kCheckingEndpoint = 0,  // enabled, no probe result yet: served (§2.1)
  kOnline = 1,            // last probe succeeded: served
  kDegraded = 2,          // failures exceeded the tolerance: not served except fail-open
  kDisabled = 3,          // endpointStatus Disabled: never served, never probed
  kInactive = 4,          // the profile is disabled
  kStopped = 5,           // nested child disabled/inactive: never served
  kUnmonitored = 6,       // alwaysServe: always served, never probed
};
inline constexpr int kMonitorStatusCount = 7;

// Profile monitor status (§4.5).
enum class ProfileMonitorStatus : uint8_t {
  kCheckingEndpoints = 0,
  kOnline = 1,
  kDegraded = 2,
  kDisabled = 3,
  kInactive = 4,
};

constexpr std::string_view toString(MonitorStatus s) {
  switch (s) {
    case MonitorStatus::kCheckingEndpoint:
      return "CheckingEndpoint";
    case MonitorStatus::kOnline:
      return "Online";
    case MonitorStatus::kDegraded:
      return "Degraded";
    case MonitorStatus::kDisabled:
      return "Disabled";
    case MonitorStatus::kInactive:
      return "Inactive";
    case MonitorStatus::kStopped:
      return "Stopped";
    case MonitorStatus::kUnmonitored:
      return "Unmonitored";
  }
  return "Unknown";
}

constexpr std::string_view toString(ProfileMonitorStatus s) {
  switch (s) {
    case ProfileMonitorStatus::kCheckingEndpoints:
      return "CheckingEndpoints";
    case ProfileMonitorStatus::kOnline:
      return "Online";
    case ProfileMonitorStatus::kDegraded:
      return "Degraded";
    case ProfileMonitorStatus::kDisabled:
      return "Disabled";
    case ProfileMonitorStatus::kInactive:
      return "Inactive";
  }
  return "Unknown";
}

// Served as a candidate (§2.1): Online, CheckingEndpoint and Unmonitored.
constexpr bool isServable(MonitorStatus s) {
  return s == MonitorStatus::kOnline || s == MonitorStatus::kCheckingEndpoint ||
         s == MonitorStatus::kUnmonitored;
}

}  // namespace tmdns::routing
