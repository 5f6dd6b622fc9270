// Latency CSV loading and the compiled network → per-region RTT lookup.
#include "geo/latency_table.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <tuple>

#include "geo/csv.h"

namespace tmdns::geo {

LatencyTable::LatencyTable(RangeTable networks, std::vector<uint32_t> rowStarts,
                           std::vector<RegionLatency> entries)
    : networks_(std::move(networks)),
      rowStarts_(std::move(rowStarts)),
      entries_(std::move(entries)) {}

LatencyRow LatencyTable::find(const Address& address) const noexcept {
  const RangeMatch match = networks_.find(address);
  LatencyRow row;
  row.prefix = match.prefix;
  if (match.value != kNoValue && match.value + 1 < rowStarts_.size()) {
    row.found = true;
    row.begin = entries_.data() + rowStarts_[match.value];
    row.end = entries_.data() + rowStarts_[match.value + 1];
  }
  return row;
}

std::shared_ptr<const LatencyTable> parseLatencyCsv(std::istream& in, std::string_view name,
                                                    std::string& error) {
  const std::string where = std::string(name) + ":";
  struct Row {
    AddressRange network;
    uint32_t line;
    std::vector<RegionLatency> regions;
    std::vector<uint32_t> lines;  // where each region was given, for duplicate messages
  };
  std::vector<Row> rows;
  std::map<std::tuple<bool, Uint128, Uint128>, uint32_t> rowOf;
  for (const CsvLine& line : readCsv(in, "network")) {
    const std::string at = where + std::to_string(line.number) + ": ";
    if (line.fields.size() != 3) {
      error = at + "expected network,region,rtt_ms, got " + std::to_string(line.fields.size()) +
              " fields";
      return nullptr;
    }
    std::string problem;
    const std::optional<AddressRange> network = parseNetwork(line.fields[0], problem);
    if (!network) {
      error = at + problem;
      return nullptr;
    }
    const RegionId region = findRegion(line.fields[1]);
    if (region == kNoRegionId) {
      error = at + "unknown Azure region \"" + line.fields[1] + "\" (did you mean \"" +
              closestRegionName(line.fields[1]) + "\"?)";
      return nullptr;
    }
    const std::optional<double> rtt = parseDecimal(line.fields[2]);
    if (!rtt || *rtt < 0) {
      error = at + "\"" + line.fields[2] + "\" is not a round-trip time in milliseconds";
      return nullptr;
    }
    const auto key = std::make_tuple(network->v6, network->first, network->last);
    const auto [it, inserted] = rowOf.emplace(key, static_cast<uint32_t>(rows.size()));
    if (inserted) {
      rows.push_back(Row{*network, static_cast<uint32_t>(line.number), {}, {}});
    }
    Row& row = rows[it->second];
    for (size_t i = 0; i < row.regions.size(); ++i) {
      if (row.regions[i].region == region) {
        error = at + "\"" + line.fields[1] + "\" is already given for this network on line " +
                std::to_string(row.lines[i]);
        return nullptr;
      }
    }
    row.regions.push_back(RegionLatency{region, static_cast<float>(*rtt)});
    row.lines.push_back(static_cast<uint32_t>(line.number));
  }
  RangeTableBuilder builder;
  std::vector<uint32_t> rowStarts;
  std::vector<RegionLatency> entries;
  for (uint32_t i = 0; i < rows.size(); ++i) {
    Row& row = rows[i];
    // §2.4: the query path walks a row nearest first and stops at the first usable region.
    std::sort(row.regions.begin(), row.regions.end(),
              [](const RegionLatency& a, const RegionLatency& b) {
                return a.rttMs != b.rttMs ? a.rttMs < b.rttMs : a.region < b.region;
              });
    rowStarts.push_back(static_cast<uint32_t>(entries.size()));
    entries.insert(entries.end(), row.regions.begin(), row.regions.end());
    builder.add(row.network, i, row.line);
  }
  rowStarts.push_back(static_cast<uint32_t>(entries.size()));
  RangeTableBuilder::Conflict conflict;
  std::optional<RangeTable> networks =
      builder.build(RangeTableBuilder::Overlap::kMostSpecific, conflict);
  if (!networks) {
    // Rows are per distinct network and CIDR blocks nest, so this cannot happen; report anyway.
    error = where + std::to_string(conflict.tagB) + ": network conflicts with line " +
            std::to_string(conflict.tagA);
    return nullptr;
  }
  return std::make_shared<LatencyTable>(std::move(*networks), std::move(rowStarts),
                                        std::move(entries));
}

std::shared_ptr<const LatencyTable> loadLatencyCsv(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot be read: " + std::strerror(errno);
    return nullptr;
  }
  return parseLatencyCsv(in, path, error);
}

}  // namespace tmdns::geo
