// The status listener of a real tmdns: promtool on its scrape, every page, bad and slow clients
// that never disturb DNS, /readyz before the first probe round, reload metrics.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/metrics_support.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::e2e {
namespace {

// The value of one sample line ("name{labels} value") in a text-format scrape, or -1.
double sampleValue(const std::string& scrape, const std::string& series) {
  const size_t at = scrape.find("\n" + series + " ");
  if (at == std::string::npos) {
    return -1;
  }
  return std::strtod(scrape.c_str() + at + series.size() + 2, nullptr);
}

class MetricsEndpointsTest : public ::testing::Test {
 protected:
  void startStandard(const std::string& extra = "") {
    server_.writeStandardConfig();
    server_.writeConfig("http: \"127.0.0.1:0\"\n" + extra + readFile(server_.configPath()));
    ASSERT_TRUE(server_.start());
    http_ = httpPort(server_);
    ASSERT_NE(http_, 0);
  }
  // prio-ip: a Priority profile answering ip-one (192.0.2.1).
  void expectDnsAnswers() {
    const DigResult r = dig(server_.v4(), {"prio-ip.tm.example.test", "A"});
    EXPECT_EQ(r.status, "NOERROR") << r.describe();
    ASSERT_EQ(r.answer.size(), 1u) << r.describe();
    EXPECT_EQ(r.answer[0].rdata, "192.0.2.1");
  }

