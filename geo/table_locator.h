// The one Locator implementation: a RangeTable from networks to indexes into a location list.
#pragma once

#include <utility>
#include <vector>

#include "geo/locator.h"
#include "geo/range_table.h"

namespace tmdns::geo {

// Both backends (CSV and MMDB) compile their data into this at load, so a lookup is one binary
// search whatever the source: MMDB lookups never touch libmaxminddb, whose record decoding walks
// maps with string keys and whose tree walk costs a dependent memory access per bit.
class TableLocator final : public Locator {
 public:
  TableLocator(RangeTable table, std::vector<Location> locations)
      : table_(std::move(table)), locations_(std::move(locations)) {}

  Location locate(const Address& address) const noexcept override {
    const RangeMatch match = table_.find(address);
    Location out = match.value < locations_.size() ? locations_[match.value] : Location{};
    out.prefix = match.prefix;
    return out;
  }

  size_t locationCount() const noexcept override { return locations_.size(); }

 private:
  RangeTable table_;
  std::vector<Location> locations_;  // indexed by the table's values
};

}  // namespace tmdns::geo
