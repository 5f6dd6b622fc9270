// ResponseWriter: bounded response assembly with a small compression dictionary.
#include "dns/response_writer.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "dns/wire_name.h"
#include "dns/wire_types.h"

namespace tmdns::dns {

namespace {

// RFC 1035 §4.1.4: a pointer holds a 14-bit offset.
constexpr size_t kMaxPointerTarget = 0x3FFF;

}  // namespace

ResponseWriter::ResponseWriter(std::span<uint8_t> out, size_t limit) noexcept
    : out_(out.data()), limit_(std::min(limit, out.size())) {}

bool ResponseWriter::fits(size_t bytes) noexcept {
  const size_t used = size_ + reserved_;
  if (overflowed_ || used > limit_ || bytes > limit_ - used) {
    overflowed_ = true;
    return false;
  }
  return true;
}

void ResponseWriter::putBytes(const uint8_t* bytes, size_t count) noexcept {
  std::memcpy(out_ + size_, bytes, count);
  size_ += count;
}

void ResponseWriter::putU16(uint16_t value) noexcept {
  const uint8_t bytes[2] = {static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  putBytes(bytes, sizeof(bytes));
}

void ResponseWriter::putU32(uint32_t value) noexcept {
  const uint8_t bytes[4] = {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                            static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  putBytes(bytes, sizeof(bytes));
}

bool ResponseWriter::writeU16(uint16_t value) noexcept {
  if (!fits(2)) {
    return false;
  }
  putU16(value);
  return true;
}

bool ResponseWriter::writeHeader(uint16_t id, uint16_t flags) noexcept {
  if (!fits(kHeaderSize)) {
    return false;
  }
  const uint8_t header[kHeaderSize] = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id),
                                       static_cast<uint8_t>(flags >> 8),
                                       static_cast<uint8_t>(flags)};
  putBytes(header, sizeof(header));
  return true;
}

void ResponseWriter::setFlags(uint16_t flags) noexcept {
  if (size_ >= kHeaderSize) {
    out_[2] = static_cast<uint8_t>(flags >> 8);
    out_[3] = static_cast<uint8_t>(flags);
  }
}

uint16_t ResponseWriter::flags() const noexcept {
  if (size_ < kHeaderSize) {
    return 0;
  }
  return static_cast<uint16_t>((out_[2] << 8) | out_[3]);
}

void ResponseWriter::rememberQuestion() noexcept {
  if (questionRemembered_ || questionName_ == nullptr) {
    return;
  }
  questionRemembered_ = true;
  // Only the fast path has written names since the question, and it adds no entries: the
  // question's suffixes still come first, as if they had been entered when it was written.
  const std::span<const uint8_t> name(out_ + kHeaderSize, questionLength_);
  for (size_t off = 0; off < name.size() && name[off] != 0; off += size_t{1} + name[off]) {
    remember(kHeaderSize + off, name.size() - off);
  }
}

void ResponseWriter::remember(size_t offset, size_t length) noexcept {
  if (dictionarySize_ < kDictionaryCapacity && offset <= kMaxPointerTarget) {
    dictionary_[dictionarySize_++] =
        DictionaryEntry{static_cast<uint16_t>(offset), static_cast<uint8_t>(length)};
  }
}

bool ResponseWriter::matchesAt(std::span<const uint8_t> suffix, size_t offset) const noexcept {
  // The names at dictionary offsets were written by this writer: valid labels and pointers
  // that only go backwards, so this walk ends; the guard only bounds it.
  size_t i = 0;
  size_t p = offset;
  for (int guard = 0; guard < 512; ++guard) {
    const uint8_t octet = out_[p];
    if ((octet & 0xC0) == 0xC0) {
      p = (size_t{octet & 0x3Fu} << 8) | out_[p + 1];
      continue;
    }
    if (i >= suffix.size() || octet != suffix[i]) {
      return false;
    }
    if (octet == 0) {
      return true;
    }
    // Byte-exact, not case-insensitive: a pointer makes the name read as the earlier
    // occurrence, and RFC 4343 §4.1 asks that the case of served data be preserved (a CNAME
    // target must not take the case of the query name).
    if (!sameOctets(out_ + p + 1, suffix.data() + i + 1, octet)) {
      return false;
    }
    i += size_t{1} + octet;
    p += size_t{1} + octet;
  }
  return false;
}

bool ResponseWriter::writeName(std::span<const uint8_t> name, bool compress) noexcept {
  // Most owners are the question name itself (the span the handler passed to writeQuestion)
  // or a suffix of it (the zone apex). For those the search below would find the question's
  // own dictionary entry, so the pointer is known without it; the octets are still compared,
  // so a caller whose question span has gone out of scope only loses the shortcut. The root
  // is never compressed.
  if (compress && questionName_ != nullptr && !name.empty() && name[0] != 0) {
    const auto begin = reinterpret_cast<uintptr_t>(questionName_);
    const auto at = reinterpret_cast<uintptr_t>(name.data());
    if (at >= begin && at - begin + name.size() == questionLength_) {
      const size_t offset = kHeaderSize + (at - begin);
      if (sameOctets(out_ + offset, name.data(), name.size())) {
        if (!fits(2)) {
          return false;
        }
        putU16(static_cast<uint16_t>(0xC000 | offset));
        return true;
      }
    }
  }
  if (compress) {
    rememberQuestion();
  }
  size_t rawLength = name.size();  // octets written as labels before a pointer (or all)
  int match = -1;
  if (compress && dictionarySize_ > 0) {
    for (size_t off = 0; off < name.size() && name[off] != 0; off += size_t{1} + name[off]) {
      const auto suffix = name.subspan(off);
      for (int e = 0; e < dictionarySize_; ++e) {
        if (dictionary_[e].length == suffix.size() && matchesAt(suffix, dictionary_[e].offset)) {
          match = e;
          break;
        }
      }
      if (match >= 0) {
        rawLength = off;
        break;
      }
    }
  }
  const size_t needed = match >= 0 ? rawLength + 2 : rawLength;
  if (!fits(needed)) {
    return false;
  }
  const size_t start = size_;
  putBytes(name.data(), rawLength);
  if (match >= 0) {
    putU16(static_cast<uint16_t>(0xC000 | dictionary_[match].offset));
  }
  if (compress) {
    for (size_t off = 0; off < rawLength && name[off] != 0; off += size_t{1} + name[off]) {
      remember(start + off, name.size() - off);
    }
  }
  return true;
}

bool ResponseWriter::writeQuestion(std::span<const uint8_t> name, uint16_t type,
                                   uint16_t cls) noexcept {
  // The first name of a response, written whole at offset 12. Its suffixes are the first
  // dictionary entries, but they are only entered once another name needs the dictionary
  // (rememberQuestion): most answers only ever point at the question itself, which writeName
  // does without the dictionary.
  if (size_ != kHeaderSize || dictionarySize_ != 0 || questionName_ != nullptr) {
    if (!writeName(name, true) || !fits(4)) {
      return false;
    }
  } else {
    if (!fits(name.size() + 4)) {
      return false;
    }
    putBytes(name.data(), name.size());
    questionName_ = name.data();
    questionLength_ = name.size();
    questionRemembered_ = false;
  }
  const uint8_t fixed[4] = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type),
                            static_cast<uint8_t>(cls >> 8), static_cast<uint8_t>(cls)};
  putBytes(fixed, sizeof(fixed));
  ++questions_;
  return true;
}

