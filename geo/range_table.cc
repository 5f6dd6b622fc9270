// RangeTable lookups and the builder that paints ranges into sorted disjoint intervals.
#include "geo/range_table.h"

#include <algorithm>

namespace tmdns::geo {
namespace {

constexpr unsigned kIndexBits = 16;
constexpr size_t kIndexedAbove = 64;  // intervals; below this a binary search is a few lines

template <typename Word>
constexpr unsigned indexShift() {
  return sizeof(Word) * 8 - kIndexBits;
}

template <typename Word>
std::vector<uint32_t> buildIndex(const std::vector<Word>& starts) {
  std::vector<uint32_t> index((size_t{1} << kIndexBits) + 1);
  for (size_t h = 0; h < index.size() - 1; ++h) {
    const Word blockStart = static_cast<Word>(static_cast<Word>(h) << indexShift<Word>());
    index[h] = static_cast<uint32_t>(std::lower_bound(starts.begin(), starts.end(), blockStart) -
                                     starts.begin());
  }
  index.back() = static_cast<uint32_t>(starts.size());
  return index;
}

template <typename Word>
RangeMatch findIn(const std::vector<Word>& starts, const std::vector<uint32_t>& values,
                  const std::vector<uint32_t>& index, Word addr, bool v6) noexcept {
  if (starts.empty() || index.empty()) {
    return RangeMatch{kNoValue, 0};
  }
  // The interval holding addr is the last one starting at or before it: among those starting
  // in addr's block, or else the one just before the block. starts[0] == 0, so there is one.
  const size_t h = index.size() == 2 ? 0 : static_cast<size_t>(addr >> indexShift<Word>());
  const auto begin = starts.begin() + index[h];
  const auto end = starts.begin() + index[h + 1];
  const auto it = std::upper_bound(begin, end, addr);
  const auto i = static_cast<size_t>(it - starts.begin()) - 1;
  const Uint128 first = starts[i];
  const Uint128 last = i + 1 < starts.size() ? Uint128{starts[i + 1]} - 1 : maxAddress(v6);
  return RangeMatch{values[i], blockPrefixWithin(addr, first, last, v6)};
}

// Appends "from `from` on, the value is `value`" to the interval list, keeping it canonical:
// one start per address (a later call at the same address wins) and no two neighbours with the
// same value.
template <typename Word>
void emit(std::vector<Word>& starts, std::vector<uint32_t>& values, Word from, uint32_t value) {
  if (!starts.empty() && starts.back() == from) {
    values.back() = value;
    if (values.size() >= 2 && values[values.size() - 2] == value) {
      starts.pop_back();
      values.pop_back();
    }
    return;
  }
  if (!values.empty() && values.back() == value) {
    return;
  }
  starts.push_back(from);
  values.push_back(value);
}

}  // namespace

RangeMatch RangeTable::find(const Address& address) const noexcept {
  if (address.v6) {
    return findIn(starts6_, values6_, index6_, address.value, true);
  }
  return findIn(starts4_, values4_, index4_, static_cast<uint32_t>(address.value), false);
}

RangeMatch RangeTable::find(const uint8_t* bytes, bool v6) const noexcept {
  return find(addressFromBytes(bytes, v6));
}

void RangeTableBuilder::add(const AddressRange& range, uint32_t value, uint32_t tag) {
  if (range.v6) {
    entries6_.push_back({range.first, range.last, value, tag});
  } else {
    entries4_.push_back(
        {static_cast<uint32_t>(range.first), static_cast<uint32_t>(range.last), value, tag});
  }
}

template <typename Word>
bool RangeTableBuilder::compile(std::vector<Entry<Word>> entries, Word max, Overlap overlap,
                                std::vector<Word>& starts, std::vector<uint32_t>& values,
                                Conflict& conflict) {
  if (overlap == Overlap::kDisjoint) {
    // Merge each value's own overlapping ranges first; what still overlaps then belongs to two
    // different values.
    std::sort(entries.begin(), entries.end(), [](const Entry<Word>& a, const Entry<Word>& b) {
      return a.value != b.value ? a.value < b.value : a.first < b.first;
    });
    std::vector<Entry<Word>> merged;
    for (const Entry<Word>& e : entries) {
      if (!merged.empty() && merged.back().value == e.value && e.first <= merged.back().last) {
        merged.back().last = std::max(merged.back().last, e.last);
      } else {
        merged.push_back(e);
      }
    }
    entries = std::move(merged);
    std::sort(entries.begin(), entries.end(),
              [](const Entry<Word>& a, const Entry<Word>& b) { return a.first < b.first; });
    for (size_t i = 1; i < entries.size(); ++i) {
      if (entries[i].first <= entries[i - 1].last) {
        conflict = Conflict{entries[i - 1].tag, entries[i].tag};
        return false;
      }
    }
  }
  // Outer ranges before the ranges they contain; among equal starts the longer first.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry<Word>& a, const Entry<Word>& b) {
    return a.first != b.first ? a.first < b.first : a.last > b.last;
  });
  std::vector<const Entry<Word>*> open;  // the ranges containing the sweep position, innermost last
  emit(starts, values, Word{0}, kNoValue);
  const auto closeUntil = [&](const Entry<Word>* next) {
    while (!open.empty() && (next == nullptr || open.back()->last < next->first)) {
      const Entry<Word>* done = open.back();
      open.pop_back();
      if (done->last != max) {
        emit(starts, values, static_cast<Word>(done->last + 1),
             open.empty() ? kNoValue : open.back()->value);
      }
    }
  };
  for (const Entry<Word>& e : entries) {
    closeUntil(&e);
    if (!open.empty()) {
      const Entry<Word>& outer = *open.back();
      const bool same = outer.first == e.first && outer.last == e.last;
      if (e.last > outer.last || (same && outer.value != e.value)) {
        conflict = Conflict{outer.tag, e.tag};
        return false;
      }
    }
    open.push_back(&e);
    emit(starts, values, e.first, e.value);
  }
  closeUntil(nullptr);
  return true;
}

std::optional<RangeTable> RangeTableBuilder::build(Overlap overlap, Conflict& conflict) const {
  RangeTable table;
  if (!compile<uint32_t>(entries4_, 0xFFFFFFFFu, overlap, table.starts4_, table.values4_,
                         conflict) ||
      !compile<Uint128>(entries6_, maxAddress(true), overlap, table.starts6_, table.values6_,
                        conflict)) {
    return std::nullopt;
  }
  table.hasRanges_ = !entries4_.empty() || !entries6_.empty();
  // Small tables (subnet maps) are searched whole: a one-block index {0, size} costs nothing.
  const auto indexFor = [](const auto& starts) {
    return starts.size() > kIndexedAbove
               ? buildIndex(starts)
               : std::vector<uint32_t>{0, static_cast<uint32_t>(starts.size())};
  };
  table.index4_ = indexFor(table.starts4_);
  // IPv6 allocations crowd into a few /16s (2001::/16, 2a00::/12, ...), where a top-16-bit index
  // narrows nothing; the whole table is searched.
  table.index6_ = {0, static_cast<uint32_t>(table.starts6_.size())};
  table.starts4_.shrink_to_fit();
  table.values4_.shrink_to_fit();
  table.starts6_.shrink_to_fit();
  table.values6_.shrink_to_fit();
  return table;
}

}  // namespace tmdns::geo
