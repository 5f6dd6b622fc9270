// The CSV geolocation backend: network → location lines compiled into a RangeTable.
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <tuple>
#include <vector>

#include "geo/csv.h"
#include "geo/locator.h"
#include "geo/range_table.h"
#include "geo/table_locator.h"

namespace tmdns::geo {
namespace {

bool isAlpha(std::string_view text) {
  for (const char c : text) {
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool isAlnum(std::string_view text) {
  for (const char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Reads one line into `out`; "" when it is fine, else what is wrong with it.
std::string parseLine(const CsvLine& line, AddressRange& network, Location& out) {
  const std::vector<std::string>& f = line.fields;
  if (f.size() != 2 && f.size() != 3 && f.size() != 5) {
    return "expected network,country[,subdivision[,latitude,longitude]], got " +
           std::to_string(f.size()) + " fields";
  }
  std::string error;
  const std::optional<AddressRange> parsed = parseNetwork(f[0], error);
  if (!parsed) {
    return error;
  }
  network = *parsed;
  if (f[1].size() != 2 || !isAlpha(f[1])) {
    return "\"" + f[1] + "\" is not an ISO 3166-1 alpha-2 country code";
  }
  out = Location{};
  out.found = true;
  // A country outside Azure's hierarchy is still located (only WORLD maps it, §2.5).
  out.country = countryCodeId(f[1]);
  if (f.size() >= 3 && !f[2].empty()) {
    if (f[2].size() > 3 || !isAlnum(f[2])) {
      return "\"" + f[2] +
             "\" is not an ISO 3166-2 subdivision code without the country (\"CA\" "
             "for US-CA)";
    }
    // §2.5 lists states for AU, CA and US only; other subdivisions locate at country level.
    out.subdivision = subdivisionCodeId(out.country, f[2]);
  }
  if (f.size() == 5) {
    const std::optional<double> lat = parseDecimal(f[3]);
    const std::optional<double> lon = parseDecimal(f[4]);
    if (!lat || *lat < -90 || *lat > 90) {
      return "\"" + f[3] + "\" is not a latitude in -90..90";
    }
    if (!lon || *lon < -180 || *lon > 180) {
      return "\"" + f[4] + "\" is not a longitude in -180..180";
    }
    out.hasCoordinates = true;
    out.latitude = static_cast<float>(*lat);
    out.longitude = static_cast<float>(*lon);
  }
  return "";
}

}  // namespace

std::shared_ptr<const Locator> parseCsvLocator(std::istream& in, std::string_view name,
                                               std::string& error) {
  const std::string prefix = std::string(name) + ":";
  std::vector<Location> locations;
  std::map<std::tuple<GeoCodeId, GeoCodeId, bool, float, float>, uint32_t> ids;
  RangeTableBuilder builder;
  for (const CsvLine& line : readCsv(in, "network")) {
    AddressRange network;
    Location location;
    const std::string problem = parseLine(line, network, location);
    if (!problem.empty()) {
      error = prefix + std::to_string(line.number) + ": " + problem;
      return nullptr;
    }
    const auto key =
        std::make_tuple(location.country, location.subdivision, location.hasCoordinates,
                        location.latitude, location.longitude);
    const auto [it, inserted] = ids.emplace(key, static_cast<uint32_t>(locations.size()));
    if (inserted) {
      locations.push_back(location);
    }
    builder.add(network, it->second, static_cast<uint32_t>(line.number));
  }
  RangeTableBuilder::Conflict conflict;
  std::optional<RangeTable> table =
      builder.build(RangeTableBuilder::Overlap::kMostSpecific, conflict);
  if (!table) {
    error = prefix + std::to_string(conflict.tagB) + ": the same network as line " +
            std::to_string(conflict.tagA) + " with different data";
    return nullptr;
  }
  return std::make_shared<TableLocator>(std::move(*table), std::move(locations));
}

std::shared_ptr<const Locator> loadCsvLocator(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot be read: " + std::strerror(errno);
    return nullptr;
  }
  return parseCsvLocator(in, path, error);
}

}  // namespace tmdns::geo
