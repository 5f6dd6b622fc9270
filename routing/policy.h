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

inline constexpr uint8_t kMaxNestingDepth = 10;  // §1.5

// The rollup of one nested endpoint (§2.9) for every nesting depth its profile can be routed at
// and every way a query's family counts child endpoints. Routing a child deeper than
// kMaxNestingDepth is Stopped, so depths past the array need no entry.
struct NestedRollup {
  // Family::kAny and kOther count every child endpoint; kV4 and kV6 may use their own minimum.
  static constexpr int kFamilyClasses = 3;
  static constexpr int familyClass(Family family) noexcept {
    return family == Family::kV4 ? 1 : family == Family::kV6 ? 2 : 0;
  }
  MonitorStatus status[kMaxNestingDepth][kFamilyClasses];

  MonitorStatus at(uint8_t depth, Family family) const noexcept {
    return depth < kMaxNestingDepth ? status[depth][familyClass(family)] : MonitorStatus::kStopped;
  }
};

// Read-only health, as the probes published it, indexed by EndpointId. Endpoints outside
// the published range (or with no publisher at all) are CheckingEndpoint: served (§2.1).
// May also carry the nested rollups precomputed from that health for one Table, indexed by
// Endpoint::rollupSlot; without them (or for another table) routing recomputes them per query.
class HealthView {
 public:
  HealthView() = default;
  HealthView(const MonitorStatus* status, size_t count) : status_(status), count_(count) {}
  HealthView(const MonitorStatus* status, size_t count, const Table* rollupTable,
             const NestedRollup* rollups, size_t rollupCount)
      : status_(status),
        count_(count),
        rollupTable_(rollupTable),
        rollups_(rollups),
        rollupCount_(rollupCount) {}
  MonitorStatus probed(EndpointId id) const noexcept {
    return id < count_ ? status_[id] : MonitorStatus::kCheckingEndpoint;
  }
  const MonitorStatus* statusData() const noexcept { return status_; }
  size_t statusCount() const noexcept { return count_; }
  // The precomputed rollup of the nested endpoint with `slot` in `table`, or null.
  const NestedRollup* rollup(const Table& table, uint32_t slot) const noexcept {
    return &table == rollupTable_ && slot < rollupCount_ ? &rollups_[slot] : nullptr;
  }

 private:
  const MonitorStatus* status_ = nullptr;
  size_t count_ = 0;
  const Table* rollupTable_ = nullptr;
  const NestedRollup* rollups_ = nullptr;
  size_t rollupCount_ = 0;
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

class Policy {
 public:
  virtual ~Policy() = default;
  // Fills `out` for `profile` (already known to be enabled with at least one enabled endpoint).
  // Contract: noexcept, no allocation, no locks; `out.endpoints` holds leaf endpoints only.
  virtual void select(const Context& ctx, const Profile& profile,
                      Selection& out) const noexcept = 0;
};

}  // namespace tmdns::routing
