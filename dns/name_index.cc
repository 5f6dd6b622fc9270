// Open-addressing (linear probing) name index; see name_index.h.
#include "dns/name_index.h"

#include <cstring>

namespace tmdns::dns {

uint64_t NameIndex::hash(std::span<const uint8_t> name) noexcept {
  // FNV-1a over the bytes, then a final mix so that linear probing sees well-spread low bits.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t b : name) {
    h = (h ^ b) * 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

void NameIndex::build(const std::vector<std::span<const uint8_t>>& names) {
  names_ = names;
  size_t capacity = 16;
  while (capacity < names.size() * 2) {
    capacity *= 2;
  }
  slots_.assign(capacity, Entry{});
  mask_ = capacity - 1;
  for (uint32_t i = 0; i < names.size(); ++i) {
    const uint64_t h = hash(names[i]);
    size_t slot = h & mask_;
    while (slots_[slot].node != UINT32_MAX) {
      slot = (slot + 1) & mask_;
    }
    slots_[slot] = Entry{h, i};
  }
}

uint32_t NameIndex::find(std::span<const uint8_t> name) const noexcept {
  if (slots_.empty()) {
    return UINT32_MAX;
  }
  const uint64_t h = hash(name);
  for (size_t slot = h & mask_;; slot = (slot + 1) & mask_) {
    const Entry& e = slots_[slot];
    if (e.node == UINT32_MAX) {
      return UINT32_MAX;
    }
    if (e.hash == h) {
      const auto& candidate = names_[e.node];
      if (candidate.size() == name.size() &&
          std::memcmp(candidate.data(), name.data(), name.size()) == 0) {
        return e.node;
      }
    }
  }
}

}  // namespace tmdns::dns
