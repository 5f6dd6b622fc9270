// Response Rate Limiting on the real server: a UDP burst from one prefix is cut to its credit
// with every second limited answer slipped (TC), other prefixes and TCP are served, the metric
// counts what happened, and a reload turns limiting on and off.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/metrics_support.h"

namespace tmdns::e2e {
namespace {

constexpr int kRate = 5;
constexpr int kWindow = 2;
constexpr int kBurst = 50;

const std::string kName = "app.tm.example.test.";

std::string config(bool rateLimit) {
  return std::string(
             "listen: [\"127.0.0.1:0\"]\n"
             "threads: 2\n"
             "http: \"127.0.0.1:0\"\n") +
         (rateLimit ? "rate_limit:\n"
                      "  responses_per_second: " +
                          std::to_string(kRate) +
                          "\n"
                          "  window: " +
                          std::to_string(kWindow) +
                          "\n"
                          "  slip: 2\n"
                    : std::string()) +
         "zones:\n"
         "  - name: tm.example.test\n"
         "    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test}\n"
         "    ns: [ns1.tm.example.test]\n"
         "    records: [\"app 300 IN A 192.0.2.10\"]\n";
}

// An unconnected UDP socket bound to a chosen loopback source address (all of 127/8 is
// loopback, so 127.1.0.1 is a client in another /24 than 127.0.0.1).
class SourceSocket {
 public:
  explicit SourceSocket(const std::string& source) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~SourceSocket() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  SourceSocket(const SourceSocket&) = delete;
  SourceSocket& operator=(const SourceSocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  bool sendTo(const Address& server, const Bytes& message) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(server.port);
    inet_pton(AF_INET, server.host.c_str(), &to.sin_addr);
    return sendto(fd_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to),
                  sizeof to) == static_cast<ssize_t>(message.size());
  }

