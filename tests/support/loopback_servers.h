// Test backends on loopback only: an HTTP server with switchable behaviour (also a plain TCP
// listener), a UDP DNS responder and an `openssl s_server` TLS backend, shared by the probe
// engine's unit tests and the end-to-end probe tests.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tmdns::probes::testing {

// A loopback port with nothing listening on it (bound once to learn a free number, then closed):
// connecting to it is refused.
uint16_t unusedPort(const std::string& address = "127.0.0.1");

// A tiny HTTP/1.1 server on `address` (loopback) whose answer is switched by the test.
class HttpBackend {
 public:
  enum class Mode {
    k200,         // 200 OK, small body
    k503,         // 503 Service Unavailable
    k301,         // 301 to a loopback URL (never followed by the prober)
    kHang,        // accepts and reads, never answers
    kTrickle,     // sends a status line, then one header byte every 200 ms, never ending
    kBigBody,     // 200 OK with a 16 MiB body, written as fast as the client reads
    kGarbage,     // writes plain HTTP at once without reading (a TLS client fails its handshake)
    kHugeHeader,  // a 1 MiB header line after the status line, written at once
  };

  explicit HttpBackend(const std::string& address = "127.0.0.1", uint16_t port = 0);
  ~HttpBackend();
  HttpBackend(const HttpBackend&) = delete;
  HttpBackend& operator=(const HttpBackend&) = delete;

  uint16_t port() const { return port_; }
  void setMode(Mode mode) { mode_.store(mode); }
  // Closes the listener and every connection: the port then refuses connections.
  void stop();

  int requestCount() const;
  std::vector<std::string> requests() const;  // request heads as received, in order
  std::vector<std::chrono::steady_clock::time_point> requestTimes() const;
  std::vector<std::string> peers() const;  // source address of every accepted connection
  size_t bodyBytesSent() const { return bodySent_.load(); }

 private:
  struct Connection {
    int fd = -1;
    std::string in;
    std::string out;
    size_t bodyLeft = 0;  // kBigBody: zeros still to send after `out`
    bool answered = false;
    bool hang = false;
    bool trickle = false;
    std::chrono::steady_clock::time_point nextTrickle;
  };

  void run();
  void respond(Connection& c);
  bool flush(Connection& c);  // false when the connection is finished or broken

  int listen_ = -1;
  int stopPipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<Mode> mode_{Mode::k200};
  std::atomic<size_t> bodySent_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::chrono::steady_clock::time_point> times_;
  std::vector<std::string> peers_;
  std::thread thread_;
  bool stopped_ = false;
};

// A UDP DNS responder on 127.0.0.1: A/AAAA answers from a table, NXDOMAIN for unknown names,
// silence for names marked silent. Counts the queries it receives per "name/TYPE".
class DnsResponder {
 public:
  DnsResponder();
  ~DnsResponder();
  DnsResponder(const DnsResponder&) = delete;
  DnsResponder& operator=(const DnsResponder&) = delete;

  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  void setA(const std::string& name, std::vector<std::string> addresses, uint32_t ttl);
  void setAaaa(const std::string& name, std::vector<std::string> addresses, uint32_t ttl);
  void setSilent(const std::string& name);
  int queries(const std::string& name, const std::string& type) const;  // type "A" / "AAAA"
  std::vector<std::string> seenNames() const;  // every "name/TYPE" queried so far
  std::vector<std::chrono::steady_clock::time_point> queryTimes(const std::string& name,
                                                                const std::string& type) const;

 private:
  struct Records {
    std::vector<std::string> a;
    std::vector<std::string> aaaa;
    uint32_t ttl = 300;
    bool silent = false;
  };

  void run();

  int socket_ = -1;
  int stopPipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Records> records_;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> seen_;
  std::thread thread_;
};

// `openssl s_server -www` on 127.0.0.1 with a self-signed certificate for `commonName`, made by
// the openssl CLI in a temporary directory. Answers every GET with 200.
class TlsBackend {
 public:
  explicit TlsBackend(const std::string& commonName = "backend.probe.test");
  ~TlsBackend();
  TlsBackend(const TlsBackend&) = delete;
  TlsBackend& operator=(const TlsBackend&) = delete;

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int out_ = -1;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace tmdns::probes::testing
