// Test helpers for geo/: a scratch directory, files written into it, MMDBs built from CSV text.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace tmdns::geo::testing {

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tmdns-geo-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = file(name);
    std::ofstream(path) << text;
    return path;
  }

 private:
  std::filesystem::path path_;
};

// Builds `name` from geolocation CSV text with Debian's MaxMind::DB::Writer (package
// libmaxmind-db-writer-perl), through tests/unit/geo/csv_to_mmdb.pl. ipVersion 4 or 6.
inline std::string writeMmdb(const TempDir& dir, const std::string& name, const std::string& csv,
                             int ipVersion = 6) {
  const std::string in = dir.write(name + ".csv", csv);
  const std::string out = dir.file(name);
  const std::string command = std::string("perl '") + TMDNS_SOURCE_DIR +
                              "/tests/unit/geo/csv_to_mmdb.pl' '" + in + "' '" + out + "' " +
                              std::to_string(ipVersion);
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return out;
}

}  // namespace tmdns::geo::testing
