// What client-aware policies read from the request: the address, the ECS scope, a stable hash.
#pragma once

#include <cstdint>

#include "geo/address.h"
#include "routing/policy.h"

namespace tmdns::routing {

// The client's address (the ECS prefix's network address, or the source address); false when
// the request carries none (§3.4), which policies treat as an unlocated client.
bool clientAddress(const ClientInfo& client, geo::Address& out) noexcept;

// RFC 7871 §7.2.1: the answer depends on the client's first `prefix` bits. Widens out.ecsScope
// to it, but never past the query's SOURCE PREFIX-LENGTH: we cannot claim to have used bits the
// resolver did not send. Every lookup that decided something about this answer calls it, so
// the scope is the longest of them (the block in which all of those lookups agree).
void widenScope(const ClientInfo& client, Selection& out, uint8_t prefix) noexcept;

// A deterministic hash of the client's address truncated to its first `prefix` bits, so every
// client of one scope block hashes alike (§2.4: the same source gets the same answer).
uint64_t clientHash(const ClientInfo& client, uint8_t prefix, uint64_t salt) noexcept;

}  // namespace tmdns::routing
