// Syntax checks and the normal form of DNS names written in the configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tmdns::config {

// RFC 1035 §2.3.4: at most 253 characters in presentation form without the final dot.
inline constexpr size_t kMaxDnsNameLength = 253;

// Lower-cased, without one trailing dot: the form names are compared and stored in.
std::string normalizeDnsName(std::string_view name);

// Why `name` is not a usable host name, or nullopt: labels of 1..63 letters, digits, '-' or
// '_', at most kMaxDnsNameLength characters in all. `name` has no trailing dot.
std::optional<std::string> dnsNameProblem(std::string_view name);

// True when `name` equals `zone` or lies below it (both normalized).
bool isAtOrBelow(std::string_view name, std::string_view zone);

}  // namespace tmdns::config
