// The one interface every routing method implements, and what it is given and returns.
#pragma once

#include <cstddef>
#include <cstdint>

#include "routing/monitor_status.h"
#include "routing/table.h"
#include "util/rng.h"

namespace tmdns::routing {

// Which address family the query asks for. MultiValue filters on it (§2.6); nested rollup
// counts minChildEndpointsIPv4/IPv6 by it (§2.9). Everything else selects first (§3.2).
enum class Family : uint8_t { kAny, kV4, kV6, kOther };

// Where the client is: the ECS prefix when the query carried one (RFC 7871), else the
// source address with a full-length prefix.
struct ClientInfo {
  uint8_t family = 0;        // 4, 6, or 0 when unknown
  uint8_t sourcePrefix = 0;  // significant bits of addr
  bool fromEcs = false;
  uint8_t addr[16] = {};  // network byte order; IPv4 in the first 4 bytes
};

struct Request {
  ClientInfo client;
  Family family = Family::kAny;
};

// Read-only health, as the probes published it, indexed by EndpointId. Endpoints outside
// the published range (or with no publisher at all) are CheckingEndpoint: served (§2.1).
class HealthView {
 public:
  HealthView() = default;
  HealthView(const MonitorStatus* status, size_t count) : status_(status), count_(count) {}
  MonitorStatus probed(EndpointId id) const noexcept {
    return id < count_ ? status_[id] : MonitorStatus::kCheckingEndpoint;
  }

 private:
  const MonitorStatus* status_ = nullptr;
  size_t count_ = 0;
};

// MultiValue's maxReturn is 1..8 in Azure's control plane, 10 per the FAQ (§2.6); leave room.
inline constexpr int kMaxSelected = 16;

struct Selection {
  enum class Outcome : uint8_t { kAnswer, kNoData, kNxDomain };
  Outcome outcome = Outcome::kNxDomain;
  uint8_t count = 0;
  // RFC 7871 §7.2.1 SCOPE PREFIX-LENGTH: 0 when the answer does not depend on the client.
  uint8_t ecsScope = 0;
  EndpointId endpoints[kMaxSelected] = {};  // leaf endpoints (never kNested)

  void add(EndpointId id) noexcept {
    if (count < kMaxSelected) {
      endpoints[count++] = id;
    }
    outcome = Outcome::kAnswer;
  }
};

struct Context {
  const Table& table;
  HealthView health;
  const Request& request;
  util::Rng& rng;
  uint8_t depth = 0;  // nesting depth, bounded by kMaxNestingDepth
};

inline constexpr uint8_t kMaxNestingDepth = 10;  // §1.5

class Policy {
 public:
  virtual ~Policy() = default;
  // Fills `out` for `profile` (already known to be enabled with at least one enabled endpoint).
  // Contract: noexcept, no allocation, no locks; `out.endpoints` holds leaf endpoints only.
  virtual void select(const Context& ctx, const Profile& profile,
                      Selection& out) const noexcept = 0;
};

}  // namespace tmdns::routing
