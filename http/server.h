// A small HTTP/1.1 server on its own thread: epoll, non-blocking sockets, one request per
// connection, bounded buffers, timeouts and a connection cap.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"
#include "http/request_parser.h"

namespace tmdns::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6
  uint16_t port = 0;               // 0 = any free port (see Server::port())
  int maxConnections = 32;         // more are accepted and closed at once (with a 503 if it fits)
  int requestTimeoutMs = 5000;     // a request must be complete this long after the accept: 408
  int writeTimeoutMs = 5000;       // a response must be taken this long after it is ready
  int lingerMs = 1000;  // after the response, unread input is drained this long before close
  ParserLimits limits;
};

// Responses by status code and connections turned away, since start.
struct ServerStats {
  std::vector<std::pair<int, uint64_t>> responses;  // every status the server can send
  uint64_t rejectedConnections = 0;                 // over maxConnections
  uint64_t timeouts = 0;                            // 408s and responses never taken
};

class Server {
 public:
  // Runs on the server's thread, one request at a time; an exception becomes a 500.
  using Handler = std::function<Response(const Request&)>;

  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Creates the listening socket. False with `error` (naming the address) on failure.
  bool bind(std::string& error);
  uint16_t port() const;

  // Starts the thread. stop() closes every connection and joins it; both are idempotent.
  void start();
  void stop();

  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tmdns::http
