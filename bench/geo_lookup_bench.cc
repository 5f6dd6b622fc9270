// Timed loops: ns per geolocation / latency lookup and per routing decision (run by hand).
//
// Usage: tmdns_bench_geo [NETWORKS]   (default 100000 IPv4 + NETWORKS/4 IPv6 networks)
// Builds a synthetic geolocation CSV, the same data as an MMDB (through
// tests/unit/geo/csv_to_mmdb.pl, which needs libmaxmind-db-writer-perl) and a latency table,
// then times lookups of random addresses. Nothing is asserted: the numbers are for people.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "geo/azure_regions.h"
#include "geo/geo_codes.h"
#include "geo/latency_table.h"
#include "geo/locator.h"
#include "routing/policy_factory.h"
#include "routing/router.h"
#include "util/rng.h"

namespace {

using namespace tmdns;
using Clock = std::chrono::steady_clock;

constexpr int kLookups = 5'000'000;

std::string v4Text(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

// Random addresses to look up: three quarters inside the data's networks, the rest anywhere.
std::vector<geo::Address> queries(const std::vector<uint32_t>& v4Networks, bool v6,
                                  std::mt19937_64& random) {
  std::vector<geo::Address> out;
  out.reserve(1 << 16);
  for (int i = 0; i < (1 << 16); ++i) {
    if (v6) {
      const geo::Uint128 value = (geo::Uint128{0x20010db8} << 96) |
                                 (geo::Uint128{random() & 0xFFFF'FFFF} << 64) | random();
      out.push_back(geo::Address{true, value});
    } else if (i % 4 != 0) {
      out.push_back(geo::Address{
          false, v4Networks[random() % v4Networks.size()] | static_cast<uint32_t>(random() & 255)});
    } else {
      out.push_back(geo::Address{false, static_cast<uint32_t>(random())});
    }
  }
  return out;
}

template <typename F>
double nsPer(const std::vector<geo::Address>& addresses, F&& lookup) {
  uint64_t sink = 0;
  const auto start = Clock::now();
  for (int i = 0; i < kLookups; ++i) {
    sink += lookup(addresses[static_cast<size_t>(i) & (addresses.size() - 1)]);
  }
  const auto elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (sink == 42) {
    std::printf(" ");  // keeps the loop's results alive
  }
  return elapsed / kLookups;
}

routing::ClientInfo clientOf(const geo::Address& a) {
  routing::ClientInfo c;
  c.family = a.v6 ? 6 : 4;
  c.sourcePrefix = a.v6 ? 128 : 32;
  geo::Uint128 value = a.value;
  for (int i = a.v6 ? 15 : 3; i >= 0; --i) {
    c.addr[i] = static_cast<uint8_t>(value & 0xFF);
    value >>= 8;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const int networks = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::mt19937_64 random(20240601);
  std::string dirPattern = (std::filesystem::temp_directory_path() / "tmdns-bench-XXXXXX").string();
  if (mkdtemp(dirPattern.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = dirPattern;

  // Distinct random /24s (and /48s) with a country of the table, US states for US ones.
  std::vector<geo::GeoCodeId> countries;
  for (geo::GeoCodeId id = 0; id < geo::geoCodes().size(); ++id) {
    if (geo::geoCodes()[id].level == geo::GeoLevel::kCountry) {
      countries.push_back(id);
    }
  }
  std::set<uint32_t> v4Set;
  while (v4Set.size() < static_cast<size_t>(networks)) {
    v4Set.insert(static_cast<uint32_t>(random() % 0xDF000000u + 0x01000000u) & 0xFFFFFF00u);
  }
  const std::vector<uint32_t> v4Networks(v4Set.begin(), v4Set.end());
  std::string csv;
  std::string latency;
  const auto regions = geo::azureRegions();
  auto row = [&](const std::string& network) {
    const geo::GeoCode& c = geo::geoCodes()[countries[random() % countries.size()]];
    const std::string sub = c.code == "US" ? ",CA" : ",";
    csv += network + "," + std::string(c.code) + sub + "," +
           std::to_string(static_cast<int>(random() % 180) - 90) + "," +
           std::to_string(static_cast<int>(random() % 360) - 180) + "\n";
    const size_t base = random() % regions.size();
    for (size_t r = 0; r < 3; ++r) {
      latency += network + "," + std::string(regions[(base + r) % regions.size()].name) + "," +
                 std::to_string(r * 20 + random() % 20) + "\n";
    }
  };
  for (const uint32_t n : v4Networks) {
    row(v4Text(n) + "/24");
  }
  std::set<uint32_t> v6Set;
  while (v6Set.size() < static_cast<size_t>(networks / 4)) {
    v6Set.insert(static_cast<uint32_t>(random()));
  }
  char buffer[64];
  for (const uint32_t n : v6Set) {
    std::snprintf(buffer, sizeof buffer, "2001:db8:%x:%x::/64", n >> 16, n & 0xFFFF);
    row(buffer);
  }
  const std::string csvPath = (dir / "geo.csv").string();
  const std::string mmdbPath = (dir / "geo.mmdb").string();
  const std::string latencyPath = (dir / "latency.csv").string();
  std::ofstream(csvPath) << csv;
  std::ofstream(latencyPath) << latency;

  std::string error;
  auto t0 = Clock::now();
  const auto csvLocator = geo::loadCsvLocator(csvPath, error);
  auto t1 = Clock::now();
  std::printf("geo CSV: %d networks, loaded in %.0f ms\n", networks + networks / 4,
              std::chrono::duration<double, std::milli>(t1 - t0).count());
  const std::string write = std::string("perl '") + TMDNS_SOURCE_DIR +
                            "/tests/unit/geo/csv_to_mmdb.pl' '" + csvPath + "' '" + mmdbPath + "'";
  std::shared_ptr<const geo::Locator> mmdbLocator;
  if (std::system(write.c_str()) == 0) {
    t0 = Clock::now();
    mmdbLocator = geo::loadMmdbLocator(mmdbPath, error);
    t1 = Clock::now();
    std::printf("geo MMDB: %zu bytes, %zu records, loaded in %.0f ms\n",
                static_cast<size_t>(std::filesystem::file_size(mmdbPath)),
                mmdbLocator ? mmdbLocator->locationCount() : 0,
                std::chrono::duration<double, std::milli>(t1 - t0).count());
  } else {
    std::printf("geo MMDB: skipped (csv_to_mmdb.pl failed; is libmaxmind-db-writer-perl there?)\n");
  }
  const auto latencyTable = geo::loadLatencyCsv(latencyPath, error);
  if (!csvLocator || !latencyTable) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }

  const std::vector<geo::Address> v4 = queries(v4Networks, false, random);
  const std::vector<geo::Address> v6 = queries(v4Networks, true, random);
  std::printf("\n%-44s %10s %10s\n", "lookup", "IPv4 ns", "IPv6 ns");
  auto report = [&](const char* name, auto&& lookup) {
    std::printf("%-44s %10.1f %10.1f\n", name, nsPer(v4, lookup), nsPer(v6, lookup));
  };
  report("geo CSV locate", [&](const geo::Address& a) {
    const geo::Location l = csvLocator->locate(a);
    return uint64_t{l.country} + l.prefix;
  });
  if (mmdbLocator) {
    report("geo MMDB locate", [&](const geo::Address& a) {
      const geo::Location l = mmdbLocator->locate(a);
      return uint64_t{l.country} + l.prefix;
    });
  }
  // A resolver population is far smaller than the address space: the same few thousand
  // networks again and again keep the tables' hot paths in cache.
  const std::vector<geo::Address> hot4(v4.begin(), v4.begin() + 1024);
  const std::vector<geo::Address> hot6(v6.begin(), v6.begin() + 1024);
  const auto csvLocate = [&](const geo::Address& a) {
    const geo::Location l = csvLocator->locate(a);
    return uint64_t{l.country} + l.prefix;
  };
  std::printf("%-44s %10.1f %10.1f\n", "geo CSV locate, 1024 distinct clients",
              nsPer(hot4, csvLocate), nsPer(hot6, csvLocate));
  report("latency table find", [&](const geo::Address& a) {
    const geo::LatencyRow r = latencyTable->find(a);
    return static_cast<uint64_t>(r.end - r.begin) + r.prefix;
  });

  // Whole routing decisions, for scale: what a query pays in routing::route().
  auto routeCost = [&](routing::Method method, std::shared_ptr<const geo::Locator> locator,
                       const char* name) {
    routing::Table table;
    table.geo = std::move(locator);
    table.latency = latencyTable;
    routing::Profile profile{.method = method};
    profile.endpointCount = 4;
    const char* regionNames[] = {"West Europe", "East US", "Japan East", "Brazil South"};
    routing::PolicyInputs inputs;
    for (int i = 0; i < 4; ++i) {
      routing::Endpoint e;
      e.profile = 0;
      e.priority = static_cast<uint16_t>(i + 1);
      e.region = geo::findRegion(regionNames[i]);
      table.endpoints.push_back(e);
      routing::EndpointInputs in;
      const char* codes[] = {"GEO-EU", "GEO-NA", "GEO-AS", "WORLD"};
      in.geoCodes.push_back(geo::geoCodeId(codes[i]));
      inputs.endpoints.push_back(in);
    }
    table.profiles.push_back(profile);
    auto policy = routing::makePolicy(table, 0, inputs, error);
    table.profiles[0].policy = policy.get();
    table.policies.push_back(std::move(policy));
    std::vector<routing::MonitorStatus> health(4, routing::MonitorStatus::kOnline);
    util::Rng rng(1);
    report(name, [&](const geo::Address& a) {
      routing::Request request;
      request.client = clientOf(a);
      request.family = routing::Family::kV4;
      const routing::Context ctx{table, routing::HealthView(health.data(), health.size()), request,
                                 rng};
      routing::Selection out;
      routing::route(ctx, 0, out);
      return uint64_t{out.count} + out.ecsScope;
    });
  };
  routeCost(routing::Method::kPriority, csvLocator, "route: Priority (no lookup, baseline)");
  routeCost(routing::Method::kGeographic, csvLocator, "route: Geographic, CSV database");
  if (mmdbLocator) {
    routeCost(routing::Method::kGeographic, mmdbLocator, "route: Geographic, MMDB database");
  }
  routeCost(routing::Method::kPerformance, csvLocator, "route: Performance, latency table");
  std::filesystem::remove_all(dir);
  return 0;
}
