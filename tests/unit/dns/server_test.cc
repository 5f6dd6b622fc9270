// Unit tests for dns::Server: real UDP and TCP queries over loopback against a built snapshot.
#include "dns/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

// After the C++ headers: ldns's headers define macros that break <optional> if seen first.
#include <ldns/ldns.h>

#include "dns/snapshot_builder.h"
#include "dns/socket_address.h"

namespace tmdns::dns {
namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<uint8_t>;

constexpr uint16_t kTypeSoa = 6;
constexpr uint16_t kClassIn = 1;
// Generous: a timeout here means a lost answer, never a slow one.
constexpr int kAnswerTimeoutMs = 5000;

Bytes wire(const std::string& dotted) {
  Bytes out;
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) {
      dot = dotted.size();
    }
    out.push_back(static_cast<uint8_t>(dot - start));
    out.insert(out.end(), dotted.begin() + static_cast<std::ptrdiff_t>(start),
               dotted.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

// Byte by byte: GCC 12 misreports vector::insert after push_back as out of bounds
// (-Warray-bounds), and the test builds with -Werror.
void append(Bytes& out, const Bytes& more) {
  for (uint8_t b : more) {
    out.push_back(b);
  }
}

void putU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void putU32(Bytes& out, uint32_t v) {
  putU16(out, static_cast<uint16_t>(v >> 16));
  putU16(out, static_cast<uint16_t>(v));
}

// One zone, example.test, with an SOA whose serial tells snapshots apart, and one NS.
std::shared_ptr<const Snapshot> makeSnapshot(uint32_t serial) {
  Bytes soa = wire("ns1.example.test");
  const Bytes rname = wire("hostmaster.example.test");
  append(soa, rname);
  putU32(soa, serial);
  putU32(soa, 3600);   // refresh
  putU32(soa, 600);    // retry
  putU32(soa, 86400);  // expire
  putU32(soa, 60);     // minimum
  SnapshotBuilder builder;
  const uint32_t zone =
      builder.addZone(wire("example.test"), 3600, soa, 3600, {wire("ns1.example.test")});
  EXPECT_NE(zone, kNoIndex);
  builder.setIdentity(serial, "test");
  return std::shared_ptr<const Snapshot>(builder.finish());
}

Bytes makeQuery(uint16_t id, const std::string& name, uint16_t type) {
  Bytes q;
  putU16(q, id);
  putU16(q, 0);  // QR=0 OPCODE=QUERY, RD=0: an authoritative server is asked
  putU16(q, 1);  // QDCOUNT
  putU16(q, 0);
  putU16(q, 0);
  putU16(q, 0);
  const Bytes qname = wire(name);
  append(q, qname);
  putU16(q, type);
  putU16(q, kClassIn);
  return q;
}

// RFC 1035 §4.2.2: a two-byte length, then the message.
Bytes framed(const Bytes& message) {
  Bytes out(2 + message.size());
  out[0] = static_cast<uint8_t>(message.size() >> 8);
  out[1] = static_cast<uint8_t>(message.size());
  std::copy(message.begin(), message.end(), out.begin() + 2);
  return out;
}

struct Decoded {
  bool ok = false;
  uint16_t id = 0;
  bool qr = false;
  bool aa = false;
  int rcode = -1;
  size_t answers = 0;
  uint32_t soaSerial = 0;
};

Decoded decode(const Bytes& response) {
  Decoded d;
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, response.data(), response.size()) != LDNS_STATUS_OK) {
    return d;
  }
  d.ok = true;
  d.id = ldns_pkt_id(pkt);
  d.qr = ldns_pkt_qr(pkt);
  d.aa = ldns_pkt_aa(pkt);
  d.rcode = ldns_pkt_get_rcode(pkt);
  const ldns_rr_list* answer = ldns_pkt_answer(pkt);
  d.answers = ldns_rr_list_rr_count(answer);
  if (d.answers > 0) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, 0);
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3) {
      d.soaSerial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
    }
  }
  ldns_pkt_free(pkt);
  return d;
}

// The exact answer every test expects for "example.test SOA" with snapshot `serial`.
void expectSoaAnswer(const Bytes& response, uint16_t id, uint32_t serial) {
  const Decoded d = decode(response);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.id, id);
  EXPECT_TRUE(d.qr);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.rcode, LDNS_RCODE_NOERROR);
  EXPECT_EQ(d.answers, 1u);
  EXPECT_EQ(d.soaSerial, serial);
}

