// WireReader: bounds-checked message reading with loop-safe name decompression.
#include "dns/wire_reader.h"

#include <cstring>

namespace tmdns::dns {

bool readNameAt(std::span<const uint8_t> message, size_t offset, uint8_t* out, size_t& length,
                size_t& end) noexcept {
  size_t pos = offset;
  size_t segmentStart = offset;  // a pointer must land strictly before this
  size_t total = 0;
  size_t copied = 0;  // octets of `out` filled: labels are copied a contiguous run at a time
  bool jumped = false;
  while (true) {
    if (pos >= message.size()) {
      return false;
    }
    const uint8_t octet = message[pos];
    switch (octet & 0xC0) {
      case 0x00: {
        if (octet == 0) {
          if (total + 1 > kMaxNameLength) {
            return false;
          }
          if (out != nullptr) {
            std::memcpy(out + copied, message.data() + segmentStart, pos + 1 - segmentStart);
          }
          length = total + 1;
          if (!jumped) {
            end = pos + 1;
          }
          return true;
        }
        // Room for this label and at least the root label after it.
        if (total + 1 + octet + 1 > kMaxNameLength || pos + 1 + octet > message.size()) {
          return false;
        }
        total += 1 + octet;
        pos += 1 + octet;
        break;
      }
      case 0xC0: {
        if (pos + 1 >= message.size()) {
          return false;
        }
        const size_t target = (size_t{octet & 0x3Fu} << 8) | message[pos + 1];
        // RFC 1035 §4.1.4 "a prior occurrence": only backwards, and below everything read so
        // far, which makes the targets strictly decreasing and the walk finite.
        // The header holds no name, so a pointer into it cannot be to a prior occurrence of
        // one; following it would turn the ID and counts into labels (found by fuzz/).
        if (target >= segmentStart || target < kHeaderSize) {
          return false;
        }
        if (out != nullptr) {
          std::memcpy(out + copied, message.data() + segmentStart, pos - segmentStart);
        }
        copied = total;
        if (!jumped) {
          end = pos + 2;
          jumped = true;
        }
        segmentStart = target;
        pos = target;
        break;
      }
      default:
        // 0x40 and 0x80: extended label types (RFC 6891 §5), deprecated and unsupported.
        return false;
    }
  }
}

bool WireReader::readU8(uint8_t& value) noexcept {
  if (remaining() < 1) {
    return false;
  }
  value = message_[pos_++];
  return true;
}

bool WireReader::readU16(uint16_t& value) noexcept {
  if (remaining() < 2) {
    return false;
  }
  value = static_cast<uint16_t>((message_[pos_] << 8) | message_[pos_ + 1]);
  pos_ += 2;
  return true;
}

bool WireReader::readU32(uint32_t& value) noexcept {
  if (remaining() < 4) {
    return false;
  }
  value = (uint32_t{message_[pos_]} << 24) | (uint32_t{message_[pos_ + 1]} << 16) |
          (uint32_t{message_[pos_ + 2]} << 8) | uint32_t{message_[pos_ + 3]};
  pos_ += 4;
  return true;
}

bool WireReader::readBytes(size_t count, std::span<const uint8_t>& out) noexcept {
  if (remaining() < count) {
    return false;
  }
  out = message_.subspan(pos_, count);
  pos_ += count;
  return true;
}

bool WireReader::skip(size_t count) noexcept {
  if (remaining() < count) {
    return false;
  }
  pos_ += count;
  return true;
}

bool WireReader::readName(uint8_t* out, size_t& length) noexcept {
  size_t end = 0;
  if (!readNameAt(message_, pos_, out, length, end)) {
    return false;
  }
  pos_ = end;
  return true;
}

bool WireReader::readHeader(Header& header) noexcept {
  if (remaining() < kHeaderSize) {
    // Field by field, so that a short message still yields what it holds (its ID).
    return readU16(header.id) && readU16(header.flags) && readU16(header.qdcount) &&
           readU16(header.ancount) && readU16(header.nscount) && readU16(header.arcount);
  }
  const uint8_t* h = message_.data() + pos_;
  const auto u16 = [h](int i) { return static_cast<uint16_t>((h[i] << 8) | h[i + 1]); };
  header.id = u16(0);
  header.flags = u16(2);
  header.qdcount = u16(4);
  header.ancount = u16(6);
  header.nscount = u16(8);
  header.arcount = u16(10);
  pos_ += kHeaderSize;
  return true;
}

bool WireReader::readQuestion(Question& question) noexcept {
  size_t length = 0;
  if (!readName(question.name, length)) {
    return false;
  }
  question.nameLength = static_cast<uint8_t>(length);
  return readU16(question.type) && readU16(question.cls);
}

bool WireReader::readRecord(RecordView& record) noexcept {
  size_t ownerLength = 0;
  uint16_t rdlength = 0;
  if (!readName(nullptr, ownerLength) || !readU16(record.type) || !readU16(record.cls) ||
      !readU32(record.ttl) || !readU16(rdlength)) {
    return false;
  }
  record.ownerIsRoot = ownerLength == 1;
  return readBytes(rdlength, record.rdata);
}

}  // namespace tmdns::dns
