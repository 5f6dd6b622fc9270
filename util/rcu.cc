// Grace-period detection for RcuDomain.
#include "util/rcu.h"

#include <chrono>
#include <thread>

namespace tmdns::util {

RcuDomain::Reader* RcuDomain::registerReader() noexcept {
  for (Reader& r : readers_) {
    bool expected = false;
    if (r.used_.compare_exchange_strong(expected, true)) {
      r.domain_ = this;
      r.epoch_.store(0);
      return &r;
    }
  }
  return nullptr;
}

void RcuDomain::unregisterReader(Reader* reader) noexcept {
  if (reader != nullptr) {
    reader->epoch_.store(0);
    reader->used_.store(false);
  }
}

void RcuDomain::synchronize() noexcept {
  std::lock_guard<std::mutex> lock(writerMutex_);
  // The pointer swap (seq_cst) precedes this increment; a reader that announces the new epoch
  // announced it after the swap and so loads the new pointer.
  const uint64_t target = epoch_.fetch_add(1, std::memory_order_seq_cst) + 1;
  for (Reader& r : readers_) {
    if (!r.used_.load(std::memory_order_acquire)) {
      continue;
    }
    for (;;) {
      const uint64_t e = r.epoch_.load(std::memory_order_seq_cst);
      if (e == 0 || e >= target || !r.used_.load(std::memory_order_acquire)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
}

}  // namespace tmdns::util
