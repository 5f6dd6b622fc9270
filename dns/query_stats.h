// Per-thread query counters of one snapshot: queries by name, type and rcode; endpoints returned.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dns/snapshot.h"
#include "routing/table.h"

namespace tmdns::dns {

enum class Transport : uint8_t { kUdp, kTcp };

// Query types counted on their own; everything else is kOther. A fixed set keeps the metric's
// label values bounded whatever clients ask.
enum class QtypeClass : uint8_t {
  kA,
  kNs,
  kCname,
  kSoa,
  kPtr,
  kMx,
  kTxt,
  kAaaa,
  kSrv,
  kDs,
  kDnskey,
  kSvcb,
  kHttps,
  kCaa,
  kAny,
  kOther,
};
inline constexpr size_t kQtypeClassCount = 16;

// Response codes as counted: the ones tmdns sends, SERVFAIL for completeness, the rest kOther.
enum class RcodeClass : uint8_t {
  kNoError,
  kFormErr,
  kServFail,
  kNxDomain,
  kNotImp,
  kRefused,
  kBadVers,
  kOther,
};
inline constexpr size_t kRcodeClassCount = 8;

QtypeClass qtypeClassOf(uint16_t qtype) noexcept;
RcodeClass rcodeClassOf(uint16_t rcode) noexcept;  // the full 12-bit (extended) rcode
std::string_view toString(QtypeClass c) noexcept;  // "A", "AAAA", ..., "other"
std::string_view toString(RcodeClass c) noexcept;  // "NOERROR", ..., "other"
std::string_view toString(Transport t) noexcept;   // "udp", "tcp"

// An endpoint returned in an answer, counted against the profile that was queried: for a
// nested endpoint that is the parent profile and the leaf endpoint the descent ended at.
struct AnswerPair {
  routing::ProfileId profile = 0;
  routing::EndpointId endpoint = 0;
};

// Counter cells for one snapshot, one block per thread slot, each written only by the thread
// that owns the slot (a UDP worker or the TCP loop; one slot serves one transport). Writes are
// a relaxed load and store of the owner's own cell, never a read-modify-write across threads;
// the scrape sums the slots with relaxed loads. Everything is sized when the object is built, so
// counting allocates nothing.
//
// Rows: one per profile (queries whose name is the profile's), one per zone (other names of
// the zone), and one for everything else (names outside our zones, queries rejected before a
// name was looked up). Cells per row: QtypeClass x RcodeClass.
// Answer pairs: for each profile, its own endpoints (EndpointId order) followed by the leaf
// endpoints reachable through its nested endpoints (sorted, each once).
class QueryStats {
  struct Layout;

 public:
  // One thread's cells. countQuery/countAnswer: owner thread only; noexcept, no allocation.
  class Block {
   public:
    // `zone`/`profile` describe the query name: kNoIndex / routing::kNone when unknown.
    void countQuery(uint32_t zone, routing::ProfileId profile, QtypeClass qtype,
                    RcodeClass rcode) noexcept;
    void countAnswer(routing::ProfileId profile, routing::EndpointId endpoint) noexcept;

   private:
    friend class QueryStats;
    static void bump(std::atomic<uint64_t>& cell) noexcept {
      cell.store(cell.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    const Layout* layout_ = nullptr;
    std::unique_ptr<std::atomic<uint64_t>[]> cells_;  // padding, queries, answers, padding
  };

  // `udpSlots` UDP workers take slots [0, udpSlots), `tcpSlots` TCP loops the ones after them.
  QueryStats(const Snapshot& snapshot, uint32_t udpSlots, uint32_t tcpSlots);
  ~QueryStats();
  QueryStats(const QueryStats&) = delete;
  QueryStats& operator=(const QueryStats&) = delete;

  // The block of `slot`, or nullptr when there is no such slot (then nothing is counted).
  Block* block(uint32_t slot) noexcept { return slot < blocks_.size() ? &blocks_[slot] : nullptr; }

  uint32_t slotCount() const noexcept { return static_cast<uint32_t>(blocks_.size()); }
  Transport slotTransport(uint32_t slot) const noexcept {
    return slot < udpSlots_ ? Transport::kUdp : Transport::kTcp;
  }

  uint32_t profileCount() const noexcept;
  uint32_t zoneCount() const noexcept;
  uint32_t rowCount() const noexcept;
  // Row r < profileCount(): profile r; then zone (r - profileCount()); the last: outside.
  uint64_t queries(uint32_t slot, uint32_t row, QtypeClass qtype, RcodeClass rcode) const noexcept;

  size_t answerPairCount() const noexcept;
  AnswerPair answerPair(size_t index) const noexcept;
  uint64_t answers(uint32_t slot, size_t pair) const noexcept;

 private:
  std::unique_ptr<const Layout> layout_;
  std::vector<Block> blocks_;
  uint32_t udpSlots_ = 0;
};

}  // namespace tmdns::dns
