// Bounds-checked, allocation-free reading of a received DNS message: header, names, questions, RRs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/wire_types.h"

namespace tmdns::dns {

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;  // QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE (RFC 1035 §4.1.1)
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;
};

struct Question {
  // Uncompressed, case as received; only the first nameLength octets are set. No initializer:
  // zeroing 255 octets for every query cost more than reading the whole question did.
  uint8_t name[kMaxNameLength];
  uint8_t nameLength = 0;
  uint16_t type = 0;
  uint16_t cls = 0;

  std::span<const uint8_t> nameSpan() const noexcept { return {name, nameLength}; }
};

// One resource record as it sits in the message; the owner is validated but not copied.
struct RecordView {
  bool ownerIsRoot = false;
  uint16_t type = 0;
  uint16_t cls = 0;
  uint32_t ttl = 0;
  std::span<const uint8_t> rdata;
};

// Reads a (possibly compressed) name starting at `offset` of `message`. RFC 1035 §4.1.4 pointers
// are followed only backwards, each to an offset below the start of the labels read before it,
// so every chain ends; the decompressed name must stay within 255 octets (RFC 1035 §2.3.4) and
// the label types 0x40/0x80 (RFC 6891 §5) are rejected. On success `end` is the offset just
// after the name where it sits (after its first pointer), and when `out` is not null the
// uncompressed name is copied there (kMaxNameLength bytes) with its length in `length`.
bool readNameAt(std::span<const uint8_t> message, size_t offset, uint8_t* out, size_t& length,
                size_t& end) noexcept;

class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> message) noexcept : message_(message) {}

  size_t position() const noexcept { return pos_; }
  size_t remaining() const noexcept { return message_.size() - pos_; }

  bool readU8(uint8_t& value) noexcept;
  bool readU16(uint16_t& value) noexcept;
  bool readU32(uint32_t& value) noexcept;
  bool readBytes(size_t count, std::span<const uint8_t>& out) noexcept;
  bool skip(size_t count) noexcept;

  // Reads the name at the cursor (see readNameAt) and moves past it. `out` may be null.
  bool readName(uint8_t* out, size_t& length) noexcept;

  bool readHeader(Header& header) noexcept;
  bool readQuestion(Question& question) noexcept;
  bool readRecord(RecordView& record) noexcept;

 private:
  std::span<const uint8_t> message_;
  size_t pos_ = 0;
};

}  // namespace tmdns::dns
