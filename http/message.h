// HTTP/1.1 request and response messages as the status server sees them (RFC 9110, RFC 9112).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tmdns::http {

struct Request {
  std::string method;    // case-sensitive token (RFC 9110 §9.1)
  std::string target;    // as received
  std::string path;      // the target's path ("/metrics"); "*" for the asterisk form
  std::string query;     // after '?', without it
  int versionMinor = 1;  // HTTP/1.<minor>
  std::vector<std::pair<std::string, std::string>> headers;  // names as received

  // The first field named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields (e.g. Allow)
};

// A short text response: "<reason>\n" as the body.
Response textResponse(int status, std::string body);

// "OK", "Not Found", ... for the codes the server uses; "Unknown" otherwise.
std::string_view reasonPhrase(int status);

// The whole response with Content-Type, Content-Length, Date, Cache-Control: no-store and
// Connection: close (one request per connection); `headOnly` leaves the body out (HEAD,
// RFC 9110 §9.3.2) but keeps its Content-Length. `date` is an IMF-fixdate.
std::string serialize(const Response& response, bool headOnly, std::string_view date);

// RFC 9110 §5.6.7 IMF-fixdate of a Unix time: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string imfFixdate(long long unixSeconds);

}  // namespace tmdns::http
