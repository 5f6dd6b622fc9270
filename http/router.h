// Maps request paths to handlers and answers what no handler takes: 404, 405 with Allow, 501.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "http/message.h"

namespace tmdns::http {

class Router {
 public:
  using Handler = std::function<Response(const Request&)>;

  // `path` answers GET and HEAD (the server drops the body for HEAD).
  void get(const std::string& path, Handler handler);

  // RFC 9110 §15: 501 for a method the server does not know (§9.1: methods are
  // case-sensitive), 404 for an unknown path, 405 with Allow for a known method other than
  // GET/HEAD.
  Response route(const Request& request) const;

 private:
  std::map<std::string, Handler> handlers_;
};

}  // namespace tmdns::http