  Server server_;
  uint16_t http_ = 0;
};

TEST_F(MetricsEndpointsTest, PromtoolAcceptsTheScrape) {
  startStandard();
  expectDnsAnswers();
  dig(server_.v4(), {"+tcp", "nothing.tm.example.test", "AAAA"});
  dig(server_.v4(), {"example.com", "MX"});
  dig(server_.v4(), {"+subnet=198.51.100.0/24", "prio-ip.tm.example.test", "A"});
  const HttpReply text = httpGet(http_, "/metrics");
  ASSERT_EQ(text.status, 200);
  EXPECT_EQ(text.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string file = server_.dir().write("scrape.txt", text.body);
  const CommandResult lint = runCommand({"sh", "-c", "promtool check metrics < '" + file + "'"});
  EXPECT_EQ(lint.code(), 0) << lint.out << lint.err;
  EXPECT_EQ(lint.out + lint.err, "");
  EXPECT_EQ(sampleValue(text.body, "tmdns_dns_ecs_queries_total{transport=\"udp\"}"), 1);
  EXPECT_EQ(sampleValue(text.body,
                        "tmdns_dns_queries_total{zone=\"\",profile=\"\",qtype=\"MX\","
                        "rcode=\"REFUSED\",transport=\"udp\"}"),
            1);
  EXPECT_EQ(sampleValue(text.body,
                        "tmdns_dns_queries_total{zone=\"tm.example.test\",profile=\"\","
                        "qtype=\"AAAA\",rcode=\"NXDOMAIN\",transport=\"tcp\"}"),
            1);
  EXPECT_NE(text.body.find("\ntmdns_build_info{version=\""), std::string::npos);
  EXPECT_GT(sampleValue(text.body, "process_resident_memory_bytes"), 0);
  EXPECT_GT(sampleValue(text.body, "process_open_fds"), 0);

  const HttpReply om = httpGet(http_, "/metrics", "application/openmetrics-text;version=1.0.0");
  ASSERT_EQ(om.status, 200);
  EXPECT_EQ(om.header("Content-Type"),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
  ASSERT_GE(om.body.size(), 6u);
  EXPECT_EQ(om.body.substr(om.body.size() - 6), "# EOF\n");
  EXPECT_NE(om.body.find("# TYPE tmdns_dns_queries counter\n"), std::string::npos);
}

TEST_F(MetricsEndpointsTest, PagesAndBadClientsNeverDisturbDns) {
  startStandard();
  EXPECT_EQ(httpGet(http_, "/healthz").status, 200);
  const HttpReply ready = httpGet(http_, "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  const HttpReply status = httpGet(http_, "/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.header("Content-Type"), "application/json");
  EXPECT_NE(status.body.find("\"configSha256\":\"" + server_.configSha() + "\""),
            std::string::npos);
  EXPECT_NE(status.body.find("\"endpointMonitorStatus\":\"Unmonitored\""), std::string::npos);
  EXPECT_NE(status.body.find("\"profileMonitorStatus\":"), std::string::npos);

  EXPECT_EQ(httpGet(http_, "/nothing").status, 404);
  const HttpReply post = httpExchange(http_, "POST /metrics HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("Allow"), "GET, HEAD");
  EXPECT_EQ(httpExchange(http_, "GET /metrics HTTP/1.1\r\nHost: h\r\nX: " +
                                    std::string(20000, 'x') + "\r\n\r\n")
                .status,
            431);
  EXPECT_EQ(httpExchange(http_, "GET /metrics HTTP/1.1\r\nHost : h\r\n\r\n").status, 400);
  EXPECT_EQ(httpExchange(http_, "\x16\x03\x01\x02\x05\x01\x07\x01\xfc\x03\x03\r\n\r\n").status,
            400);
  expectDnsAnswers();

  // More connections than the listener takes (32), held open: the surplus is turned away at
  // once while DNS keeps answering; the held ones are timed out after a few seconds.
  std::vector<int> held;
  for (int i = 0; i < 32; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(http_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    send(fd, "GET /met", 8, MSG_NOSIGNAL);  // a slow client
    held.push_back(fd);
  }
  std::this_thread::sleep_for(300ms);
  const HttpReply surplus = httpGet(http_, "/healthz");
  EXPECT_EQ(surplus.status, 503);
  expectDnsAnswers();
  // Slow clients get 408 and are closed within the request timeout (5 s) plus slack. Every
  // one is read before any is closed: their deadlines are a few milliseconds apart, and one
  // closed before its own came would not be counted (seen under the sanitizer build).
  const auto before = Clock::now();
  for (const int fd : held) {
    char buffer[256];
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    ASSERT_GT(got, 12);
    EXPECT_EQ(std::string(buffer, 12), "HTTP/1.1 408");
  }
  EXPECT_LT(Clock::now() - before, 8s);
  for (const int fd : held) {
    close(fd);
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(httpGet(http_, "/healthz").status, 200);
  expectDnsAnswers();
  const std::string scrape = httpGet(http_, "/metrics").body;
  EXPECT_EQ(sampleValue(scrape, "tmdns_http_rejected_connections_total"), 1);
  EXPECT_EQ(sampleValue(scrape, "tmdns_http_responses_total{code=\"408\"}"), 32);
}

TEST_F(MetricsEndpointsTest, ReadyzWaitsForTheFirstProbeRound) {
  // A backend that never answers, probed with a 10 s timeout: no round can finish for a while.
  probes::testing::HttpBackend backend;
  backend.setMode(probes::testing::HttpBackend::Mode::kHang);
  server_.writeConfig(probedAppConfig(
      backend.port(), "intervalInSeconds: 30, timeoutInSeconds: 10",
      {"{name: primary, type: externalEndpoints, properties: {target: 127.0.0.1}}"}));
  ASSERT_TRUE(server_.start());
  http_ = httpPort(server_);
  const HttpReply ready = httpGet(http_, "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "first probe round not done\n");
  EXPECT_EQ(httpGet(http_, "/healthz").status, 200);  // alive all the same
  const std::string scrape = httpGet(http_, "/metrics").body;
  EXPECT_EQ(sampleValue(scrape, "tmdns_probe_first_round_done"), 0);
  EXPECT_EQ(sampleValue(scrape,
                        "tmdns_endpoint_monitor_status{zone=\"tm.example.test\","
                        "profile=\"app\",endpoint=\"primary\",status=\"CheckingEndpoint\"}"),
            1);
  EXPECT_NE(httpGet(http_, "/status").body.find("\"profileMonitorStatus\":\"CheckingEndpoints\""),
            std::string::npos);
}

TEST_F(MetricsEndpointsTest, ReloadsAreCountedAndCountersSurviveThem) {
  startStandard();
  for (int i = 0; i < 3; ++i) {
    expectDnsAnswers();
  }
  const std::string appA =
      "tmdns_dns_queries_total{zone=\"tm.example.test\",profile=\"prio-ip\",qtype=\"A\","
      "rcode=\"NOERROR\",transport=\"udp\"}";
  const std::string ipOne =
      "tmdns_dns_endpoint_answers_total{zone=\"tm.example.test\",profile=\"prio-ip\","
      "endpoint=\"ip-one\",endpoint_profile=\"prio-ip\"}";
  std::string scrape = httpGet(http_, "/metrics").body;
  EXPECT_EQ(sampleValue(scrape, appA), 3);
  EXPECT_EQ(sampleValue(scrape, ipOne), 3);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_last_reload_successful"), 1);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_info{sha256=\"" + server_.configSha() + "\"}"), 1);

  const std::string good = readFile(server_.configPath());
  server_.dir().write("tmdns.yaml", good + "\nbroken: [\n");
  EXPECT_EQ(server_.reload(), false);
  scrape = httpGet(http_, "/metrics").body;
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_last_reload_successful"), 0);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_reloads_total{result=\"failure\"}"), 1);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_generation"), 1);

  server_.dir().write("tmdns.yaml", good + "\n# changed\n");
  EXPECT_EQ(server_.reload(), true);
  scrape = httpGet(http_, "/metrics").body;
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_last_reload_successful"), 1);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_reloads_total{result=\"success\"}"), 1);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_generation"), 2);
  EXPECT_EQ(sampleValue(scrape, "tmdns_config_info{sha256=\"" + server_.configSha() + "\"}"), 1);
  // The new snapshot counts from zero; the metric does not.
  EXPECT_EQ(sampleValue(scrape, appA), 3);
  EXPECT_EQ(sampleValue(scrape, ipOne), 3);
  expectDnsAnswers();
  scrape = httpGet(http_, "/metrics").body;
  EXPECT_EQ(sampleValue(scrape, appA), 4);
  EXPECT_EQ(sampleValue(scrape, ipOne), 4);
}

}  // namespace
}  // namespace tmdns::e2e
