// Probe request headers as the backend receives them (traffic-manager.md §4.1): profile custom
// headers, endpoint headers overriding those of the same name, and a custom Host.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/probe_harness.h"

namespace tmdns::e2e {
namespace {

struct RequestHead {
  std::string requestLine;
  std::map<std::string, std::vector<std::string>> headers;  // lower-cased name -> values
};

RequestHead parseHead(const std::string& head) {
  RequestHead out;
  std::istringstream in(head);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  out.requestLine = line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const size_t colon = line.find(':');
    if (line.empty() || colon == std::string::npos) {
      continue;
    }
    std::string name = line.substr(0, colon);
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    out.headers[name].push_back(value);
  }
  return out;
}

using Values = std::vector<std::string>;

TEST(ProbeHeaders, EndpointHeadersOverrideProfileHeadersAndCustomHostIsSent) {
  BackendGroup backends({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  ASSERT_TRUE(backends.ok());
  // Profile: a custom Host and two headers. e1 overrides X-Level (spelled in lower case: names
  // are case-insensitive), e2 overrides Host, e3 takes the profile's as they are.
  const std::string monitor = monitorYaml(
      "HTTP", backends.port(), 0,
      ", path: \"/status?probe=1\", customHeaders: [{name: Host, value: profile-host.example.test},"
      " {name: X-Level, value: profile}, {name: X-Profile-Only, value: p}]");
  Server s;
  s.writeConfig(probeConfig({profileYaml(
      "hdr", "Priority", monitor,
      {endpointYaml("e1", "127.0.0.2",
                    "priority: 1, customHeaders: [{name: x-level, value: endpoint}]"),
       endpointYaml("e2", "127.0.0.3",
                    "priority: 2, customHeaders: [{name: Host, value: endpoint-host.example.test},"
                    " {name: X-Endpoint-Only, value: e2}]"),
       endpointYaml("e3", "127.0.0.4", "priority: 3")})}));
  const auto started = Clock::now();
  ASSERT_TRUE(s.start());
  for (const std::string e : {"e1", "e2", "e3"}) {
    ASSERT_TRUE(loggedWithin(s, statusLine("hdr/" + e, "CheckingEndpoint", "Online", "HTTP 200"),
                             started, 0));
  }
  EXPECT_TRUE(answers(s.v4(), inZone("hdr"), LDNS_RR_TYPE_A,
                      {Rr::of(inZone("hdr") + " 30 IN A 127.0.0.2")}));

  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE("e" + std::to_string(i + 1));
    const auto requests = backends[i].requests();
    ASSERT_FALSE(requests.empty());
    for (const auto& raw : requests) {
      const RequestHead head = parseHead(raw);
      EXPECT_EQ(head.requestLine, "GET /status?probe=1 HTTP/1.1") << raw;
      EXPECT_EQ(head.headers.at("user-agent"), Values{"tmdns-e2e-probe"}) << raw;
      EXPECT_EQ(head.headers.at("x-profile-only"), Values{"p"}) << raw;
      if (i == 0) {
        EXPECT_EQ(head.headers.at("host"), Values{"profile-host.example.test"}) << raw;
        EXPECT_EQ(head.headers.at("x-level"), Values{"endpoint"}) << raw;
        EXPECT_EQ(head.headers.count("x-endpoint-only"), 0u) << raw;
      } else if (i == 1) {
        EXPECT_EQ(head.headers.at("host"), Values{"endpoint-host.example.test"}) << raw;
        EXPECT_EQ(head.headers.at("x-level"), Values{"profile"}) << raw;
        EXPECT_EQ(head.headers.at("x-endpoint-only"), Values{"e2"}) << raw;
      } else {
        EXPECT_EQ(head.headers.at("host"), Values{"profile-host.example.test"}) << raw;
        EXPECT_EQ(head.headers.at("x-level"), Values{"profile"}) << raw;
        EXPECT_EQ(head.headers.count("x-endpoint-only"), 0u) << raw;
      }
    }
  }
}

}  // namespace
}  // namespace tmdns::e2e