SocketAddress addressOf(const std::string& host, uint16_t port) {
  SocketAddress address;
  EXPECT_TRUE(SocketAddress::parse(host, port, address)) << host;
  return address;
}

bool waitReadable(int fd, int timeoutMs) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeoutMs) == 1;
}

class UdpClient {
 public:
  UdpClient(const std::string& host, uint16_t port) {
    const SocketAddress address = addressOf(host, port);
    fd_ = socket(address.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(connect(fd_, address.get(), address.length()), 0) << std::strerror(errno);
  }
  ~UdpClient() { close(fd_); }

  // Sends `query` and waits for the answer with the same ID; false on timeout.
  bool ask(const Bytes& query, Bytes& response, int timeoutMs = kAnswerTimeoutMs) {
    if (send(fd_, query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) {
      return false;
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || !waitReadable(fd_, static_cast<int>(left))) {
        return false;
      }
      response.resize(65535);
      const ssize_t got = recv(fd_, response.data(), response.size(), 0);
      if (got < 12) {
        continue;
      }
      response.resize(static_cast<size_t>(got));
      if (response[0] == query[0] && response[1] == query[1]) {
        return true;
      }
    }
  }

 private:
  int fd_ = -1;
};

class TcpClient {
 public:
  TcpClient(const std::string& host, uint16_t port) {
    const SocketAddress address = addressOf(host, port);
    fd_ = socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(connect(fd_, address.get(), address.length()), 0) << std::strerror(errno);
  }
  ~TcpClient() { close(fd_); }

  bool write(const Bytes& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads one length-prefixed message; false on timeout or close.
  bool read(Bytes& message, int timeoutMs = kAnswerTimeoutMs) {
    Bytes prefix;
    if (!readExactly(2, prefix, timeoutMs)) {
      return false;
    }
    return readExactly((size_t{prefix[0]} << 8) | prefix[1], message, timeoutMs);
  }

  // True when the server closes the connection (EOF or reset) within the timeout.
  bool waitClosed(int timeoutMs) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || !waitReadable(fd_, static_cast<int>(left))) {
        return false;
      }
      uint8_t byte;
      const ssize_t got = recv(fd_, &byte, 1, 0);
      if (got == 0 || (got < 0 && errno == ECONNRESET)) {
        return true;
      }
    }
  }

  void shutdownWrite() { shutdown(fd_, SHUT_WR); }

 private:
  bool readExactly(size_t n, Bytes& out, int timeoutMs) {
    out.resize(n);
    size_t have = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (have < n) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || !waitReadable(fd_, static_cast<int>(left))) {
        return false;
      }
      const ssize_t got = recv(fd_, out.data() + have, n - have, 0);
      if (got <= 0) {
        return false;
      }
      have += static_cast<size_t>(got);
    }
    return true;
  }

  int fd_ = -1;
};

class ServerTest : public ::testing::Test {
 protected:
  void publish(uint32_t serial) {
    state_.publish(
        std::make_unique<const ServedState>(ServedState{makeSnapshot(serial), nullptr, nullptr}));
  }

  // Publishes serial 1 and serves it on 127.0.0.1 and ::1, port 0.
  void startServer(ServerOptions options = {}) {
    publish(1);
    if (options.listen.empty()) {
      options.listen = {{"127.0.0.1", 0}, {"::1", 0}};
    }
    options.seed = 42;
    server_ = std::make_unique<Server>(domain_, state_);
    std::string error;
    ASSERT_TRUE(server_->bind(options, error)) << error;
    ports_ = server_->boundPorts();
    ASSERT_EQ(ports_.size(), options.listen.size());
    server_->start();
  }

  util::RcuDomain domain_;
  util::RcuPointer<ServedState> state_{domain_};
  std::unique_ptr<Server> server_;  // declared last: stops before the state it reads goes
  std::vector<uint16_t> ports_;
};

