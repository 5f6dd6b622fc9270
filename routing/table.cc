// Out-of-line special members of Table (Policy is complete here).
#include "routing/table.h"

#include "routing/policy.h"

namespace tmdns::routing {

Table::Table() = default;
Table::~Table() = default;
Table::Table(Table&&) noexcept = default;
Table& Table::operator=(Table&&) noexcept = default;

}  // namespace tmdns::routing