bool ResponseWriter::writeRdata(uint16_t type, std::span<const uint8_t> rdata) noexcept {
  switch (type) {
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
      if (isWireName(rdata)) {
        return writeName(rdata, true);
      }
      break;
    case kTypeMx:
      if (rdata.size() > 2 && isWireName(rdata.subspan(2))) {
        if (!fits(2)) {
          return false;
        }
        out_[size_++] = rdata[0];  // PREFERENCE
        out_[size_++] = rdata[1];
        return writeName(rdata.subspan(2), true);
      }
      break;
    case kTypeSoa: {
      const size_t mname = uncompressedNameLength(rdata);
      const size_t rname = mname == 0 ? 0 : uncompressedNameLength(rdata.subspan(mname));
      if (rname != 0 && rdata.size() == mname + rname + 20) {
        if (!writeName(rdata.first(mname), true) || !writeName(rdata.subspan(mname, rname), true) ||
            !fits(20)) {
          return false;
        }
        std::memcpy(out_ + size_, rdata.data() + mname + rname, 20);
        size_ += 20;
        return true;
      }
      break;
    }
    default:
      break;
  }
  // RFC 3597 §4: RDATA of other types is opaque and never compressed.
  if (!fits(rdata.size())) {
    return false;
  }
  std::memcpy(out_ + size_, rdata.data(), rdata.size());
  size_ += rdata.size();
  return true;
}

