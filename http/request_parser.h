// A strict, bounded HTTP/1.1 request parser (RFC 9112): one request per connection, no bodies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.h"

namespace tmdns::http {

struct ParserLimits {
  size_t maxRequestLine = 4096;  // beyond: 414
  size_t maxHeadBytes = 8192;    // request line and header fields together; beyond: 431
  size_t maxHeaderCount = 64;    // beyond: 431
  size_t maxBody = 1024;         // Content-Length beyond: 413 (no endpoint takes content)
};

struct ParseResult {
  enum class Status { kIncomplete, kComplete, kError };
  Status status = Status::kIncomplete;
  int errorStatus = 0;  // kError: the response status (400, 413, 414, 431, 501, 505)
  std::string errorReason;
  Request request;      // kComplete
  size_t consumed = 0;  // kComplete: head and body
};

// Parses the start of `input`, everything received so far on a connection. Re-parsing a grown
// buffer from the start is cheap at these sizes and keeps the parser stateless. Rejects rather
// than repairs (RFC 9112 lets a server do either): bare LF or CR line ends, whitespace before a
// field's colon (§5.1), obsolete line folding (§5.2), control characters, a missing or repeated
// Host in HTTP/1.1 (§3.2), an invalid or conflicting Content-Length (§6.3), Transfer-Encoding
// (501: this server reads no content) and versions other than HTTP/1.x (505).
ParseResult parseRequest(std::string_view input, const ParserLimits& limits = {});

}  // namespace tmdns::http
