// libFuzzer target: the bytes a client sends to the metrics/status listener, through
// http::parseRequest as the server re-parses its growing buffer, then routing, the Accept
// negotiation of /metrics and response serialization.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "http/message.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "metrics/exposition.h"

namespace {

using tmdns::fuzz::fail;
using tmdns::http::ParseResult;

// The longest input the parser may still call incomplete: four leading empty lines (RFC 9112
// §2.2), the head and the content. Anything longer must be answered, or the server would
// buffer without bound.
size_t maxIncomplete(const tmdns::http::ParserLimits& limits) {
  return 8 + limits.maxHeadBytes + limits.maxBody;
}

tmdns::http::Router makeRouter() {
  tmdns::http::Router router;
  // The paths app/observability.cc serves, with stand-in bodies.
  router.get("/metrics", [](const tmdns::http::Request& request) {
    const std::string* accept = request.header("Accept");
    const tmdns::metrics::Format format =
        tmdns::metrics::negotiate(accept != nullptr ? *accept : "");
    tmdns::http::Response response;
    response.contentType = std::string(tmdns::metrics::contentType(format));
    response.body = "# EOF\n";
    return response;
  });
  router.get("/healthz",
             [](const tmdns::http::Request&) { return tmdns::http::textResponse(200, "ok"); });
  router.get("/readyz", [](const tmdns::http::Request&) {
    return tmdns::http::textResponse(503, "not ready");
  });
  router.get("/status", [](const tmdns::http::Request&) {
    return tmdns::http::textResponse(503, "no configuration served yet");
  });
  return router;
}

bool sameRequest(const ParseResult& a, const ParseResult& b) {
  return a.status == b.status && a.consumed == b.consumed && a.request.method == b.request.method &&
         a.request.target == b.request.target && a.request.path == b.request.path &&
         a.request.query == b.request.query && a.request.versionMinor == b.request.versionMinor &&
         a.request.headers == b.request.headers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tmdns::http::Router router = makeRouter();
  static const tmdns::http::ParserLimits limits;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const ParseResult whole = tmdns::http::parseRequest(input, limits);

  switch (whole.status) {
    case ParseResult::Status::kIncomplete:
      if (input.size() > maxIncomplete(limits)) {
        fail("still incomplete after " + std::to_string(input.size()) + " octets");
      }
      break;
    case ParseResult::Status::kError:
      if (whole.errorStatus < 400 || whole.errorStatus > 599 || whole.errorReason.empty()) {
        fail("an error without a 4xx/5xx status and a reason");
      }
      break;
    case ParseResult::Status::kComplete: {
      if (whole.consumed == 0 || whole.consumed > input.size()) {
        fail("consumed " + std::to_string(whole.consumed) + " of " + std::to_string(input.size()) +
             " octets");
      }
      // The server re-parses its buffer as it grows: the request must read the same from
      // exactly its own octets, and must not be complete one octet earlier.
      const ParseResult exact = tmdns::http::parseRequest(input.substr(0, whole.consumed), limits);
      if (!sameRequest(whole, exact)) {
        fail("the request reads differently without the octets after it");
      }
      const ParseResult early =
          tmdns::http::parseRequest(input.substr(0, whole.consumed - 1), limits);
      if (early.status == ParseResult::Status::kComplete) {
        fail("complete one octet before its end");
      }
      const tmdns::http::Response response = router.route(whole.request);
      const bool head = whole.request.method == "HEAD";
      const std::string wire = tmdns::http::serialize(response, head, tmdns::http::imfFixdate(0));
      if (wire.rfind("HTTP/1.1 ", 0) != 0 || wire.find("\r\n\r\n") == std::string::npos) {
        fail("a serialized response without a status line or an end of head");
      }
      break;
    }
  }

  // Segmentation must not change the outcome: a prefix that is already an error means the
  // server rejected the request before the rest arrived, so the whole input must be an error
  // too. Checked at every line end (where the parser decides) and half way.
  int checked = 0;
  for (size_t cut = 1; cut < input.size() && checked < 64; ++cut) {
    if (input[cut - 1] != '\n' && input[cut - 1] != '\r' && cut != input.size() / 2) {
      continue;
    }
    ++checked;
    const ParseResult prefix = tmdns::http::parseRequest(input.substr(0, cut), limits);
    if (prefix.status == ParseResult::Status::kError &&
        whole.status != ParseResult::Status::kError) {
      fail("the first " + std::to_string(cut) + " octets are rejected (" + prefix.errorReason +
           ") but the whole request is not");
    }
    if (prefix.status == ParseResult::Status::kComplete &&
        (whole.status != ParseResult::Status::kComplete || prefix.consumed != whole.consumed)) {
      fail("the first " + std::to_string(cut) + " octets are a different complete request");
    }
  }
  return 0;
}
