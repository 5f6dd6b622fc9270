// The compiled, immutable routing data of one configuration: profiles, endpoints, policies.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace tmdns::geo {
class Locator;
class LatencyTable;
}  // namespace tmdns::geo

namespace tmdns::routing {

class Policy;

using EndpointId = uint32_t;
using ProfileId = uint32_t;
inline constexpr uint32_t kNone = UINT32_MAX;
inline constexpr uint16_t kNoRegion = UINT16_MAX;
// §6: at most 200 endpoints per profile. The query path sizes its per-profile scratch arrays by
// it; makePolicy rejects a profile with more.
inline constexpr uint32_t kMaxProfileEndpoints = 200;

enum class Method : uint8_t {
  kPriority,
  kWeighted,
  kPerformance,
  kGeographic,
  kMultiValue,
  kSubnet,
};

// What an endpoint's target is, which decides the record it yields (§3.2).
enum class TargetKind : uint8_t {
  kName,    // FQDN target: answered as CNAME
  kIPv4,    // A
  kIPv6,    // AAAA
  kNested,  // a child profile: routing descends into it, the leaf is answered
};

struct Endpoint {
  ProfileId profile = kNone;  // owner
  TargetKind kind = TargetKind::kName;
  bool enabled = true;       // endpointStatus
  bool alwaysServe = false;  // §2.10: never probed, always eligible when enabled
  uint16_t weight = 1;       // 1..1000
  uint16_t priority = 1;     // 1..1000, unique per profile
  ProfileId child = kNone;   // kNested only
  uint16_t minChild = 1;     // §2.9
  uint16_t minChildV4 = 0;   // 0 = not set
  uint16_t minChildV6 = 0;
  uint16_t region = kNoRegion;  // Performance: geo::RegionId, index into geo::azureRegions()
  // kNested only: where this endpoint's precomputed child rollup sits in a HealthTable
  // (health_table.h); set by assignRollupSlots(). kNone: recomputed on every query.
  uint32_t rollupSlot = kNone;
};

struct Profile {
  Method method = Method::kPriority;
  bool enabled = true;  // profileStatus
  uint32_t ttl = 30;
  uint16_t maxReturn = 0;          // MultiValue only
  EndpointId firstEndpoint = 0;    // a profile's endpoints are contiguous in Table::endpoints,
  uint32_t endpointCount = 0;      // in configuration order
  const Policy* policy = nullptr;  // owned by Table::policies
};

struct Table {
  std::vector<Profile> profiles;
  std::vector<Endpoint> endpoints;
  std::vector<std::unique_ptr<const Policy>> policies;
  // Where clients are (§2.4, §2.5) and how far they are from each region (§2.4): loaded with
  // the configuration, immutable, shared by every snapshot compiled from it. Null when the
  // configuration names none. Kept here rather than in Context so that whoever builds a
  // Context (the DNS handler, nested descent) passes them along without knowing of them.
  std::shared_ptr<const geo::Locator> geo;
  std::shared_ptr<const geo::LatencyTable> latency;
  // How many nested endpoints have a rollupSlot: slots are 0..nestedCount-1.
  uint32_t nestedCount = 0;

  Table();
  ~Table();
  Table(Table&&) noexcept;
  Table& operator=(Table&&) noexcept;
};

// Numbers the nested endpoints 0, 1, ... in EndpointId order (Endpoint::rollupSlot) so that a
// HealthTable can hold their rollups in a dense array. Whoever builds a Table calls it once,
// after the endpoints are in place.
void assignRollupSlots(Table& table) noexcept;

}  // namespace tmdns::routing
