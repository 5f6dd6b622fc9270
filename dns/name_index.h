// Open-addressing hash index from lower-cased wire names to node ids, built once, read lock-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tmdns::dns {

class NameIndex {
 public:
  struct Entry {
    uint64_t hash = 0;
    uint32_t node = UINT32_MAX;  // UINT32_MAX = empty slot
  };

  // `names[i]` is the lower-cased wire name of node i (spans into storage that outlives the
  // index and stays at the same address). Builds a table at most half full.
  void build(const std::vector<std::span<const uint8_t>>& names);

  // Node id for a lower-cased wire name, or UINT32_MAX. `names` is the same storage as at build.
  uint32_t find(std::span<const uint8_t> name) const noexcept;

  static uint64_t hash(std::span<const uint8_t> name) noexcept;

 private:
  std::vector<Entry> slots_;
  std::vector<std::span<const uint8_t>> names_;
  uint64_t mask_ = 0;
};

}  // namespace tmdns::dns
