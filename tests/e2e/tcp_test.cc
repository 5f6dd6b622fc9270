// DNS over TCP details (RFC 7766): pipelined queries on one connection, split length prefixes.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {
namespace {

class Tcp : public StandardServerTest {};

// A blocking TCP connection to 127.0.0.1 with deadline-bounded reads.
class TcpConnection {
 public:
  explicit TcpConnection(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~TcpConnection() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  bool ok() const { return fd_ >= 0; }

  bool write(const Bytes& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // One length-prefixed message, or nullopt on timeout/close.
  std::optional<Bytes> readMessage(Clock::duration timeout = 2s) {
    const auto deadline = Clock::now() + timeout;
    auto readExactly = [&](size_t n) -> std::optional<Bytes> {
      Bytes out;
      while (out.size() < n) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
          return std::nullopt;
        }
        uint8_t buf[4096];
        const ssize_t got = recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
        if (got <= 0) {
          return std::nullopt;
        }
        out.insert(out.end(), buf, buf + got);
      }
      return out;
    };
    auto len = readExactly(2);
    if (!len) {
      return std::nullopt;
    }
    return readExactly(static_cast<size_t>(((*len)[0] << 8) | (*len)[1]));
  }

 private:
  int fd_ = -1;
};

Bytes framed(const Bytes& message) {
  Bytes out;
  out.reserve(message.size() + 2);
  out.push_back(static_cast<uint8_t>(message.size() >> 8));
  out.push_back(static_cast<uint8_t>(message.size()));
  for (uint8_t b : message) {
    out.push_back(b);
  }
  return out;
}

TEST_F(Tcp, PipelinedQueriesOnOneConnectionAreAllAnswered) {
  TcpConnection c(v4().port);
  ASSERT_TRUE(c.ok());
  const std::map<uint16_t, std::pair<std::string, Rr>> queries = {
      {101, {"prio-ip", Rr::of("prio-ip.tm.example.test. 60 IN A 192.0.2.1")}},
      {102, {"prio-fqdn", Rr::of("prio-fqdn.tm.example.test. 45 IN CNAME first.example.test.")}},
      {103, {"deep.a.b", Rr::of("deep.a.b.tm.example.test. 300 IN A 192.0.2.20")}},
      {104,
       {"app.partners",
        Rr::of("app.partners.tm.example.test. 25 IN CNAME partner-app.example.test.")}}};
  // All queries in one write: RFC 7766 §6.2.1.1 requires servers to process them all.
  Bytes all;
  for (const auto& [id, q] : queries) {
    QueryOptions o;
    o.id = id;
    const Bytes one = framed(buildQuery(inZone(q.first), LDNS_RR_TYPE_A, o));
    all.insert(all.end(), one.begin(), one.end());
  }
  ASSERT_TRUE(c.write(all));
  std::map<uint16_t, int> answered;
  for (size_t i = 0; i < queries.size(); ++i) {
    auto wire = c.readMessage();
    ASSERT_TRUE(wire) << "only " << i << " of " << queries.size() << " answers";
    std::string error;
    auto m = decode(*wire, error);
    ASSERT_TRUE(m) << error;
    ASSERT_TRUE(queries.count(m->id)) << "unknown id " << m->id;
    ++answered[m->id];
    EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, {queries.at(m->id).second}, {}));
  }
  for (const auto& [id, q] : queries) {
    EXPECT_EQ(answered[id], 1) << "id " << id;
  }
}

TEST_F(Tcp, MessageSplitAcrossWritesIsReassembled) {
  TcpConnection c(v4().port);
  ASSERT_TRUE(c.ok());
  QueryOptions o;
  o.id = 0x5151;
  const Bytes message = framed(buildQuery(kZone, LDNS_RR_TYPE_SOA, o));
  // The length prefix alone, then the rest in two pieces (RFC 7766 §8: no assumptions on
  // segment boundaries).
  ASSERT_TRUE(c.write(Bytes(message.begin(), message.begin() + 1)));
  std::this_thread::sleep_for(20ms);  // a pause to let the pieces arrive apart, not a timing check
  ASSERT_TRUE(c.write(Bytes(message.begin() + 1, message.begin() + 7)));
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(c.write(Bytes(message.begin() + 7, message.end())));
  auto wire = c.readMessage();
  ASSERT_TRUE(wire);
  std::string error;
  auto m = decode(*wire, error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(m->id, 0x5151);
  EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_NOERROR, {kApexSoa}, {}));
  // The connection stays usable for a second query.
  o.id = 0x5152;
  ASSERT_TRUE(c.write(framed(buildQuery(inZone("nothere"), LDNS_RR_TYPE_A, o))));
  auto second = c.readMessage();
  ASSERT_TRUE(second);
  auto n = decode(*second, error);
  ASSERT_TRUE(n) << error;
  EXPECT_EQ(n->id, 0x5152);
  EXPECT_TRUE(messageMatches(*n, LDNS_RCODE_NXDOMAIN, {}, {kNegativeSoa}));
}

}  // namespace
}  // namespace tmdns::e2e