bool ResponseWriter::writeRecord(Section section, std::span<const uint8_t> owner, uint16_t type,
                                 uint32_t ttl, std::span<const uint8_t> rdata) noexcept {
  const Mark before = mark();
  if (!writeName(owner, true) || !fits(10)) {
    rewind(before);
    overflowed_ = true;
    return false;
  }
  // TYPE, CLASS, TTL; RDLENGTH is patched in once the (maybe compressed) RDATA is written.
  const uint8_t fixed[10] = {static_cast<uint8_t>(type >> 8),
                             static_cast<uint8_t>(type),
                             0,
                             static_cast<uint8_t>(kClassIn),
                             static_cast<uint8_t>(ttl >> 24),
                             static_cast<uint8_t>(ttl >> 16),
                             static_cast<uint8_t>(ttl >> 8),
                             static_cast<uint8_t>(ttl),
                             0,
                             0};
  static_assert(kClassIn <= 0xFF);
  const size_t lengthAt = size_ + 8;
  putBytes(fixed, sizeof(fixed));
  if (!writeRdata(type, rdata)) {
    rewind(before);
    overflowed_ = true;
    return false;
  }
  const size_t rdlength = size_ - lengthAt - 2;
  out_[lengthAt] = static_cast<uint8_t>(rdlength >> 8);
  out_[lengthAt + 1] = static_cast<uint8_t>(rdlength);
  ++counts_[static_cast<int>(section)];
  return true;
}

size_t ResponseWriter::optSize(const ClientSubnet* ecs) noexcept {
  // Root owner (1), TYPE, CLASS, TTL, RDLENGTH (10), then the options.
  return 11 + (ecs != nullptr ? clientSubnetOptionSize(*ecs) : 0);
}

bool ResponseWriter::writeOpt(uint16_t udpSize, uint8_t extendedRcode, bool dnssecOk,
                              const ClientSubnet* ecs, uint8_t scopePrefix) noexcept {
  if (!fits(optSize(ecs))) {
    return false;
  }
  out_[size_++] = 0;  // RFC 6891 §6.1.2: the owner is the root
  putU16(kTypeOpt);
  putU16(udpSize);
  // RFC 6891 §6.1.3: extended RCODE, VERSION 0, then the flags with DO (RFC 3225 §3).
  putU32((uint32_t{extendedRcode} << 24) | (dnssecOk ? kEdnsFlagDo : 0u));
  if (ecs == nullptr) {
    putU16(0);
  } else {
    putU16(static_cast<uint16_t>(clientSubnetOptionSize(*ecs)));
    putU16(kOptionEcs);
    putU16(static_cast<uint16_t>(4 + ecs->addressLength));
    putU16(ecs->family);
    out_[size_++] = ecs->sourcePrefix;
    out_[size_++] = scopePrefix;
    std::memcpy(out_ + size_, ecs->address, ecs->addressLength);
    size_ += ecs->addressLength;
  }
  ++counts_[static_cast<int>(Section::kAdditional)];
  return true;
}

void ResponseWriter::reserve(size_t bytes) noexcept {
  reserved_ += bytes;
}

void ResponseWriter::release(size_t bytes) noexcept {
  reserved_ = bytes > reserved_ ? 0 : reserved_ - bytes;
}

ResponseWriter::Mark ResponseWriter::mark() const noexcept {
  Mark m;
  m.size = size_;
  m.dictionarySize = dictionarySize_;
  m.questionRemembered = questionRemembered_;
  m.overflowed = overflowed_;
  std::memcpy(m.counts, counts_, sizeof(counts_));
  return m;
}

void ResponseWriter::rewind(const Mark& mark) noexcept {
  size_ = mark.size;
  dictionarySize_ = mark.dictionarySize;
  questionRemembered_ = mark.questionRemembered;
  overflowed_ = mark.overflowed;
  std::memcpy(counts_, mark.counts, sizeof(counts_));
}

size_t ResponseWriter::finish() noexcept {
  if (size_ < kHeaderSize) {
    return 0;
  }
  const uint16_t words[4] = {questions_, counts_[0], counts_[1], counts_[2]};
  for (int i = 0; i < 4; ++i) {
    out_[4 + 2 * i] = static_cast<uint8_t>(words[i] >> 8);
    out_[5 + 2 * i] = static_cast<uint8_t>(words[i]);
  }
  return size_;
}

}  // namespace tmdns::dns
