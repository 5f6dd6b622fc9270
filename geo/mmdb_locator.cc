// The MaxMind DB backend: the file's search tree compiled into a RangeTable at load.
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "geo/locator.h"
#include "geo/range_table.h"
#include "geo/table_locator.h"

namespace tmdns::geo {
namespace {

struct MmdbCloser {
  MMDB_s* mmdb;
  ~MmdbCloser() { MMDB_close(mmdb); }
};

// Reads one string field of a data record, e.g. {"country", "iso_code"}; "" when absent.
std::string readString(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return "";
  }
  return std::string(data.utf8_string, data.data_size);
}

bool readDouble(MMDB_entry_s& entry, const char* const* path, double& out) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) {
    return false;
  }
  if (data.type == MMDB_DATA_TYPE_DOUBLE) {
    out = data.double_value;
    return true;
  }
  if (data.type == MMDB_DATA_TYPE_FLOAT) {
    out = data.float_value;
    return true;
  }
  return false;
}

class TreeReader {
 public:
  TreeReader(MMDB_s& mmdb, std::string path) : mmdb_(mmdb), path_(std::move(path)) {}

  // Adds every data record under `root` (a node `bits` bits above the leaves of one family) to
  // `builder`. `skip` is a node not to descend into (kNoNode for none).
  bool walk(uint32_t root, bool v6, uint32_t skip, RangeTableBuilder& builder, std::string& error) {
    const unsigned bits = bitsOf(v6);
    struct Frame {
      uint32_t node;
      unsigned depth;
      Uint128 path;  // the `depth` bits leading here, right-aligned
    };
    std::vector<Frame> stack = {{root, 0, 0}};
    while (!stack.empty()) {
      const Frame frame = stack.back();
      stack.pop_back();
      MMDB_search_node_s node;
      if (MMDB_read_node(&mmdb_, frame.node, &node) != MMDB_SUCCESS) {
        error = path_ + ": corrupt search tree at node " + std::to_string(frame.node);
        return false;
      }
      for (int side = 0; side < 2; ++side) {
        const uint8_t type = side == 0 ? node.left_record_type : node.right_record_type;
        const uint64_t record = side == 0 ? node.left_record : node.right_record;
        const uint32_t offset =
            side == 0 ? node.left_record_entry.offset : node.right_record_entry.offset;
        const unsigned depth = frame.depth + 1;
        const Uint128 path = (frame.path << 1) | static_cast<unsigned>(side);
        if (type == MMDB_RECORD_TYPE_EMPTY) {
          continue;
        }
        if (type == MMDB_RECORD_TYPE_DATA) {
          builder.add(prefixRange(v6, path << (bits - depth), depth), locationOf(offset), 0);
          continue;
        }
        // Depth strictly grows, so even a corrupt file with a cycle ends here.
        if (type != MMDB_RECORD_TYPE_SEARCH_NODE || depth >= bits) {
          error = path_ + ": corrupt search tree at node " + std::to_string(frame.node);
          return false;
        }
        if (record != skip) {
          stack.push_back({static_cast<uint32_t>(record), depth, path});
        }
      }
    }
    return true;
  }

  // A record value that is not a node: empty, or data covering the whole subtree.
  void addRecord(uint64_t record, bool v6, RangeTableBuilder& builder) {
    const uint64_t nodeCount = mmdb_.metadata.node_count;
    // libmaxminddb: data offset = record - node_count - 16 (the data section separator).
    if (record > nodeCount + 16) {
      builder.add(prefixRange(v6, 0, 0), locationOf(static_cast<uint32_t>(record - nodeCount - 16)),
                  0);
    }
  }

  std::vector<Location> takeLocations() { return std::move(locations_); }

