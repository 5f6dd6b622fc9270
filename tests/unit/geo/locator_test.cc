// Unit tests for the geolocation backends: CSV and MMDB (built here with MaxMind::DB::Writer).
#include "geo/locator.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "geo_test_support.h"

namespace tmdns::geo {
namespace {

using testing::TempDir;

// The same data for every backend. 198.51.100.128/25 is nested in the IE /24 and wins there;
// JP's subdivision and DE's state are not in §2.5's table (country level); ZZ is no country
// Azure lists (located, but only WORLD applies).
constexpr char kCsv[] =
    "network,country,subdivision,latitude,longitude\n"
    "# comments and blank lines are skipped\n"
    "\n"
    "100.64.0.0/24,US,CA,37.77,-122.42\n"
    "100.64.1.0/24,US,,39.0,-77.5\n"
    "198.51.100.0/24,IE,,53.35,-6.26\n"
    "198.51.100.128/25,FR\n"
    "203.0.113.0/24,JP,13,35.68,139.77\n"
    "192.0.2.0/24,ZZ\n"
    "2001:db8:1::/48,DE,BY,50.1,8.7\n"
    "2001:db8:2::/48, au , nsw ,-33.86,151.21\n";

struct Expect {
  std::string address;
  bool found;
  std::string country;      // "" = kNoGeoCode
  std::string subdivision;  // "" = kNoGeoCode
  bool hasCoordinates;
  int prefix;
};

const std::vector<Expect> kV4Expectations = {
    {"100.64.0.7", true, "US", "US-CA", true, 24},
    {"100.64.1.200", true, "US", "", true, 24},
    {"198.51.100.7", true, "IE", "", true, 25},
    {"198.51.100.200", true, "FR", "", false, 25},
    {"203.0.113.9", true, "JP", "", true, 24},
    {"192.0.2.1", true, "", "", false, 24},
    // Not in the database: the scope is the empty block around the address.
    {"8.8.8.8", false, "", "", false, 2},
    {"100.64.2.1", false, "", "", false, 23},
};

const std::vector<Expect> kV6Expectations = {
    {"2001:db8:1::5", true, "DE", "", true, 48},
    {"2001:db8:2:ffff::1", true, "AU", "AU-NSW", true, 48},
    {"2001:db8:3::", false, "", "", false, 48},
};

std::string codeName(GeoCodeId id) {
  return id == kNoGeoCode ? "" : std::string(geoCodes()[id].code);
}

void expectLocations(const Locator& locator, const std::vector<Expect>& expectations) {
  for (const Expect& e : expectations) {
    SCOPED_TRACE(e.address);
    const Location l = locator.locate(*parseAddress(e.address));
    EXPECT_EQ(l.found, e.found);
    EXPECT_EQ(codeName(l.country), e.country);
    EXPECT_EQ(codeName(l.subdivision), e.subdivision);
    EXPECT_EQ(l.hasCoordinates, e.hasCoordinates);
    EXPECT_EQ(l.prefix, e.prefix);
  }
}

TEST(CsvLocator, Locates) {
  std::istringstream in(kCsv);
  std::string error;
  const auto locator = parseCsvLocator(in, "geo.csv", error);
  ASSERT_NE(locator, nullptr) << error;
  expectLocations(*locator, kV4Expectations);
  expectLocations(*locator, kV6Expectations);
  EXPECT_EQ(locator->locationCount(), 8u);
  const Location sf = locator->locate(*parseAddress("100.64.0.1"));
  EXPECT_FLOAT_EQ(sf.latitude, 37.77f);
  EXPECT_FLOAT_EQ(sf.longitude, -122.42f);
}

TEST(CsvLocator, LoadsFromAFile) {
  TempDir dir;
  std::string error;
  const auto locator = loadCsvLocator(dir.write("geo.csv", kCsv), error);
  ASSERT_NE(locator, nullptr) << error;
  expectLocations(*locator, kV4Expectations);
  EXPECT_EQ(loadCsvLocator(dir.file("missing.csv"), error), nullptr);
  EXPECT_EQ(error, dir.file("missing.csv") + ": cannot be read: No such file or directory");
}

struct BadCsv {
  std::string text;
  std::string error;
};

TEST(CsvLocator, ReportsTheLineOfEveryProblem) {
  const std::vector<BadCsv> cases = {
      {"100.64.0.1/24,US\n",
       "g.csv:1: \"100.64.0.1/24\" has host bits set; the network is 100.64.0.0/24"},
      {"# header-less\n100.64.0.0/24,USA\n",
       "g.csv:2: \"USA\" is not an ISO 3166-1 alpha-2 country code"},
      {"100.64.0.0/24,U1\n", "g.csv:1: \"U1\" is not an ISO 3166-1 alpha-2 country code"},
      {"100.64.0.0/24\n",
       "g.csv:1: expected network,country[,subdivision[,latitude,longitude]], got 1 fields"},
      {"100.64.0.0/24,US,CA,37\n",
       "g.csv:1: expected network,country[,subdivision[,latitude,longitude]], got 4 fields"},
      {"100.64.0.0/24,US,California\n",
       "g.csv:1: \"California\" is not an ISO 3166-2 subdivision code without the country "
       "(\"CA\" for US-CA)"},
      {"100.64.0.0/24,US,CA,91,0\n", "g.csv:1: \"91\" is not a latitude in -90..90"},
      {"100.64.0.0/24,US,CA,0,east\n", "g.csv:1: \"east\" is not a longitude in -180..180"},
      {"100.64.0.0/24,US\n\n100.64.0.0/24,CA\n",
       "g.csv:3: the same network as line 1 with different data"},
      {"nonsense,US\n", "g.csv:1: \"nonsense\" is not an IPv4 or IPv6 address"},
  };
  for (const BadCsv& c : cases) {
    SCOPED_TRACE(c.text);
    std::istringstream in(c.text);
    std::string error;
    EXPECT_EQ(parseCsvLocator(in, "g.csv", error), nullptr);
    EXPECT_EQ(error, c.error);
  }
}

TEST(CsvLocator, RepeatedIdenticalLinesAreFine) {
  std::istringstream in("100.64.0.0/24,US,CA\n100.64.0.0/24,us,ca\n");
  std::string error;
  const auto locator = parseCsvLocator(in, "g.csv", error);
  ASSERT_NE(locator, nullptr) << error;
  EXPECT_EQ(locator->locationCount(), 1u);
}

TEST(MmdbLocator, LocatesLikeTheCsvInAnIpv6Database) {
  TempDir dir;
  const std::string path = testing::writeMmdb(dir, "city.mmdb", kCsv, 6);
  std::string error;
  const auto locator = loadMmdbLocator(path, error);
  ASSERT_NE(locator, nullptr) << error;
  // IPv4 answers carry IPv4 prefix lengths although IPv4 lives under ::/96 in the tree.
  expectLocations(*locator, kV4Expectations);
  expectLocations(*locator, kV6Expectations);
  EXPECT_EQ(locator->locationCount(), 8u);
  const Location sf = locator->locate(*parseAddress("100.64.0.1"));
  EXPECT_FLOAT_EQ(sf.latitude, 37.77f);
  EXPECT_FLOAT_EQ(sf.longitude, -122.42f);
  // IPv6 spellings of IPv4 addresses (::/96, the ::ffff:0:0/96 and 2002::/16 aliases the
  // database carries) are not followed: IPv4 clients are looked up as IPv4.
  for (const char* alias : {"2002:6440:0001::", "::ffff:100.64.0.1", "::100.64.0.1"}) {
    EXPECT_FALSE(locator->locate(*parseAddress(alias)).found) << alias;
  }
}

TEST(MmdbLocator, AgreesWithTheCsvBackendAddressByAddress) {
  TempDir dir;
  std::string error;
  const auto mmdb = loadMmdbLocator(testing::writeMmdb(dir, "city.mmdb", kCsv, 6), error);
  std::istringstream in(kCsv);
  const auto csv = parseCsvLocator(in, "geo.csv", error);
  ASSERT_NE(mmdb, nullptr);
  ASSERT_NE(csv, nullptr);
  for (const char* base : {"100.64.0.0", "198.51.100.0", "203.0.113.0", "192.0.2.0"}) {
    const Address start = *parseAddress(base);
    for (uint32_t i = 0; i < 512; i += 3) {
      const Address a{false, start.value + i};
      const Location x = mmdb->locate(a);
      const Location y = csv->locate(a);
      ASSERT_EQ(x.found, y.found) << formatAddress(a);
      ASSERT_EQ(x.country, y.country) << formatAddress(a);
      ASSERT_EQ(x.subdivision, y.subdivision) << formatAddress(a);
      ASSERT_EQ(x.prefix, y.prefix) << formatAddress(a);
    }
  }
}

TEST(MmdbLocator, Ipv4OnlyDatabase) {
  TempDir dir;
  const std::string v4only = "100.64.0.0/24,US,CA,37.77,-122.42\n198.51.100.0/24,IE,,53.35,-6.26\n";
  std::string error;
  const auto locator = loadMmdbLocator(testing::writeMmdb(dir, "v4.mmdb", v4only, 4), error);
  ASSERT_NE(locator, nullptr) << error;
  expectLocations(*locator, {{"100.64.0.7", true, "US", "US-CA", true, 24},
                             {"198.51.100.1", true, "IE", "", true, 24},
                             {"8.8.8.8", false, "", "", false, 2},
                             // An IPv6 client cannot be looked up in an IPv4 database.
                             {"2001:db8:1::5", false, "", "", false, 0}});
}

TEST(MmdbLocator, CountryDatabaseWithoutCoordinates) {
  TempDir dir;
  std::string error;
  const auto locator =
      loadMmdbLocator(testing::writeMmdb(dir, "country.mmdb", "198.51.100.0/24,IE\n"), error);
  ASSERT_NE(locator, nullptr) << error;
  expectLocations(*locator, {{"198.51.100.1", true, "IE", "", false, 24}});
}

TEST(MmdbLocator, UnreadableFilesAreErrors) {
  TempDir dir;
  std::string error;
  EXPECT_EQ(loadMmdbLocator(dir.file("missing.mmdb"), error), nullptr);
  EXPECT_EQ(error.rfind(dir.file("missing.mmdb") + ": ", 0), 0u) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(loadMmdbLocator(dir.write("text.mmdb", kCsv), error), nullptr);
  EXPECT_EQ(error.rfind(dir.file("text.mmdb") + ": ", 0), 0u) << error;
}

}  // namespace
}  // namespace tmdns::geo
