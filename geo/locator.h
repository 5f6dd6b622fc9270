// Where an address is: the geolocation database interface (MMDB and CSV backends) (§2.4, §2.5).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "geo/address.h"
#include "geo/geo_codes.h"

namespace tmdns::geo {

// One lookup's answer, resolved to ids when the database was loaded.
struct Location {
  GeoCodeId country = kNoGeoCode;      // a country of §2.5's table, or kNoGeoCode
  GeoCodeId subdivision = kNoGeoCode;  // a state/province of §2.5's table (AU, CA, US only)
  bool found = false;           // the database knows the address (its country may be unlisted)
  bool hasCoordinates = false;  // city-level databases and CSV rows with coordinates
  float latitude = 0;
  float longitude = 0;
  // Length of the network the answer holds for (in the address's family): the database's
  // network when found, else the unmapped block around the address. RFC 7871 §7.2.1 SCOPE.
  uint8_t prefix = 0;
};

// Immutable after loading; locate() is noexcept, allocation-free, lock-free and string-free.
class Locator {
 public:
  virtual ~Locator() = default;
  virtual Location locate(const Address& address) const noexcept = 0;
  // How many distinct locations the database holds; for tests and start-up logs.
  virtual size_t locationCount() const noexcept = 0;
};

// A MaxMind DB file (GeoLite2/GeoIP2 or DB-IP, city or country level): country.iso_code (else
// registered_country.iso_code), subdivisions[0].iso_code, location.latitude/longitude. The
// whole file is read into memory tables at load and closed. IPv6 spellings of IPv4 addresses
// (::/96 and the database's aliases such as ::ffff:0:0/96, 2002::/16) are not followed.
// nullptr with `error` set when the file cannot be opened or is not a usable MMDB.
std::shared_ptr<const Locator> loadMmdbLocator(const std::string& path, std::string& error);

// A CSV file of `network,country[,subdivision[,latitude,longitude]]` lines: the network in CIDR
// form (a bare address is a full-length prefix), the ISO 3166-1 alpha-2 country, the ISO 3166-2
// subdivision without the country prefix ("100.64.0.0/24,US,CA" is California), optional
// coordinates in degrees. Blank lines, `#` comments and a header line starting with "network"
// are skipped. Nested networks are allowed (the most specific wins); the same network twice with
// different data is an error. nullptr with `error` set ("file:line: message") on any problem.
std::shared_ptr<const Locator> loadCsvLocator(const std::string& path, std::string& error);
std::shared_ptr<const Locator> parseCsvLocator(std::istream& in, std::string_view name,
                                               std::string& error);

}  // namespace tmdns::geo
