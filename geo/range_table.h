// A compiled address → value table (IPv4 and IPv6): sorted disjoint intervals, binary search.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "geo/address.h"

namespace tmdns::geo {

inline constexpr uint32_t kNoValue = UINT32_MAX;

struct RangeMatch {
  uint32_t value = kNoValue;  // kNoValue: the address is in no range
  // The shortest prefix of the address whose whole block gets the same value (RFC 7871 §7.2.1
  // SCOPE): the block lies inside one interval of the table, matched or not.
  uint8_t prefix = 0;
};

// Immutable once built: lookups are noexcept, allocation-free and lock-free.
class RangeTable {
 public:
  RangeMatch find(const Address& address) const noexcept;
  // `bytes` in network order, 4 (IPv4) or 16 (IPv6) of them.
  RangeMatch find(const uint8_t* bytes, bool v6) const noexcept;
  // True when no range was added for either family.
  bool empty() const noexcept { return !hasRanges_; }
  // Intervals of one family, matched and unmatched; for tests and sizing.
  size_t intervalCount(bool v6) const noexcept { return v6 ? starts6_.size() : starts4_.size(); }

 private:
  friend class RangeTableBuilder;
  // Interval i covers [starts[i], starts[i + 1] - 1] (the last one up to the family's maximum)
  // and carries values[i]; starts[0] is 0, so every address falls in exactly one interval.
  // Adjacent intervals never carry the same value: the blocks reported by find are as wide as
  // the table allows.
  std::vector<uint32_t> starts4_;
  std::vector<uint32_t> values4_;
  std::vector<Uint128> starts6_;
  std::vector<uint32_t> values6_;
  // First-level index on an IPv4 address's top 16 bits: index[h] is the first interval starting
  // at or after h's block, so a lookup binary-searches one block's intervals only (a few cache
  // lines instead of log2(n) scattered ones on large geolocation tables). {0, size} (one block)
  // for small tables and for IPv6.
  std::vector<uint32_t> index4_;
  std::vector<uint32_t> index6_;
  bool hasRanges_ = false;
};

class RangeTableBuilder {
 public:
  enum class Overlap {
    // Ranges of different values must not share an address; ranges of one value may overlap
    // (they merge). Subnet routing and subnet overrides (§1.5, §2.7, §2.8).
    kDisjoint,
    // Ranges must be nested or disjoint (as CIDR blocks always are); inside a nested range the
    // innermost wins, like a longest-prefix match. The same range twice must carry one value.
    // Geolocation and latency networks.
    kMostSpecific,
  };
  // Two ranges that broke the Overlap rule, by the tags they were added with.
  struct Conflict {
    uint32_t tagA = 0;
    uint32_t tagB = 0;
  };

  // `tag` identifies the range in a Conflict (e.g. an endpoint index or a file line).
  void add(const AddressRange& range, uint32_t value, uint32_t tag);
  size_t size() const noexcept { return entries4_.size() + entries6_.size(); }

  // The compiled table, or nullopt with `conflict` set.
  std::optional<RangeTable> build(Overlap overlap, Conflict& conflict) const;

 private:
  template <typename Word>
  struct Entry {
    Word first;
    Word last;
    uint32_t value;
    uint32_t tag;
  };
  template <typename Word>
  static bool compile(std::vector<Entry<Word>> entries, Word max, Overlap overlap,
                      std::vector<Word>& starts, std::vector<uint32_t>& values, Conflict& conflict);

  std::vector<Entry<uint32_t>> entries4_;
  std::vector<Entry<Uint128>> entries6_;
};

}  // namespace tmdns::geo
