// Quiescent-state-based reclamation: readers take no lock, writers swap and free after a grace
// period.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace tmdns::util {

// A reader thread (a DNS worker) marks itself online with the current epoch before it loads a
// published pointer, and offline (epoch 0) when it is done with everything it loaded, e.g.
// before it blocks in epoll_wait. A writer that has replaced a pointer waits until every reader
// is offline or has announced an epoch newer than the replacement, then frees the old object.
// Readers never wait and never write shared cache lines other than their own slot.
class RcuDomain {
 public:
  static constexpr int kMaxReaders = 256;

  class Reader {
   public:
    // Call before loading published pointers. Cheap: two loads and one store.
    void online() noexcept {
      epoch_.store(domain_->epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    }
    // Call when no pointer loaded since online() is used any more.
    void offline() noexcept { epoch_.store(0, std::memory_order_release); }

   private:
    friend class RcuDomain;
    alignas(64) std::atomic<uint64_t> epoch_{0};
    RcuDomain* domain_ = nullptr;
    std::atomic<bool> used_{false};
  };

  RcuDomain() = default;
  RcuDomain(const RcuDomain&) = delete;
  RcuDomain& operator=(const RcuDomain&) = delete;

  // Returns a reader slot for the calling thread, or nullptr when all are taken.
  Reader* registerReader() noexcept;
  void unregisterReader(Reader* reader) noexcept;

  // Blocks the writer until every reader that might hold a pointer replaced before this call
  // has gone offline or moved on. Sleeps in short steps; writers are rare (reloads, health).
  void synchronize() noexcept;

 private:
  std::atomic<uint64_t> epoch_{1};
  Reader readers_[kMaxReaders];
  std::mutex writerMutex_;  // writers only; readers never touch it
};

// A published immutable object: readers load(), writers publish() and the previous one is freed
// once no reader can still see it.
template <typename T>
class RcuPointer {
 public:
  explicit RcuPointer(RcuDomain& domain) : domain_(domain) {}
  ~RcuPointer() { delete ptr_.load(std::memory_order_acquire); }
  RcuPointer(const RcuPointer&) = delete;
  RcuPointer& operator=(const RcuPointer&) = delete;

  const T* load() const noexcept { return ptr_.load(std::memory_order_seq_cst); }

  void publish(std::unique_ptr<const T> next) {
    const T* old = ptr_.exchange(next.release(), std::memory_order_seq_cst);
    if (old != nullptr) {
      domain_.synchronize();
      delete old;
    }
  }

 private:
  RcuDomain& domain_;
  std::atomic<const T*> ptr_{nullptr};
};

}  // namespace tmdns::util
