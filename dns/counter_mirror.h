// A copy of one thread's plain counters that other threads may read while that thread runs.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tmdns::dns {

// The owning thread counts in plain integers (HandlerCounters, ServerIoCounters) and publishes
// them here once per batch with relaxed stores; a scrape reads relaxed loads. That keeps the
// query path free of atomic read-modify-writes and the cross-thread read free of data races.
// `Counters` must consist of uint64_t fields only: it is copied word by word.
template <typename Counters>
class CounterMirror {
  static_assert(std::is_trivially_copyable_v<Counters>);
  static_assert(sizeof(Counters) % sizeof(uint64_t) == 0 && alignof(Counters) == alignof(uint64_t),
                "counters are copied as uint64_t words");
  static constexpr size_t kWords = sizeof(Counters) / sizeof(uint64_t);

 public:
  // Owning thread only.
  void publish(const Counters& counters) noexcept {
    uint64_t words[kWords];
    std::memcpy(words, &counters, sizeof(words));
    for (size_t i = 0; i < kWords; ++i) {
      words_[i].store(words[i], std::memory_order_relaxed);
    }
  }

  // Any thread: adds the last published values into `sum`.
  void addTo(Counters& sum) const noexcept {
    uint64_t words[kWords];
    std::memcpy(words, &sum, sizeof(words));
    for (size_t i = 0; i < kWords; ++i) {
      words[i] += words_[i].load(std::memory_order_relaxed);
    }
    std::memcpy(&sum, words, sizeof(words));
  }

 private:
  std::atomic<uint64_t> words_[kWords] = {};
};

}  // namespace tmdns::dns