 private:
  // Every distinct record is decoded once; records that locate alike share one Location.
  uint32_t locationOf(uint32_t offset) {
    const auto known = byOffset_.find(offset);
    if (known != byOffset_.end()) {
      return known->second;
    }
    static const char* const kCountry[] = {"country", "iso_code", nullptr};
    static const char* const kRegistered[] = {"registered_country", "iso_code", nullptr};
    static const char* const kSubdivision[] = {"subdivisions", "0", "iso_code", nullptr};
    static const char* const kLatitude[] = {"location", "latitude", nullptr};
    static const char* const kLongitude[] = {"location", "longitude", nullptr};
    MMDB_entry_s entry{&mmdb_, offset};
    Location location;
    location.found = true;
    std::string country = readString(entry, kCountry);
    if (country.empty()) {
      // Anycast and satellite networks carry only the registration country.
      country = readString(entry, kRegistered);
    }
    location.country = countryCodeId(country);
    location.subdivision = subdivisionCodeId(location.country, readString(entry, kSubdivision));
    double lat = 0;
    double lon = 0;
    if (readDouble(entry, kLatitude, lat) && readDouble(entry, kLongitude, lon)) {
      location.hasCoordinates = true;
      location.latitude = static_cast<float>(lat);
      location.longitude = static_cast<float>(lon);
    }
    const auto key =
        std::make_tuple(location.country, location.subdivision, location.hasCoordinates,
                        location.latitude, location.longitude);
    const auto [it, inserted] = byLocation_.emplace(key, static_cast<uint32_t>(locations_.size()));
    if (inserted) {
      locations_.push_back(location);
    }
    byOffset_.emplace(offset, it->second);
    return it->second;
  }

  MMDB_s& mmdb_;
  std::string path_;
  std::vector<Location> locations_;
  std::unordered_map<uint32_t, uint32_t> byOffset_;
  std::map<std::tuple<GeoCodeId, GeoCodeId, bool, float, float>, uint32_t> byLocation_;
};

}  // namespace

std::shared_ptr<const Locator> loadMmdbLocator(const std::string& path, std::string& error) {
  MMDB_s mmdb{};
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &mmdb);
  if (status != MMDB_SUCCESS) {
    error = path + ": " + MMDB_strerror(status);
    if (status == MMDB_IO_ERROR || status == MMDB_FILE_OPEN_ERROR) {
      error += std::string(": ") + std::strerror(errno);
    }
    return nullptr;
  }
  const MmdbCloser closer{&mmdb};
  const uint32_t nodeCount = mmdb.metadata.node_count;
  TreeReader reader(mmdb, path);
  RangeTableBuilder builder;
  if (mmdb.metadata.ip_version == 6) {
    // Older libmaxminddb releases locate the IPv4 subtree (::/96) on the first IPv4 lookup.
    sockaddr_in any{};
    any.sin_family = AF_INET;
    int ignored = MMDB_SUCCESS;
    MMDB_lookup_sockaddr(&mmdb, reinterpret_cast<const sockaddr*>(&any), &ignored);
    const uint32_t v4Root = mmdb.ipv4_start_node.node_value;
    if (v4Root < nodeCount) {
      if (!reader.walk(v4Root, false, nodeCount, builder, error)) {
        return nullptr;
      }
    } else {
      reader.addRecord(v4Root, false, builder);
    }
    // IPv6 proper. The IPv4 subtree is reachable from ::/96 and from the aliases databases add
    // (::ffff:0:0/96, 2002::/16, ...); IPv4 clients are looked up as IPv4 (dns/ turns mapped
    // peers back into IPv4), so those IPv6 spellings are not followed.
    if (!reader.walk(0, true, v4Root < nodeCount ? v4Root : nodeCount, builder, error)) {
      return nullptr;
    }
  } else if (!reader.walk(0, false, nodeCount, builder, error)) {
    return nullptr;
  }
  RangeTableBuilder::Conflict conflict;
  std::optional<RangeTable> table =
      builder.build(RangeTableBuilder::Overlap::kMostSpecific, conflict);
  if (!table) {
    error = path + ": overlapping networks in the search tree";
    return nullptr;
  }
  return std::make_shared<TableLocator>(std::move(*table), reader.takeLocations());
}

}  // namespace tmdns::geo
