// Geographic routing (§2.5): subnet override, then a walk up the code hierarchy; no failover.
#include "routing/geographic.h"

#include "geo/locator.h"
#include "routing/client.h"
#include "routing/router.h"

namespace tmdns::routing {

static_assert(kMaxProfileEndpoints < GeographicPolicy::kUnmapped,
              "mapping_ holds profile indexes in uint8_t");

void GeographicPolicy::select(const Context& ctx, const Profile& profile,
                              Selection& out) const noexcept {
  const ClientInfo& client = ctx.request.client;
  // §2.5, §3.5: nothing mapped up to WORLD, or the match is Stopped => NODATA.
  out.outcome = Selection::Outcome::kNoData;

  // §2.8: a matching override wins regardless of the endpoint's health. A Disabled owner does
  // not exist (as its geo codes do not), so the normal method decides.
  if (!overrides_.empty()) {
    const SubnetMap::Match match = overrides_.find(client);
    widenScope(client, out, match.prefix);
    if (match.index != kNone) {
      const EndpointId id = profile.firstEndpoint + match.index;
      const MonitorStatus status = effectiveStatus(ctx, id);
      if (status == MonitorStatus::kStopped) {
        return;  // as a Stopped geographic match: fail closed (§2.5)
      }
      if (status != MonitorStatus::kDisabled) {
        addEndpoint(ctx, id, out);
        return;
      }
    }
  }

  // §2.5: start at the most specific level the address resolves to (state where the hierarchy
  // has states, else country). A client the database cannot place, or whose country Azure's
  // hierarchy does not list, is only known to be somewhere in the WORLD.
  geo::GeoCodeId code = geo::kWorldCode;
  geo::Address address;
  if (ctx.table.geo != nullptr && clientAddress(client, address)) {
    const geo::Location location = ctx.table.geo->locate(address);
    widenScope(client, out, location.prefix);
    if (location.subdivision != geo::kNoGeoCode) {
      code = location.subdivision;
    } else if (location.country != geo::kNoGeoCode) {
      code = location.country;
    }
  }
  for (; code != geo::kNoGeoCode; code = geo::parentOf(code)) {
    const uint8_t index = code < mapping_.size() ? mapping_[code] : kUnmapped;
    if (index == kUnmapped) {
      continue;
    }
    const EndpointId id = profile.firstEndpoint + index;
    const MonitorStatus status = effectiveStatus(ctx, id);
    // §2.5: Disabled endpoints are removed before matching: walk on upwards.
    if (status == MonitorStatus::kDisabled) {
      continue;
    }
    // §2.5: a Stopped match (incl. a nested endpoint whose child is Disabled/Inactive) answers
    // NODATA without walking further; any other status, Degraded included, is served.
    if (status != MonitorStatus::kStopped) {
      addEndpoint(ctx, id, out);
    }
    return;
  }
}

}  // namespace tmdns::routing
