// Loopback test backends: HTTP server, UDP DNS responder and openssl s_server wrapper.
#include "tests/support/loopback_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace tmdns::probes::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool loopbackAddress(const std::string& address, uint16_t port, sockaddr_storage& out,
                     socklen_t& length) {
  std::memset(&out, 0, sizeof(out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    // Network safety: test servers exist on 127.0.0.0/8 and ::1 only.
    if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127) {
      return false;
    }
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1 &&
      IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

uint16_t boundPort(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

int spawn(const std::vector<std::string>& args, const std::string& outPath, pid_t& pid) {
  std::vector<char*> argv;
  for (const std::string& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

}  // namespace

uint16_t unusedPort(const std::string& address) {
  sockaddr_storage addr{};
  socklen_t length = 0;
  if (!loopbackAddress(address, 0, addr, length)) {
    return 0;
  }
  const int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), length);
  const uint16_t port = boundPort(fd);
  close(fd);
  return port;
}

// ---------------------------------------------------------------------------------------------
// HttpBackend

HttpBackend::HttpBackend(const std::string& address, uint16_t port) {
  sockaddr_storage addr{};
  socklen_t length = 0;
  if (!loopbackAddress(address, port, addr, length)) {
    return;
  }
  listen_ = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(listen_, reinterpret_cast<sockaddr*>(&addr), length) != 0 ||
      ::listen(listen_, 64) != 0) {
    close(listen_);
    listen_ = -1;
    return;
  }
  port_ = boundPort(listen_);
  if (pipe2(stopPipe_, O_CLOEXEC) != 0) {
    return;
  }
  thread_ = std::thread([this] { run(); });
}

HttpBackend::~HttpBackend() {
  stop();
  for (int fd : stopPipe_) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

void HttpBackend::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  if (thread_.joinable()) {
    const char byte = 1;
    [[maybe_unused]] ssize_t r = write(stopPipe_[1], &byte, 1);
    thread_.join();
  }
  if (listen_ >= 0) {
    close(listen_);
    listen_ = -1;
  }
}

int HttpBackend::requestCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(requests_.size());
}

std::vector<std::string> HttpBackend::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::vector<SteadyClock::time_point> HttpBackend::requestTimes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return times_;
}

std::vector<std::string> HttpBackend::peers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peers_;
}

void HttpBackend::respond(Connection& c) {
  c.answered = true;
  switch (mode_.load()) {
    case Mode::k200:
      c.out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      break;
    case Mode::k503:
      c.out = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      break;
    case Mode::k301:
      c.out =
          "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:9/moved\r\n"
          "Content-Length: 0\r\nConnection: close\r\n\r\n";
      break;
    case Mode::kHang:
      c.hang = true;
      break;
    case Mode::kTrickle:
      c.out = "HTTP/1.1 200 OK\r\nX-Slow: ";
      c.trickle = true;
      c.nextTrickle = SteadyClock::now() + std::chrono::milliseconds(200);
      break;
    case Mode::kBigBody:
      c.out = "HTTP/1.1 200 OK\r\nContent-Length: 16777216\r\nConnection: close\r\n\r\n";
      c.bodyLeft = 16777216;
      break;
    case Mode::kGarbage:
      c.out = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      break;
    case Mode::kHugeHeader:
      c.out = "HTTP/1.1 200 OK\r\nX-Huge: " + std::string(1 << 20, 'a') +
              "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      break;
  }
}

