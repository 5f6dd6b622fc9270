// Out-of-line special members of Table (Policy is complete here) and rollup slot numbering.
#include "routing/table.h"

#include "routing/policy.h"

namespace tmdns::routing {

Table::Table() = default;
Table::~Table() = default;
Table::Table(Table&&) noexcept = default;
Table& Table::operator=(Table&&) noexcept = default;

void assignRollupSlots(Table& table) noexcept {
  uint32_t next = 0;
  for (Endpoint& endpoint : table.endpoints) {
    endpoint.rollupSlot = endpoint.kind == TargetKind::kNested ? next++ : kNone;
  }
  table.nestedCount = next;
}

}  // namespace tmdns::routing
