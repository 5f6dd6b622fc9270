// Writes a DNS response into a caller buffer under a byte limit, with name compression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/edns.h"

namespace tmdns::dns {

enum class Section : uint8_t { kAnswer = 0, kAuthority = 1, kAdditional = 2 };

// Every write checks the limit; the first one that does not fit marks the writer overflowed and
// it, and every write after it, fail without touching the buffer past the limit. A Mark taken
// earlier rewinds the buffer, the counts, the compression dictionary and the overflow flag, so
// the caller can drop an optional part (glue) or fall back to a truncated response.
class ResponseWriter {
 public:
  struct Mark {
    size_t size = 0;
    uint8_t dictionarySize = 0;
    bool questionRemembered = true;
    bool overflowed = false;
    uint16_t counts[3] = {};
  };

  // Uses at most min(limit, out.size()) octets of `out`.
  ResponseWriter(std::span<uint8_t> out, size_t limit) noexcept;

  // The 12-octet header with the given ID and flags word; all counts zero.
  bool writeHeader(uint16_t id, uint16_t flags) noexcept;
  void setFlags(uint16_t flags) noexcept;
  uint16_t flags() const noexcept;

  // The question, name exactly as given (the query's case, RFC 1035 §7.3 / RFC 4343 §4); the
  // name joins the compression dictionary, so owners equal to it become pointer 0xC00C.
  bool writeQuestion(std::span<const uint8_t> name, uint16_t type, uint16_t cls) noexcept;

  // One class IN record. `owner` and the names inside NS/CNAME/PTR/MX/SOA RDATA are
  // compressed (RFC 1035 §4.1.4) against earlier names with the very same octets, so every name
  // reads back in the case it was given (RFC 4343 §4.1); RDATA of every other type is copied
  // as is (RFC 3597 §4).
  // `owner` and `rdata` must be valid uncompressed wire data (the snapshot builder checks it).
  bool writeRecord(Section section, std::span<const uint8_t> owner, uint16_t type, uint32_t ttl,
                   std::span<const uint8_t> rdata) noexcept;

  // The OPT pseudo-RR (RFC 6891 §6.1.2) with our payload size, the upper 8 bits of the
  // extended RCODE, version 0, the DO bit, and the ECS option when `ecs` is not null
  // (RFC 7871 §7.2.1: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS as queried, our SCOPE).
  bool writeOpt(uint16_t udpSize, uint8_t extendedRcode, bool dnssecOk, const ClientSubnet* ecs,
                uint8_t scopePrefix) noexcept;
  static size_t optSize(const ClientSubnet* ecs) noexcept;

  // Holds back `bytes` octets of the limit for something written last (the OPT RR).
  void reserve(size_t bytes) noexcept;
  void release(size_t bytes) noexcept;

  bool overflowed() const noexcept { return overflowed_; }
  Mark mark() const noexcept;
  void rewind(const Mark& mark) noexcept;
  uint16_t count(Section section) const noexcept { return counts_[static_cast<int>(section)]; }

  // Patches the section counts into the header and returns the message length (0 when the
  // header itself did not fit).
  size_t finish() noexcept;

 private:
  // Offsets of names (and their suffixes) already in the message, with their uncompressed
  // lengths as a cheap pre-filter. Small and fixed: a response holds few distinct names, and
  // a name that misses the dictionary is only written longer, never wrong.
  static constexpr int kDictionaryCapacity = 64;
  // No member initializers: entries past dictionarySize_ are never read, and zeroing all 64 in
  // every response's constructor was a measurable share of a query's instructions.
  struct DictionaryEntry {
    uint16_t offset;
    uint8_t length;
  };

  bool fits(size_t bytes) noexcept;
  // Stores at out_ + size_ through a local index: out_ may alias any member (uint8_t), so
  // `out_[size_++]` twice would reload and store size_ twice.
  void putBytes(const uint8_t* bytes, size_t count) noexcept;
  void putU16(uint16_t value) noexcept;
  void putU32(uint32_t value) noexcept;
  bool writeU16(uint16_t value) noexcept;
  bool writeName(std::span<const uint8_t> name, bool compress) noexcept;
  bool matchesAt(std::span<const uint8_t> suffix, size_t offset) const noexcept;
  void rememberQuestion() noexcept;
  void remember(size_t offset, size_t length) noexcept;
  bool writeRdata(uint16_t type, std::span<const uint8_t> rdata) noexcept;

  uint8_t* out_;
  size_t limit_;
  size_t reserved_ = 0;
  size_t size_ = 0;
  bool overflowed_ = false;
  uint16_t questions_ = 0;  // written before any Mark is taken
  // The question's name as passed to writeQuestion (null before): a name that is this very
  // span, or a suffix of it, is a pointer into the question without a dictionary search.
  const uint8_t* questionName_ = nullptr;
  size_t questionLength_ = 0;
  bool questionRemembered_ = true;  // the question's suffixes are in the dictionary
  uint16_t counts_[3] = {};
  DictionaryEntry dictionary_[kDictionaryCapacity];
  uint8_t dictionarySize_ = 0;
};

}  // namespace tmdns::dns