 private:
  int fd_ = -1;
};

struct BurstResult {
  int answered = 0;  // normal answers (TC=0) with the record
  int slipped = 0;   // TC=1, no records, the question kept
  int silent = 0;    // no response at all
  int unexpected = 0;
  // From the first query sent to the last response received: the server's clock cannot have
  // passed more whole seconds than this spans, plus one, while it answered the burst.
  double spanSeconds = 0;
  std::string firstProblem;
};

// Sends `count` queries (IDs 1..count) spread over `sockets` sockets bound to `source`, so that
// the kernel spreads them over the server's UDP workers, then collects responses until none
// has arrived for 700 ms.
BurstResult burst(const Address& server, const std::string& source, int count, int sockets) {
  BurstResult result;
  std::vector<std::unique_ptr<SourceSocket>> socks;
  for (int i = 0; i < sockets; ++i) {
    socks.push_back(std::make_unique<SourceSocket>(source));
    if (!socks.back()->ok()) {
      ADD_FAILURE() << "cannot bind a UDP socket to " << source;
      return result;
    }
  }
  const Clock::time_point start = Clock::now();
  for (int id = 1; id <= count; ++id) {
    QueryOptions options;
    options.id = static_cast<uint16_t>(id);
    EXPECT_TRUE(socks[static_cast<size_t>(id % sockets)]->sendTo(
        server, buildQuery(kName, LDNS_RR_TYPE_A, options)));
  }
  Clock::time_point last = Clock::now();

  std::map<uint16_t, Message> responses;
  std::vector<pollfd> fds;
  for (const auto& s : socks) {
    fds.push_back(pollfd{s->fd(), POLLIN, 0});
  }
  while (poll(fds.data(), fds.size(), 700) > 0) {
    for (pollfd& p : fds) {
      if ((p.revents & POLLIN) == 0) {
        continue;
      }
      uint8_t buffer[4096];
      const ssize_t got = recv(p.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got <= 0) {
        continue;
      }
      std::string error;
      std::optional<Message> m = decode(Bytes(buffer, buffer + got), error);
      if (!m || responses.count(m->id) != 0) {
        ++result.unexpected;
        result.firstProblem = m ? "duplicate response" : error;
        continue;
      }
      responses.emplace(m->id, std::move(*m));
      last = Clock::now();
    }
  }
  result.spanSeconds = std::chrono::duration<double>(last - start).count();
  for (const auto& [id, m] : responses) {
    const bool question = m.qdcount == 1 && m.qname == kName && m.qtype == LDNS_RR_TYPE_A;
    if (!m.tc && m.rcode == 0 && question && m.ancount == 1 &&
        m.answer == std::vector<Rr>{Rr::of("app.tm.example.test. 300 IN A 192.0.2.10")}) {
      ++result.answered;
    } else if (m.tc && m.rcode == 0 && m.aa && question && m.ancount == 0 && m.nscount == 0 &&
               m.arcount == 0) {
      ++result.slipped;
    } else {
      ++result.unexpected;
      result.firstProblem = "unexpected response to id " + std::to_string(id);
    }
  }
  result.silent = count - static_cast<int>(responses.size());
  return result;
}

// The value of one sample line of /metrics, e.g. `name{label="x"}`; nullopt when missing.
std::optional<double> metric(uint16_t port, const std::string& series) {
  const HttpReply reply = httpGet(port, "/metrics");
  const std::string prefix = series + " ";
  size_t at = reply.body.find("\n" + prefix);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  at += 1 + prefix.size();
  return std::stod(reply.body.substr(at, reply.body.find('\n', at) - at));
}

const std::string kDropped = "tmdns_dns_rate_limited_responses_total{action=\"dropped\"}";
const std::string kSlipped = "tmdns_dns_rate_limited_responses_total{action=\"slipped\"}";

// What a burst from one new prefix must look like with kRate/kWindow/slip 2. The bucket starts
// with kRate × kWindow credit and gains kRate at every whole second the burst spans; each run
// of limited answers alternates dropped, slipped. No bound depends on how fast this machine is.
void expectLimited(const BurstResult& r) {
  EXPECT_EQ(r.unexpected, 0) << r.firstProblem;
  const int secondsCrossed = 1 + static_cast<int>(std::floor(r.spanSeconds));
  EXPECT_GE(r.answered, kRate * kWindow);
  EXPECT_LE(r.answered, kRate * kWindow + kRate * secondsCrossed);
  const int limited = kBurst - r.answered;
  EXPECT_EQ(r.slipped + r.silent, limited);
  EXPECT_LE(r.slipped, limited / 2);
  EXPECT_GE(r.slipped, (limited - 1 - secondsCrossed) / 2);
  EXPECT_GE(r.slipped, 1);
  EXPECT_GE(r.silent, 1);
}

TEST(RateLimit, BurstFromOnePrefixIsLimitedOthersAndTcpAreNot) {
  Server s;
  s.writeConfig(config(true));
  ASSERT_TRUE(s.start());
  const uint16_t http = httpPort(s);
  EXPECT_EQ(metric(http, kDropped), 0.0);
  EXPECT_EQ(metric(http, kSlipped), 0.0);

  // Ten sockets of 127.0.0.1: SO_REUSEPORT spreads them over the two workers, which share one
  // bucket for the prefix.
  const BurstResult r = burst(s.v4(), "127.0.0.1", kBurst, 10);
  expectLimited(r);
  // Every limited answer is counted, by what became of it.
  EXPECT_EQ(metric(http, kDropped), static_cast<double>(r.silent));
  EXPECT_EQ(metric(http, kSlipped), static_cast<double>(r.slipped));

  // Another /24 has its own credit.
  const BurstResult other = burst(s.v4(), "127.1.0.1", 5, 1);
  EXPECT_EQ(other.answered, 5) << other.firstProblem;
  EXPECT_EQ(other.slipped + other.silent + other.unexpected, 0);

  // TCP is never limited, from the prefix that is.
  for (int i = 0; i < 20; ++i) {
    const std::optional<Message> m = ask(s.v4(), kName, LDNS_RR_TYPE_A, QueryOptions{}, Via::kTcp);
    ASSERT_TRUE(m.has_value());
    EXPECT_FALSE(m->tc);
    EXPECT_EQ(rdatasOf(m->answer, "A"), std::vector<std::string>{"192.0.2.10"});
  }
  EXPECT_EQ(metric(http, kDropped), static_cast<double>(r.silent));
  EXPECT_EQ(metric(http, kSlipped), static_cast<double>(r.slipped));
}

TEST(RateLimit, OffByDefaultAndFollowsReloads) {
  Server s;
  s.writeConfig(config(false));
  ASSERT_TRUE(s.start());
  const uint16_t http = httpPort(s);
  const BurstResult open = burst(s.v4(), "127.2.0.1", kBurst, 5);
  EXPECT_EQ(open.answered, kBurst) << open.firstProblem;
  EXPECT_EQ(metric(http, kDropped), 0.0);
  EXPECT_EQ(metric(http, kSlipped), 0.0);

  // Turned on by a reload: a fresh prefix gets exactly the configured treatment.
  s.writeConfig(config(true));
  const std::optional<bool> on = s.reload();
  ASSERT_TRUE(on.has_value() && *on) << s.log();
  const BurstResult limited = burst(s.v4(), "127.3.0.1", kBurst, 5);
  expectLimited(limited);
  EXPECT_EQ(metric(http, kDropped), static_cast<double>(limited.silent));
  EXPECT_EQ(metric(http, kSlipped), static_cast<double>(limited.slipped));

  // And off again: the prefix that was just limited is served in full.
  s.writeConfig(config(false));
  const std::optional<bool> off = s.reload();
  ASSERT_TRUE(off.has_value() && *off) << s.log();
  const BurstResult again = burst(s.v4(), "127.3.0.1", kBurst, 5);
  EXPECT_EQ(again.answered, kBurst) << again.firstProblem;
  EXPECT_EQ(metric(http, kDropped), static_cast<double>(limited.silent));
  EXPECT_EQ(metric(http, kSlipped), static_cast<double>(limited.slipped));
}

}  // namespace
}  // namespace tmdns::e2e
