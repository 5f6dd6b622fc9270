// Open-addressing (linear probing) name index; see name_index.h.
#include "dns/name_index.h"

#include <cstring>

#include "dns/wire_name.h"

namespace tmdns::dns {

uint64_t NameIndex::hash(std::span<const uint8_t> name) noexcept {
  // Eight octets per step (byte-at-a-time FNV-1a was a tenth of a query's instructions), the
  // length in the seed so that the zero padding of the last word cannot collide, and
  // MurmurHash3's finaliser so that linear probing sees well-spread low bits.
  constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;
  uint64_t h = 0xcbf29ce484222325ULL ^ name.size();
  const uint8_t* p = name.data();
  size_t left = name.size();
  for (; left >= 8; left -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ word) * kMultiplier;
    h ^= h >> 32;
  }
  if (left > 0) {
    uint64_t word = 0;
    for (size_t i = 0; i < left; ++i) {
      word |= uint64_t{p[i]} << (8 * i);  // inline: a memcpy of a variable length is a call
    }
    h = (h ^ word) * kMultiplier;
    h ^= h >> 32;
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
          sameOctets(candidate.data(), name.data(), name.size())) {
        return e.node;
      }
    }
  }
}

}  // namespace tmdns::dns