bool HttpBackend::flush(Connection& c) {
  while (!c.out.empty()) {
    const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
  static const std::string zeros(65536, '\0');
  while (c.bodyLeft > 0) {
    const size_t chunk = c.bodyLeft < zeros.size() ? c.bodyLeft : zeros.size();
    const ssize_t n = send(c.fd, zeros.data(), chunk, MSG_NOSIGNAL);
    if (n < 0) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    c.bodyLeft -= static_cast<size_t>(n);
    bodySent_ += static_cast<size_t>(n);
  }
  // Finished once a complete answer is out; hanging and trickling connections never finish.
  return !(c.answered && !c.hang && !c.trickle);
}

void HttpBackend::run() {
  std::vector<Connection> connections;
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({stopPipe_[0], POLLIN, 0});
    fds.push_back({listen_, POLLIN, 0});
    for (const Connection& c : connections) {
      short events = POLLIN;
      if (!c.out.empty() || c.bodyLeft > 0) {
        events |= POLLOUT;
      }
      fds.push_back({c.fd, events, 0});
    }
    poll(fds.data(), fds.size(), 50);
    if ((fds[0].revents & POLLIN) != 0) {
      break;
    }
    const auto now = SteadyClock::now();
    std::vector<Connection> next;
    for (size_t i = 0; i < connections.size(); ++i) {
      Connection& c = connections[i];
      const short revents = fds[i + 2].revents;
      bool alive = true;
      if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        char buffer[4096];
        const ssize_t n = recv(c.fd, buffer, sizeof(buffer), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          alive = false;
        } else if (n > 0 && !c.answered) {
          c.in.append(buffer, static_cast<size_t>(n));
          const size_t end = c.in.find("\r\n\r\n");
          if (end != std::string::npos) {
            {
              std::lock_guard<std::mutex> lock(mutex_);
              requests_.push_back(c.in.substr(0, end + 4));
              times_.push_back(now);
            }
            respond(c);
          }
        }
      }
      if (alive && c.trickle && now >= c.nextTrickle) {
        c.out += "a";
        c.nextTrickle = now + std::chrono::milliseconds(200);
      }
      if (alive && (!c.out.empty() || c.bodyLeft > 0 || c.answered)) {
        alive = flush(c);
      }
      if (alive) {
        next.push_back(std::move(c));
      } else {
        close(c.fd);
      }
    }
    connections = std::move(next);
    if ((fds[1].revents & POLLIN) != 0) {
      for (;;) {
        sockaddr_storage peer{};
        socklen_t peerLength = sizeof(peer);
        const int fd = accept4(listen_, reinterpret_cast<sockaddr*>(&peer), &peerLength,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          break;
        }
        char text[INET6_ADDRSTRLEN] = {};
        if (peer.ss_family == AF_INET6) {
          inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, text,
                    sizeof(text));
        } else {
          inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, text, sizeof(text));
        }
        {
          std::lock_guard<std::mutex> lock(mutex_);
          peers_.emplace_back(text);
        }
        Connection c;
        c.fd = fd;
        if (mode_.load() == Mode::kGarbage) {
          respond(c);
        }
        connections.push_back(std::move(c));
      }
    }
  }
  for (Connection& c : connections) {
    close(c.fd);
  }
}

// ---------------------------------------------------------------------------------------------
// DnsResponder

DnsResponder::DnsResponder() {
  sockaddr_storage addr{};
  socklen_t length = 0;
  loopbackAddress("127.0.0.1", 0, addr, length);
  socket_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (bind(socket_, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    close(socket_);
    socket_ = -1;
    return;
  }
  port_ = boundPort(socket_);
  if (pipe2(stopPipe_, O_CLOEXEC) != 0) {
    return;
  }
  thread_ = std::thread([this] { run(); });
}

DnsResponder::~DnsResponder() {
  if (thread_.joinable()) {
    const char byte = 1;
    [[maybe_unused]] ssize_t r = write(stopPipe_[1], &byte, 1);
    thread_.join();
  }
  for (int fd : stopPipe_) {
    if (fd >= 0) {
      close(fd);
    }
  }
  if (socket_ >= 0) {
    close(socket_);
  }
}

void DnsResponder::setA(const std::string& name, std::vector<std::string> addresses, uint32_t ttl) {
  std::lock_guard<std::mutex> lock(mutex_);
  records_[name].a = std::move(addresses);
  records_[name].ttl = ttl;
}

void DnsResponder::setAaaa(const std::string& name, std::vector<std::string> addresses,
                           uint32_t ttl) {
  std::lock_guard<std::mutex> lock(mutex_);
  records_[name].aaaa = std::move(addresses);
  records_[name].ttl = ttl;
}

void DnsResponder::setSilent(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  records_[name].silent = true;
}

int DnsResponder::queries(const std::string& name, const std::string& type) const {
  return static_cast<int>(queryTimes(name, type).size());
}

std::vector<std::string> DnsResponder::seenNames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto& entry : seen_) {
    out.push_back(entry.first);
  }
  return out;
}

std::vector<SteadyClock::time_point> DnsResponder::queryTimes(const std::string& name,
                                                              const std::string& type) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = seen_.find(name + "/" + type);
  return it == seen_.end() ? std::vector<SteadyClock::time_point>{} : it->second;
}