TEST_F(ServerTest, AnswersUdpOnIpv4AndIpv6) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  EXPECT_NE(ports_[0], 0);
  EXPECT_NE(ports_[1], 0);
  Bytes response;
  UdpClient v4("127.0.0.1", ports_[0]);
  ASSERT_TRUE(v4.ask(makeQuery(0x1234, "example.test", kTypeSoa), response));
  expectSoaAnswer(response, 0x1234, 1);
  UdpClient v6("::1", ports_[1]);
  ASSERT_TRUE(v6.ask(makeQuery(0xbeef, "example.test", kTypeSoa), response));
  expectSoaAnswer(response, 0xbeef, 1);
}

TEST_F(ServerTest, TcpListensOnTheSamePortAsUdp) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  Bytes response;
  TcpClient v4("127.0.0.1", ports_[0]);
  ASSERT_TRUE(v4.write(framed(makeQuery(7, "example.test", kTypeSoa))));
  ASSERT_TRUE(v4.read(response));
  expectSoaAnswer(response, 7, 1);
  TcpClient v6("::1", ports_[1]);
  ASSERT_TRUE(v6.write(framed(makeQuery(8, "example.test", kTypeSoa))));
  ASSERT_TRUE(v6.read(response));
  expectSoaAnswer(response, 8, 1);
}

TEST_F(ServerTest, TcpAnswersPipelinedQueriesInOrder) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  TcpClient client("127.0.0.1", ports_[0]);
  Bytes both = framed(makeQuery(101, "example.test", kTypeSoa));
  const Bytes second = framed(makeQuery(102, "example.test", kTypeSoa));
  append(both, second);
  ASSERT_TRUE(client.write(both));
  Bytes response;
  ASSERT_TRUE(client.read(response));
  expectSoaAnswer(response, 101, 1);
  ASSERT_TRUE(client.read(response));
  expectSoaAnswer(response, 102, 1);
}

TEST_F(ServerTest, TcpAssemblesAQuerySplitAcrossWrites) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  TcpClient client("127.0.0.1", ports_[0]);
  const Bytes message = framed(makeQuery(55, "example.test", kTypeSoa));
  // Split inside the length prefix and inside the question.
  const std::vector<std::pair<size_t, size_t>> pieces = {{0, 1}, {1, 9}, {9, message.size()}};
  for (const auto& [from, to] : pieces) {
    ASSERT_TRUE(client.write(Bytes(message.begin() + static_cast<std::ptrdiff_t>(from),
                                   message.begin() + static_cast<std::ptrdiff_t>(to))));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  Bytes response;
  ASSERT_TRUE(client.read(response));
  expectSoaAnswer(response, 55, 1);
}

TEST_F(ServerTest, TcpAnswersQueriesSentBeforeAHalfClose) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  TcpClient client("127.0.0.1", ports_[0]);
  ASSERT_TRUE(client.write(framed(makeQuery(9, "example.test", kTypeSoa))));
  client.shutdownWrite();
  Bytes response;
  ASSERT_TRUE(client.read(response));
  expectSoaAnswer(response, 9, 1);
  EXPECT_TRUE(client.waitClosed(kAnswerTimeoutMs));
}

TEST_F(ServerTest, TcpClosesAnIdleConnection) {
  ServerOptions options;
  options.tcpIdleTimeoutMs = 200;
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  TcpClient client("127.0.0.1", ports_[0]);
  ASSERT_TRUE(client.write(framed(makeQuery(1, "example.test", kTypeSoa))));
  Bytes response;
  ASSERT_TRUE(client.read(response));
  const auto answered = Clock::now();
  ASSERT_TRUE(client.waitClosed(kAnswerTimeoutMs));
  // Not before the timeout (the server's clock started before our read returned); how long
  // after is not asserted.
  EXPECT_GE(Clock::now() - answered, std::chrono::milliseconds(150));
  server_->stop();
  EXPECT_EQ(server_->ioCounters().tcpIdleClosed, 1u);
}

TEST_F(ServerTest, TcpIdleTimeoutIgnoresATrickleOfPartialMessage) {
  ServerOptions options;
  options.tcpIdleTimeoutMs = 200;
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  TcpClient client("127.0.0.1", ports_[0]);
  // A frame announcing 1000 bytes, fed one byte per 50 ms: bytes arrive well within the
  // timeout, but no query ever completes, so the connection counts as idle.
  ASSERT_TRUE(client.write(Bytes{0x03, 0xe8}));
  bool closed = false;
  for (int i = 0; i < 200 && !closed; ++i) {
    closed = !client.write(Bytes{0}) || client.waitClosed(50);
  }
  EXPECT_TRUE(closed);
  server_->stop();
  EXPECT_EQ(server_->ioCounters().tcpIdleClosed, 1u);
}

