// parseRequest: request line, header fields, framing checks, in RFC 9112 order.
#include "http/request_parser.h"

#include <charconv>

#include "util/text.h"

namespace tmdns::http {
namespace {

// RFC 9110 §5.6.2 tchar.
bool isTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isToken(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (const char c : text) {
    if (!isTchar(c)) {
      return false;
    }
  }
  return true;
}

// RFC 9110 §5.5 field-value characters: VCHAR, SP, HTAB and obs-text.
bool isFieldValueChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

ParseResult error(int status, std::string reason) {
  ParseResult result;
  result.status = ParseResult::Status::kError;
  result.errorStatus = status;
  result.errorReason = std::move(reason);
  return result;
}

// One line ending at `input[pos]`'s next LF. Returns false when no LF has arrived yet; sets
// `bad` when the line does not end in CRLF or holds a CR elsewhere (RFC 9112 §2.2).
bool nextLine(std::string_view input, size_t pos, std::string_view& line, size_t& next, bool& bad) {
  const size_t lf = input.find('\n', pos);
  if (lf == std::string_view::npos) {
    return false;
  }
  next = lf + 1;
  if (lf == pos || input[lf - 1] != '\r') {
    bad = true;
    return true;
  }
  line = input.substr(pos, lf - 1 - pos);
  bad = line.find('\r') != std::string_view::npos;
  return true;
}

std::string_view trimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// Splits the request target (RFC 9112 §3.2) into path and query. False for a form this server
// does not take.
bool splitTarget(const std::string& method, std::string_view target, Request& request) {
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return false;
    }
  }
  std::string_view rest = target;
  if (rest == "*") {
    request.path = "*";  // asterisk-form (OPTIONS): no resource of ours
    return true;
  }
  // §3.2.2: a server MUST accept the absolute-form; only its path matters here.
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (rest.size() >= scheme.size() &&
        util::equalsIgnoreCase(rest.substr(0, scheme.size()), scheme)) {
      rest.remove_prefix(scheme.size());
      const size_t slash = rest.find_first_of("/?");
      rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
      if (rest.front() == '?') {
        request.path = "/";
        request.query = std::string(rest.substr(1));
        return true;
      }
      break;
    }
  }
  if (rest.empty() || rest.front() != '/') {
    // authority-form is for CONNECT only (§3.2.3); it names no path of ours.
    if (method == "CONNECT") {
      request.path.clear();
      return true;
    }
    return false;
  }
  const size_t question = rest.find('?');
  request.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) {
    request.query = std::string(rest.substr(question + 1));
  }
  return true;
}

}  // namespace

ParseResult parseRequest(std::string_view input, const ParserLimits& limits) {
  size_t pos = 0;
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
  for (int i = 0; i < 4 && input.substr(pos, 2) == "\r\n"; ++i) {
    pos += 2;
  }
  const size_t start = pos;

  // Request line (RFC 9112 §3): method SP request-target SP HTTP-version CRLF.
  std::string_view line;
  size_t next = 0;
  bool bad = false;
  if (!nextLine(input, pos, line, next, bad)) {
    const std::string_view partial = input.substr(pos);
    // A final CR may be the start of the CRLF still arriving: it is not part of the line, and
    // the verdict must not depend on how the request was split into segments (found by fuzz/).
    const bool endsInCr = !partial.empty() && partial.back() == '\r';
    if (partial.size() - (endsInCr ? 1 : 0) > limits.maxRequestLine) {
      return partial.find(' ') != std::string_view::npos ? error(414, "request line too long")
                                                         : error(400, "no request line");
    }
    // No LF has arrived, so any CR before the last octet is not followed by one.
    const size_t cr = partial.find('\r');
    if (cr != std::string_view::npos && cr + 1 < partial.size()) {
      return error(400, "bare CR in the request line");
    }
    return {};
  }
  if (bad) {
    return error(400, "request line not terminated by CRLF");
  }
  if (line.size() > limits.maxRequestLine) {
    return error(414, "request line too long");
  }
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return error(400, "malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) {
    return error(400, "malformed method");
  }
  // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT (case-sensitive).
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[5] < '0' ||
      version[5] > '9' || version[6] != '.' || version[7] < '0' || version[7] > '9') {
    return error(400, "malformed HTTP version");
  }
  if (version[5] != '1') {
    return error(505, "only HTTP/1.x is served");
  }
  ParseResult result;
  Request& request = result.request;
  request.method = std::string(method);
  request.target = std::string(target);
  request.versionMinor = version[7] - '0';
  if (target.empty() || !splitTarget(request.method, target, request)) {
    return error(400, "malformed request target");
  }

  // Header fields (RFC 9112 §5) up to the empty line.
  pos = next;
  for (;;) {
    if (!nextLine(input, pos, line, next, bad)) {
      if (input.size() - start > limits.maxHeadBytes) {
        return error(431, "request header fields too large");
      }
      return {};
    }
    if (next - start > limits.maxHeadBytes) {
      return error(431, "request header fields too large");
    }
    if (bad) {
      return error(400, "header line not terminated by CRLF");
    }
    pos = next;
    if (line.empty()) {
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      return error(400, "obsolete line folding");  // §5.2
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return error(400, "header line without a colon");
    }
    const std::string_view name = line.substr(0, colon);
    if (!isToken(name)) {
      // Includes whitespace between the name and the colon (§5.1: MUST reject with 400).
      return error(400, "malformed header field name");
    }
    const std::string_view value = trimOws(line.substr(colon + 1));
    for (const char c : value) {
      if (!isFieldValueChar(c)) {
        return error(400, "control character in a header field");
      }
    }
    if (request.headers.size() >= limits.maxHeaderCount) {
      return error(431, "too many header fields");
    }
    request.headers.emplace_back(std::string(name), std::string(value));
  }

  // Framing and Host (RFC 9112 §3.2, §6).
  int hosts = 0;
  bool hasLength = false;
  bool hasTransferEncoding = false;
  size_t length = 0;
  for (const auto& [name, value] : request.headers) {
    if (util::equalsIgnoreCase(name, "Host")) {
      ++hosts;
    } else if (util::equalsIgnoreCase(name, "Transfer-Encoding")) {
      hasTransferEncoding = true;
    } else if (util::equalsIgnoreCase(name, "Content-Length")) {
      size_t parsed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        return error(400, "invalid Content-Length");
      }
      if (hasLength && parsed != length) {
        return error(400, "conflicting Content-Length");
      }
      hasLength = true;
      length = parsed;
    }
  }
  if (request.versionMinor >= 1 ? hosts != 1 : hosts > 1) {
    return error(400, hosts == 0 ? "missing Host" : "more than one Host");
  }
  if (hasTransferEncoding) {
    // §6.1: both framings at once is a smuggling attempt; HTTP/1.0 has no transfer coding.
    if (hasLength || request.versionMinor == 0) {
      return error(400, "Transfer-Encoding with Content-Length or in HTTP/1.0");
    }
    return error(501, "transfer codings are not supported");
  }
  if (length > limits.maxBody) {
    return error(413, "request content is not accepted");
  }
  if (input.size() - pos < length) {
    return {};  // the (small) body is still arriving
  }
  result.status = ParseResult::Status::kComplete;
  result.consumed = pos + length;
  return result;
}

}  // namespace tmdns::http
