// The HTTP server over real loopback sockets: answers, bad requests, slow and surplus clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace tmdns::http {
namespace {

using namespace std::chrono_literals;

// A connected loopback client socket, closed on destruction.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Client() { ::close(fd_); }

  bool connected() const { return connected_; }
  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
  }
  // Everything until the server closes, or until `timeout`.
  std::string readAll(std::chrono::milliseconds timeout = 5000ms, bool* closed = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        break;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        break;
      }
      char buffer[4096];
      const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
      if (got <= 0) {
        if (closed != nullptr) {
          *closed = true;
        }
        break;
      }
      out.append(buffer, static_cast<size_t>(got));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int statusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) {
    return -1;
  }
  return std::stoi(response.substr(9, 3));
}

std::string bodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    router_.get("/hello", [this](const Request& r) {
      ++handled_;
      return textResponse(200, "hello " + r.query);
    });
    options.host = "127.0.0.1";
    options.port = 0;
    server_ =
        std::make_unique<Server>(options, [this](const Request& r) { return router_.route(r); });
    std::string error;
    ASSERT_TRUE(server_->bind(error)) << error;
    ASSERT_NE(server_->port(), 0);
    server_->start();
  }
  std::string roundTrip(const std::string& request) {
    Client client(server_->port());
    EXPECT_TRUE(client.connected());
    client.send(request);
    return client.readAll();
  }
  uint64_t responses(int status) const {
    for (const auto& [code, count] : server_->stats().responses) {
      if (code == status) {
        return count;
      }
    }
    return 0;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::atomic<int> handled_{0};
};

TEST_F(HttpServerTest, AnswersAndClosesTheConnection) {
  start();
  bool closed = false;
  Client client(server_->port());
  client.send("GET /hello?x HTTP/1.1\r\nHost: t\r\n\r\n");
  const std::string response = client.readAll(5000ms, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(statusOf(response), 200);
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(response.find("Content-Length: 8\r\n"), std::string::npos);
  EXPECT_EQ(bodyOf(response), "hello x\n");
  const std::string head = roundTrip("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(statusOf(head), 200);
  EXPECT_EQ(bodyOf(head), "");
  EXPECT_EQ(responses(200), 2u);
}

TEST_F(HttpServerTest, BadRequestsGetTheirStatus) {
  start();
  struct Case {
    std::string request;
    int status;
  };
  const std::vector<Case> cases = {
      {"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", 404},
      {"DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n", 405},
      {"GET /hello HTTP/1.1\r\n\r\n", 400},
      {"GARBAGE\r\n\r\n", 400},
      {"GET /hello HTTP/1.1\r\nHost: t\r\nX: " + std::string(20000, 'x') + "\r\n\r\n", 431},
      {"GET /" + std::string(6000, 'p') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
      {"GET /hello HTTP/2.0\r\nHost: t\r\n\r\n", 505},
      {"BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n", 501},
  };
  for (const Case& c : cases) {
    const std::string response = roundTrip(c.request);
    EXPECT_EQ(statusOf(response), c.status) << c.request.substr(0, 60) << "\n" << response;
  }
  const std::string notAllowed = roundTrip("POST /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(notAllowed.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, SlowClientsAreTimedOut) {
  ServerOptions options;
  options.requestTimeoutMs = 300;
  start(options);
  Client silent(server_->port());
  Client trickle(server_->port());
  trickle.send("GET /hel");
  bool closed = false;
  const auto before = std::chrono::steady_clock::now();
  const std::string response = silent.readAll(5000ms, &closed);
  EXPECT_EQ(statusOf(response), 408);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 4000ms);
  EXPECT_EQ(statusOf(trickle.readAll()), 408);
  EXPECT_EQ(server_->stats().timeouts, 2u);
  // The server still answers others.
  EXPECT_EQ(statusOf(roundTrip("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")), 200);
}

TEST_F(HttpServerTest, SurplusConnectionsAreClosedAtOnce) {
  ServerOptions options;
  options.maxConnections = 2;
  start(options);
  Client a(server_->port());
  Client b(server_->port());
  // Make sure both are accepted (and hold their slots) before the third arrives.
  a.send("GET /hel");
  b.send("GET /hel");
  std::this_thread::sleep_for(200ms);
  Client c(server_->port());
  bool closed = false;
  const std::string response = c.readAll(3000ms, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(statusOf(response), 503);
  EXPECT_EQ(server_->stats().rejectedConnections, 1u);
  // The held connections are untouched and still served.
  a.send("lo HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(statusOf(a.readAll()), 200);
}

TEST_F(HttpServerTest, ARequestWithALargeUnreadBodyStillGetsItsAnswer) {
  start();
  Client client(server_->port());
  client.send("POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" +
              std::string(200000, 'z'));
  EXPECT_EQ(statusOf(client.readAll()), 413);
}

TEST_F(HttpServerTest, StopClosesEverything) {
  start();
  Client idle(server_->port());
  server_->stop();
  bool closed = false;
  idle.readAll(2000ms, &closed);
  EXPECT_TRUE(closed);
  server_->stop();  // idempotent
}

}  // namespace
}  // namespace tmdns::http
