// The latency table for Performance routing (§2.4): client network → RTT per Azure region.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "geo/address.h"
#include "geo/azure_regions.h"
#include "geo/range_table.h"

namespace tmdns::geo {

struct RegionLatency {
  RegionId region = kNoRegionId;
  float rttMs = 0;
};

// The regions measured from one client network, nearest first (ties by region id).
struct LatencyRow {
  const RegionLatency* begin = nullptr;
  const RegionLatency* end = nullptr;
  bool found = false;  // the address is in a network of the table
  // Length of the network the row holds for (or of the unlisted block around the address):
  // RFC 7871 §7.2.1 SCOPE.
  uint8_t prefix = 0;
};

// Immutable after loading; find() is noexcept, allocation-free and lock-free.
class LatencyTable {
 public:
  LatencyTable(RangeTable networks, std::vector<uint32_t> rowStarts,
               std::vector<RegionLatency> entries);

  LatencyRow find(const Address& address) const noexcept;
  size_t networkCount() const noexcept { return rowStarts_.empty() ? 0 : rowStarts_.size() - 1; }

 private:
  RangeTable networks_;              // network → row index
  std::vector<uint32_t> rowStarts_;  // row i is entries_[rowStarts_[i], rowStarts_[i + 1])
  std::vector<RegionLatency> entries_;
};

// A CSV file of `network,region,rtt_ms` lines: the client network in CIDR form, an Azure region
// as endpointLocation names it ("West Europe" or "westeurope"), the round-trip time in
// milliseconds. One line per (network, region); blank lines, `#` comments and a header line
// starting with "network" are skipped. A network nested in another replaces it entirely for
// its addresses (most specific wins). nullptr with `error` ("file:line: message") on any problem.
std::shared_ptr<const LatencyTable> loadLatencyCsv(const std::string& path, std::string& error);
std::shared_ptr<const LatencyTable> parseLatencyCsv(std::istream& in, std::string_view name,
                                                    std::string& error);

}  // namespace tmdns::geo