TEST_F(ServerTest, TcpClosesConnectionsBeyondTheCap) {
  ServerOptions options;
  options.tcpMaxConnections = 2;
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  Bytes response;
  auto first = std::make_unique<TcpClient>("127.0.0.1", ports_[0]);
  TcpClient second("127.0.0.1", ports_[0]);
  // An answer on each proves both were accepted before the third arrives.
  ASSERT_TRUE(first->write(framed(makeQuery(1, "example.test", kTypeSoa))));
  ASSERT_TRUE(first->read(response));
  ASSERT_TRUE(second.write(framed(makeQuery(2, "example.test", kTypeSoa))));
  ASSERT_TRUE(second.read(response));
  {
    TcpClient third("127.0.0.1", ports_[0]);
    EXPECT_TRUE(third.waitClosed(kAnswerTimeoutMs));
  }
  ASSERT_TRUE(second.write(framed(makeQuery(3, "example.test", kTypeSoa))));
  ASSERT_TRUE(second.read(response));
  expectSoaAnswer(response, 3, 1);
  EXPECT_EQ(server_->ioCounters().tcpRejected, 1u);

  // A closed connection frees its slot; the server notices the close asynchronously.
  first.reset();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    TcpClient next("127.0.0.1", ports_[0]);
    served = next.write(framed(makeQuery(4, "example.test", kTypeSoa))) && next.read(response);
    if (!served) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_TRUE(served);
}

TEST_F(ServerTest, TcpClosesAfterTheQueryCap) {
  ServerOptions options;
  options.tcpMaxQueriesPerConnection = 3;
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  TcpClient client("127.0.0.1", ports_[0]);
  Bytes three;
  for (uint16_t id = 1; id <= 3; ++id) {
    const Bytes one = framed(makeQuery(id, "example.test", kTypeSoa));
    append(three, one);
  }
  ASSERT_TRUE(client.write(three));
  Bytes response;
  for (uint16_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(client.read(response));
    expectSoaAnswer(response, id, 1);
  }
  EXPECT_TRUE(client.waitClosed(kAnswerTimeoutMs));
}

TEST_F(ServerTest, TcpClosesOnAZeroLengthMessage) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  TcpClient client("127.0.0.1", ports_[0]);
  ASSERT_TRUE(client.write(Bytes{0, 0}));
  EXPECT_TRUE(client.waitClosed(kAnswerTimeoutMs));
}

