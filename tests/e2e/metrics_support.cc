// Metrics e2e helpers: HTTP over loopback sockets, Prometheus' process and query API.
#include "tests/e2e/metrics_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <thread>

#include "tests/support/loopback_servers.h"

namespace tmdns::e2e {

std::string HttpReply::header(const std::string& name) const {
  const std::regex field("\r\n" + name + ":[ \t]*([^\r]*)\r\n", std::regex::icase);
  std::smatch match;
  return std::regex_search(head, match, field) ? match[1].str() : "";
}

HttpReply httpExchange(uint16_t port, const std::string& request, Clock::duration timeout) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return reply;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;
    }
    sent += static_cast<size_t>(n);
  }
  std::string text;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
      break;
    }
    char buffer[16384];
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got <= 0) {
      break;
    }
    text.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  const size_t end = text.find("\r\n\r\n");
  if (text.rfind("HTTP/1.", 0) != 0 || text.size() < 12 || end == std::string::npos) {
    return reply;
  }
  reply.status = std::atoi(text.substr(9, 3).c_str());
  reply.head = text.substr(0, end + 2);
  reply.body = text.substr(end + 4);
  return reply;
}

HttpReply httpGet(uint16_t port, const std::string& path, const std::string& accept) {
  std::string request =
      "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  if (!accept.empty()) {
    request += "Accept: " + accept + "\r\n";
  }
  return httpExchange(port, request + "\r\n");
}

uint16_t httpPort(Server& server) {
  auto match = server.process().waitForStderr(
      std::regex("tmdns: http listening on 127\\.0\\.0\\.1:([0-9]+) "), 5s);
  if (!match) {
    ADD_FAILURE() << "no http listening line:\n" << server.log();
    return 0;
  }
  return static_cast<uint16_t>(std::stoi((*match)[1]));
}

std::string urlEncode(const std::string& text) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string probedAppConfig(uint16_t backendPort, const std::string& monitor,
                            const std::vector<std::string>& endpoints,
                            const std::string& topLevel) {
  std::string yaml = R"(listen: ["127.0.0.1:0"]
http: "127.0.0.1:0"
probes: {enabled: true}
)" + topLevel + R"(zones:
  - name: tm.example.test
    soa: {mname: ns1.tm.example.test, rname: hostmaster.example.test, serial: 1, refresh: 3600,
          retry: 600, expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.tm.example.test]
    records: ["ns1 3600 IN A 192.0.2.53"]
    profiles:
      - name: app
        properties:
          trafficRoutingMethod: Priority
          dnsConfig: {relativeName: app, ttl: 30}
          monitorConfig: {protocol: HTTP, port: )" +
                     std::to_string(backendPort) + ", " + monitor + R"(}
          endpoints:
)";
  for (const std::string& e : endpoints) {
    yaml += "            - " + e + "\n";
  }
  return yaml;
}

Prometheus::Prometheus(uint16_t targetPort) : target_(targetPort) {}

::testing::AssertionResult Prometheus::start(Clock::duration timeout) {
  // NETWORK SAFETY: one static loopback target; Prometheus listens on loopback only.
  const std::string config = dir_.write("prometheus.yml",
                                        "global:\n"
                                        "  scrape_interval: 1s\n"
                                        "  scrape_timeout: 1s\n"
                                        "  evaluation_interval: 1s\n"
                                        "scrape_configs:\n"
                                        "  - job_name: tmdns\n"
                                        "    static_configs:\n"
                                        "      - targets: ['127.0.0.1:" +
                                            std::to_string(target_) + "']\n");
  port_ = probes::testing::unusedPort("127.0.0.1");
  std::string error;
  if (!process_.start({"/usr/bin/prometheus", "--config.file=" + config,
                       "--storage.tsdb.path=" + dir_.file("data"),
                       "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                       "--storage.tsdb.retention.time=1h", "--log.level=warn"},
                      error)) {
    return ::testing::AssertionFailure() << error;
  }
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (httpGet(port_, "/-/ready").ok()) {
      return ::testing::AssertionSuccess();
    }
    if (!process_.running()) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  return ::testing::AssertionFailure() << "prometheus not ready:\n" << log();
}

std::optional<double> Prometheus::query(const std::string& promql) {
  const HttpReply reply = httpGet(port_, "/api/v1/query?query=" + urlEncode(promql));
  if (!reply.ok() || reply.body.find("\"status\":\"success\"") == std::string::npos) {
    return std::nullopt;
  }
  // {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},
  //  "value":[1700000000.123,"5"]}]}}: exactly one sample is expected.
  const std::regex value("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");
  auto begin = std::sregex_iterator(reply.body.begin(), reply.body.end(), value);
  std::optional<double> out;
  int samples = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out = std::strtod((*it)[1].str().c_str(), nullptr);
    ++samples;
  }
  return samples == 1 ? out : std::nullopt;
}

std::optional<double> Prometheus::waitFor(const std::string& promql,
                                          const std::function<bool(double)>& done,
                                          Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  std::optional<double> last;
  for (;;) {
    last = query(promql);
    if ((last && done(*last)) || Clock::now() >= deadline) {
      return last;
    }
    std::this_thread::sleep_for(250ms);
  }
}

}  // namespace tmdns::e2e
