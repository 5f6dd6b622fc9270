// libFuzzer target: the input is what a client sends on one TCP connection (RFC 1035 §4.2.2
// two-octet length prefixes, RFC 7766 pipelining), sent to the real dns::Server on loopback;
// the framing of the answers and each answer are checked against the frames sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dns/served_state.h"
#include "dns/server.h"
#include "dns/wire_types.h"
#include "fuzz/fuzz_support.h"
#include "util/rcu.h"

namespace {

using tmdns::fuzz::fail;

// A stuck connection fails the input well before libFuzzer's -timeout would.
constexpr int kExchangeTimeoutMs = 3000;

// RFC 7766 §6.2.4 lets the server close after this many queries; the oracle stops there too.
constexpr int kMaxQueriesPerConnection = 1000;

struct Target {
  tmdns::util::RcuDomain domain;
  tmdns::util::RcuPointer<tmdns::dns::ServedState> state{domain};
  tmdns::dns::Server server{domain, state};
  uint16_t port = 0;
  uint16_t maxUdp = 0;

  Target() {
    auto served = std::make_unique<tmdns::dns::ServedState>();
    std::shared_ptr<const tmdns::dns::Snapshot> snapshot = tmdns::fuzz::loadSampleSnapshot();
    maxUdp = snapshot->maxUdpPayload;
    served->health = std::make_shared<const tmdns::routing::HealthTable>(
        tmdns::fuzz::makeHealth(*snapshot, 0x9e3779b97f4a7c15ull));
    served->stats = std::make_shared<tmdns::dns::QueryStats>(*snapshot, 1, 1);
    served->snapshot = std::move(snapshot);
    state.publish(std::move(served));
    tmdns::dns::ServerOptions options;
    options.listen.push_back({"127.0.0.1", 0});
    options.udpThreads = 1;
    options.seed = 1;
    options.tcpMaxQueriesPerConnection = kMaxQueriesPerConnection;
    std::string error;
    if (!server.bind(options, error)) {
      fail("cannot bind the loopback server: " + error);
    }
    port = server.boundPorts().at(0);
    server.start();
  }
};

// Sends everything and half-closes, reading all the while (the server answers one query at a
// time and stops reading while its answer is unread); returns every octet received until the
// server closed the connection.
std::vector<uint8_t> exchange(uint16_t port, std::span<const uint8_t> input) {
  // Non-blocking from the start: libFuzzer's SIGALRM (its -timeout watchdog) would interrupt a
  // blocking connect() with EINTR.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno != EINPROGRESS) {
      fail(std::string("connect: ") + std::strerror(errno));
    }
    pollfd p{fd, POLLOUT, 0};
    while (poll(&p, 1, kExchangeTimeoutMs) < 0) {
    }
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if ((p.revents & POLLOUT) == 0 || error != 0) {
      fail(std::string("connect: ") + std::strerror(error != 0 ? error : ETIMEDOUT));
    }
  }
  std::vector<uint8_t> received;
  size_t sent = 0;
  bool halfClosed = false;
  uint8_t buffer[65536];
  for (;;) {
    if (sent == input.size() && !halfClosed) {
      shutdown(fd, SHUT_WR);
      halfClosed = true;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (halfClosed ? 0 : POLLOUT)), 0};
    const int ready = poll(&p, 1, kExchangeTimeoutMs);
    if (ready == 0) {
      fail("the server neither answered nor closed the connection within " +
           std::to_string(kExchangeTimeoutMs) + " ms");
    }
    if (ready < 0) {
      continue;  // EINTR
    }
    if ((p.revents & POLLOUT) != 0 && sent < input.size()) {
      const ssize_t n = send(fd, input.data() + sent, input.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && errno == EPIPE) {
        sent = input.size();  // the server closed first (an empty frame); read what it sent
        halfClosed = true;
      }
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n > 0) {
        received.insert(received.end(), buffer, buffer + n);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        break;  // closed (or reset after an early close): everything there was has arrived
      }
    }
  }
  close(fd);
  return received;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target* target = new Target();  // one server for the whole run
  const std::span<const uint8_t> input(data, size);
  const std::vector<uint8_t> received = exchange(target->port, input);

  // The oracle splits the input as RFC 1035 §4.2.2 frames it: messages up to the first empty
  // frame (after which the server closes) or the incomplete tail, each answered in order
  // unless it is one the server must not answer at all, up to the per-connection limit.
  size_t in = 0;
  size_t out = 0;
  for (int frames = 0; frames < kMaxQueriesPerConnection && input.size() - in >= 2; ++frames) {
    const size_t length = (size_t{input[in]} << 8) | input[in + 1];
    if (length == 0 || input.size() - in - 2 < length) {
      break;
    }
    const std::span<const uint8_t> query = input.subspan(in + 2, length);
    in += 2 + length;
    const bool silent = query.size() < tmdns::dns::kHeaderSize || (query[2] & 0x80) != 0;
    if (silent) {
      tmdns::fuzz::checkResponse(query, {}, tmdns::dns::Transport::kTcp, target->maxUdp);
      continue;
    }
    if (received.size() - out < 2) {
      fail("frame at input offset " + std::to_string(in - 2 - length) + " got no answer");
    }
    const size_t answerLength = (size_t{received[out]} << 8) | received[out + 1];
    if (received.size() - out - 2 < answerLength) {
      fail("an answer shorter than its length prefix");
    }
    tmdns::fuzz::checkResponse(query, {received.data() + out + 2, answerLength},
                               tmdns::dns::Transport::kTcp, target->maxUdp);
    out += 2 + answerLength;
  }
  if (out != received.size()) {
    fail("the server sent " + std::to_string(received.size() - out) +
         " octets beyond the answers to the complete frames");
  }
  return 0;
}
