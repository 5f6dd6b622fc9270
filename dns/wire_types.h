// DNS protocol numbers used by the codec: types, classes, rcodes, header flags, limits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tmdns::dns {

// RFC 1035 §3.2.2, RFC 3596, RFC 6891, RFC 1995, RFC 8482.
inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeNs = 2;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypeSoa = 6;
inline constexpr uint16_t kTypePtr = 12;
inline constexpr uint16_t kTypeMx = 15;
inline constexpr uint16_t kTypeTxt = 16;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeDname = 39;
inline constexpr uint16_t kTypeOpt = 41;
inline constexpr uint16_t kTypeTkey = 249;
inline constexpr uint16_t kTypeTsig = 250;
inline constexpr uint16_t kTypeIxfr = 251;
inline constexpr uint16_t kTypeAxfr = 252;
inline constexpr uint16_t kTypeMailb = 253;
inline constexpr uint16_t kTypeMaila = 254;
inline constexpr uint16_t kTypeAny = 255;

inline constexpr uint16_t kClassIn = 1;

// RFC 1035 §4.1.1, RFC 6891 §9 (BADVERS is an extended rcode carried partly in OPT).
inline constexpr uint16_t kRcodeNoError = 0;
inline constexpr uint16_t kRcodeFormErr = 1;
inline constexpr uint16_t kRcodeServFail = 2;
inline constexpr uint16_t kRcodeNxDomain = 3;
inline constexpr uint16_t kRcodeNotImp = 4;
inline constexpr uint16_t kRcodeRefused = 5;
inline constexpr uint16_t kRcodeBadVers = 16;

// Header flag bits in the second 16-bit word (RFC 1035 §4.1.1, RFC 4035 §3.2).
inline constexpr uint16_t kFlagQr = 0x8000;
inline constexpr uint16_t kFlagAa = 0x0400;
inline constexpr uint16_t kFlagTc = 0x0200;
inline constexpr uint16_t kFlagRd = 0x0100;
inline constexpr uint16_t kFlagRa = 0x0080;
inline constexpr uint16_t kFlagAd = 0x0020;
inline constexpr uint16_t kFlagCd = 0x0010;
inline constexpr int kOpcodeShift = 11;
inline constexpr uint16_t kOpcodeMask = 0x0F;
inline constexpr uint16_t kOpcodeQuery = 0;

// RFC 6891 §6.1.4: the DO bit in the OPT TTL field.
inline constexpr uint16_t kEdnsFlagDo = 0x8000;
// RFC 7871 §6.
inline constexpr uint16_t kOptionEcs = 8;

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxNameLength = 255;  // RFC 1035 §2.3.4, in wire octets
inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMaxUdpWithoutEdns = 512;  // RFC 1035 §4.2.1
inline constexpr size_t kMaxMessage = 65535;       // RFC 1035 §4.2.2 (TCP length field)

}  // namespace tmdns::dns