void DnsResponder::run() {
  for (;;) {
    pollfd fds[2] = {{stopPipe_[0], POLLIN, 0}, {socket_, POLLIN, 0}};
    poll(fds, 2, -1);
    if ((fds[0].revents & POLLIN) != 0) {
      return;
    }
    uint8_t query[512];
    sockaddr_storage from{};
    socklen_t fromLength = sizeof(from);
    const ssize_t n =
        recvfrom(socket_, query, sizeof(query), 0, reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n < 12 || query[4] != 0 || query[5] != 1) {
      continue;
    }
    // RFC 1035 §4.1.2: QNAME as uncompressed labels, then QTYPE and QCLASS.
    size_t pos = 12;
    std::string name;
    bool valid = true;
    while (pos < static_cast<size_t>(n) && query[pos] != 0) {
      const size_t label = query[pos];
      if (label > 63 || pos + 1 + label > static_cast<size_t>(n)) {
        valid = false;
        break;
      }
      for (size_t i = 0; i < label; ++i) {
        char ch = static_cast<char>(query[pos + 1 + i]);
        name += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
      }
      name += '.';
      pos += 1 + label;
    }
    if (!valid || pos + 5 > static_cast<size_t>(n)) {
      continue;
    }
    if (!name.empty()) {
      name.pop_back();
    }
    const uint16_t qtype = static_cast<uint16_t>((query[pos + 1] << 8) | query[pos + 2]);
    const size_t questionEnd = pos + 5;
    const std::string typeName = qtype == 1 ? "A" : qtype == 28 ? "AAAA" : std::to_string(qtype);

    Records records;
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen_[name + "/" + typeName].push_back(SteadyClock::now());
      auto it = records_.find(name);
      if (it != records_.end()) {
        known = true;
        records = it->second;
      }
    }
    if (known && records.silent) {
      continue;
    }
    std::vector<std::vector<uint8_t>> rdatas;
    if (known) {
      const std::vector<std::string>& list = qtype == 1 ? records.a : records.aaaa;
      if (qtype == 1 || qtype == 28) {
        for (const std::string& address : list) {
          uint8_t raw[16];
          if (inet_pton(qtype == 1 ? AF_INET : AF_INET6, address.c_str(), raw) == 1) {
            rdatas.emplace_back(raw, raw + (qtype == 1 ? 4 : 16));
          }
        }
      }
    }
    std::vector<uint8_t> reply(query, query + questionEnd);
    reply[2] = static_cast<uint8_t>(0x84 | (query[2] & 0x01));  // QR, AA, RD copied
    reply[3] = known ? 0 : 3;                                   // NOERROR / NXDOMAIN
    reply[6] = 0;
    reply[7] = static_cast<uint8_t>(rdatas.size());
    reply[8] = reply[9] = reply[10] = reply[11] = 0;  // no authority, no additional (OPT dropped)
    for (const auto& rdata : rdatas) {
      const uint8_t head[] = {0xC0,
                              0x0C,
                              static_cast<uint8_t>(qtype >> 8),
                              static_cast<uint8_t>(qtype & 0xFF),
                              0,
                              1,
                              static_cast<uint8_t>(records.ttl >> 24),
                              static_cast<uint8_t>(records.ttl >> 16),
                              static_cast<uint8_t>(records.ttl >> 8),
                              static_cast<uint8_t>(records.ttl),
                              0,
                              static_cast<uint8_t>(rdata.size())};
      reply.insert(reply.end(), head, head + sizeof(head));
      reply.insert(reply.end(), rdata.begin(), rdata.end());
    }
    sendto(socket_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), fromLength);
  }
}

// ---------------------------------------------------------------------------------------------
// TlsBackend

TlsBackend::TlsBackend(const std::string& commonName) {
  char pattern[] = "/tmp/tmdns-probes-tls-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  const std::string key = dir_ + "/key.pem";
  const std::string cert = dir_ + "/cert.pem";
  pid_t pid = -1;
  if (spawn({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + commonName},
            dir_ + "/req.txt", pid) != 0) {
    error_ = "cannot run openssl";
    return;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error_ = "openssl req failed";
    return;
  }
  const std::string out = dir_ + "/server.txt";
  if (spawn({"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key, "-www"},
            out, pid_) != 0) {
    error_ = "cannot run openssl s_server";
    pid_ = -1;
    return;
  }
  // s_server prints "ACCEPT 127.0.0.1:<port>" once it listens.
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (SteadyClock::now() < deadline) {
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      const std::string prefix = "ACCEPT 127.0.0.1:";
      if (line.rfind(prefix, 0) == 0) {
        port_ = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "openssl s_server did not start";
}

TlsBackend::~TlsBackend() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

}  // namespace tmdns::probes::testing