TEST_F(ServerTest, FourUdpWorkersAnswerEveryQuery) {
  ServerOptions options;
  options.udpThreads = 4;
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  // Eight client sockets (eight source ports) so that SO_REUSEPORT spreads them over workers;
  // each waits for its answer, so no receive queue can overflow and a loss is a server bug.
  constexpr int kClients = 8;
  constexpr int kPerClient = 250;
  std::atomic<int> answered{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      UdpClient client(c % 2 == 0 ? "127.0.0.1" : "::1", ports_[c % 2]);
      Bytes response;
      for (int i = 0; i < kPerClient; ++i) {
        const uint16_t id = static_cast<uint16_t>(c * kPerClient + i);
        if (!client.ask(makeQuery(id, "example.test", kTypeSoa), response)) {
          continue;
        }
        const Decoded d = decode(response);
        if (d.ok && d.id == id && d.aa && d.soaSerial == 1) {
          ++answered;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  EXPECT_EQ(answered.load(), kClients * kPerClient);
  EXPECT_EQ(wrong.load(), 0);
  server_->stop();
  const HandlerCounters counters = server_->counters();
  EXPECT_EQ(counters.queries, static_cast<uint64_t>(kClients * kPerClient));
  EXPECT_EQ(counters.responses, static_cast<uint64_t>(kClients * kPerClient));
  const ServerIoCounters io = server_->ioCounters();
  EXPECT_EQ(io.udpSendDropped, 0u);
  EXPECT_EQ(io.noState, 0u);
}

TEST_F(ServerTest, ReloadSwitchesAnswersWithoutLoss) {
  ServerOptions options;
  options.udpThreads = 2;
  options.tcpMaxQueriesPerConnection = 1 << 30;  // one connection throughout
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  constexpr uint32_t kLastSerial = 4;
  std::atomic<bool> done{false};
  std::atomic<uint32_t> latestSeen[2] = {0, 0};  // UDP, TCP
  std::atomic<int> lost{0};
  std::atomic<int> wentBack{0};
  auto check = [&](int which, const Bytes& response, uint16_t id) {
    const Decoded d = decode(response);
    if (!d.ok || d.id != id || !d.aa || d.soaSerial < 1 || d.soaSerial > kLastSerial) {
      ++lost;
      return;
    }
    // A client that has seen the new state never again sees an older one: the old state is
    // unreachable once published over (each query starts after the previous answer).
    if (d.soaSerial < latestSeen[which].load()) {
      ++wentBack;
    }
    latestSeen[which] = d.soaSerial;
  };
  std::thread udp([&] {
    UdpClient client("127.0.0.1", ports_[0]);
    Bytes response;
    for (uint16_t id = 0; !done; ++id) {
      if (!client.ask(makeQuery(id, "example.test", kTypeSoa), response)) {
        ++lost;
        continue;
      }
      check(0, response, id);
    }
  });
  std::thread tcp([&] {
    TcpClient client("::1", ports_[1]);
    Bytes response;
    for (uint16_t id = 0; !done; ++id) {
      if (!client.write(framed(makeQuery(id, "example.test", kTypeSoa))) ||
          !client.read(response)) {
        ++lost;
        return;
      }
      check(1, response, id);
    }
  });
  auto waitForSerial = [&](uint32_t serial) {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while ((latestSeen[0] < serial || latestSeen[1] < serial) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  waitForSerial(1);
  for (uint32_t serial = 2; serial <= kLastSerial; ++serial) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    publish(serial);
    waitForSerial(serial);
  }
  done = true;
  udp.join();
  tcp.join();
  EXPECT_EQ(lost.load(), 0);
  EXPECT_EQ(wentBack.load(), 0);
  EXPECT_EQ(latestSeen[0].load(), kLastSerial);
  EXPECT_EQ(latestSeen[1].load(), kLastSerial);
}

TEST_F(ServerTest, WildcardBindAnswersFromTheQueriedAddress) {
  ServerOptions options;
  options.listen = {{"0.0.0.0", 0}};
  ASSERT_NO_FATAL_FAILURE(startServer(options));
  // 127.0.0.2 is loopback too, but not the address the kernel would pick as a source on its
  // own: only IP_PKTINFO makes the answer come from it.
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  const SocketAddress server = addressOf("127.0.0.2", ports_[0]);
  const Bytes query = makeQuery(77, "example.test", kTypeSoa);
  ASSERT_EQ(sendto(fd, query.data(), query.size(), 0, server.get(), server.length()),
            static_cast<ssize_t>(query.size()));
  ASSERT_TRUE(waitReadable(fd, kAnswerTimeoutMs));
  Bytes response(65535);
  sockaddr_in from{};
  socklen_t fromLength = sizeof(from);
  const ssize_t got = recvfrom(fd, response.data(), response.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &fromLength);
  close(fd);
  ASSERT_GT(got, 0);
  response.resize(static_cast<size_t>(got));
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &from.sin_addr, text, sizeof(text));
  EXPECT_STREQ(text, "127.0.0.2");
  EXPECT_EQ(ntohs(from.sin_port), ports_[0]);
  expectSoaAnswer(response, 77, 1);
}

TEST_F(ServerTest, BindErrorsNameTheAddressAndTransport) {
  publish(1);
  {
    Server server(domain_, state_);
    ServerOptions options;
    options.listen = {{"203.0.113.7", 0}};  // TEST-NET-3: never a local address
    std::string error;
    EXPECT_FALSE(server.bind(options, error));
    EXPECT_EQ(error, "bind 203.0.113.7:0/udp: Cannot assign requested address");
  }
  {
    // A TCP port someone else listens on: UDP binds, TCP must fail and say so.
    const int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(other, 0);
    const SocketAddress any = addressOf("127.0.0.1", 0);
    ASSERT_EQ(::bind(other, any.get(), any.length()), 0);
    ASSERT_EQ(listen(other, 1), 0);
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    ASSERT_EQ(getsockname(other, reinterpret_cast<sockaddr*>(&local), &length), 0);
    const uint16_t taken = ntohs(local.sin_port);
    Server server(domain_, state_);
    ServerOptions options;
    options.listen = {{"127.0.0.1", taken}};
    std::string error;
    const bool bound = server.bind(options, error);
    close(other);
    EXPECT_FALSE(bound);
    // The UDP twin of the port might be taken too; either way the message names it.
    EXPECT_TRUE(error ==
                    "bind 127.0.0.1:" + std::to_string(taken) + "/tcp: Address already in use" ||
                error == "bind 127.0.0.1:" + std::to_string(taken) + "/udp: Address already in use")
        << error;
  }
  {
    Server server(domain_, state_);
    ServerOptions options;
    options.listen = {{"localhost", 0}};
    std::string error;
    EXPECT_FALSE(server.bind(options, error));
    EXPECT_EQ(error, "listen address 'localhost': not a numeric IPv4 or IPv6 address");
  }
}

TEST_F(ServerTest, StopIsIdempotentAndCountersSurviveIt) {
  ASSERT_NO_FATAL_FAILURE(startServer());
  Bytes response;
  UdpClient client("127.0.0.1", ports_[0]);
  ASSERT_TRUE(client.ask(makeQuery(3, "example.test", kTypeSoa), response));
  server_->stop();
  server_->stop();
  EXPECT_EQ(server_->counters().queries, 1u);
  // The sockets are closed: the same query now goes unanswered.
  EXPECT_FALSE(client.ask(makeQuery(4, "example.test", kTypeSoa), response, 200));
  server_.reset();  // the destructor stops a third time
}

TEST_F(ServerTest, StopBeforeStartReleasesTheSockets) {
  publish(1);
  Server server(domain_, state_);
  ServerOptions options;
  options.listen = {{"127.0.0.1", 0}};
  std::string error;
  ASSERT_TRUE(server.bind(options, error)) << error;
  const uint16_t port = server.boundPorts()[0];
  server.stop();
  // The TCP port is free again.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const SocketAddress address = addressOf("127.0.0.1", port);
  EXPECT_EQ(::bind(fd, address.get(), address.length()), 0) << std::strerror(errno);
  close(fd);
}

TEST(ServerClientInfo, PeerAddressesBecomeFullLengthPrefixes) {
  struct Case {
    std::string host;
    uint8_t family;
    uint8_t prefix;
    std::vector<uint8_t> addr;
  };
  const std::vector<Case> cases = {
      {"192.0.2.1", 4, 32, {192, 0, 2, 1}},
      {"2001:db8::1", 6, 128, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
      {"::ffff:198.51.100.7", 4, 32, {198, 51, 100, 7}},  // v4-mapped: routed as IPv4
  };
  for (const Case& c : cases) {
    SocketAddress address;
    ASSERT_TRUE(SocketAddress::parse(c.host, 53, address)) << c.host;
    sockaddr_storage peer{};
    std::memcpy(&peer, address.get(), address.length());
    const routing::ClientInfo info = clientInfoFrom(peer);
    EXPECT_EQ(info.family, c.family) << c.host;
    EXPECT_EQ(info.sourcePrefix, c.prefix) << c.host;
    EXPECT_FALSE(info.fromEcs);
    EXPECT_EQ(std::vector<uint8_t>(info.addr, info.addr + c.addr.size()), c.addr) << c.host;
  }
  sockaddr_storage unknown{};
  unknown.ss_family = AF_UNIX;
  EXPECT_EQ(clientInfoFrom(unknown).family, 0);
}

TEST(ServerEndpointFormat, BracketsIpv6) {
  EXPECT_EQ(formatEndpoint("127.0.0.1", 53), "127.0.0.1:53");
  EXPECT_EQ(formatEndpoint("::1", 53), "[::1]:53");
  EXPECT_EQ(formatEndpoint("[::1]", 5353), "[::1]:5353");
}

}  // namespace
}  // namespace tmdns::dns
