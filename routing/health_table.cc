// Builds the nested rollups a published HealthTable carries for the snapshot it is served with.
#include "routing/health_table.h"

#include "routing/router.h"

namespace tmdns::routing {

std::shared_ptr<const HealthTable> withNestedRollups(const Table& table,
                                                     std::shared_ptr<const HealthTable> health) {
  if (health == nullptr || table.nestedCount == 0) {
    return health;
  }
  auto out = std::make_shared<HealthTable>();
  out->status = health->status;
  out->rollups = computeNestedRollups(table, HealthView(out->status.data(), out->status.size()));
  out->rollupTable = &table;
  return out;
}

}  // namespace tmdns::routing
