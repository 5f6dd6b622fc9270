// Router::route: method, then path, then the handler.
#include "http/router.h"

#include <string_view>

namespace tmdns::http {
namespace {

// RFC 9110 §9.3 and RFC 5789 (PATCH): the methods this server knows but only partly serves.
bool isKnownMethod(std::string_view method) {
  for (const std::string_view known :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
    if (method == known) {
      return true;
    }
  }
  return false;
}

}  // namespace

void Router::get(const std::string& path, Handler handler) {
  handlers_[path] = std::move(handler);
}

Response Router::route(const Request& request) const {
  if (!isKnownMethod(request.method)) {
    return textResponse(501, "method not implemented");
  }
  auto it = handlers_.find(request.path);
  if (it == handlers_.end()) {
    return textResponse(404, "not found");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response response = textResponse(405, "method not allowed");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  return it->second(request);
}

}  // namespace tmdns::http
