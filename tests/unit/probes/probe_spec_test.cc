// Unit tests for ProbeSpec::key(): what makes two probes the same probe.
#include "probes/probe_spec.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace tmdns::probes {
namespace {

ProbeSpec base() {
  ProbeSpec s;
  s.endpoint = 3;
  s.profileName = "prof";
  s.endpointName = "ep";
  s.protocol = Protocol::kHttp;
  s.target = "app.example.com";
  s.port = 80;
  s.path = "/health";
  s.headers = {{"Host", "app.example.com"}, {"X-A", "1"}};
  s.expectedStatus = {{200, 299}};
  return s;
}

struct Case {
  std::string name;
  std::function<void(ProbeSpec&)> change;
  bool sameKey;
};

TEST(ProbeSpecKey, Table) {
  const std::vector<Case> cases = {
      {"endpoint id and names are not identity",
       [](ProbeSpec& s) {
         s.endpoint = 9;
         s.profileName = "other";
         s.endpointName = "x";
       },
       true},
      {"target case does not matter", [](ProbeSpec& s) { s.target = "APP.example.COM"; }, true},
      {"header name case does not matter", [](ProbeSpec& s) { s.headers[1].first = "x-a"; }, true},
      {"target", [](ProbeSpec& s) { s.target = "other.example.com"; }, false},
      {"port", [](ProbeSpec& s) { s.port = 8080; }, false},
      {"path", [](ProbeSpec& s) { s.path = "/"; }, false},
      {"protocol", [](ProbeSpec& s) { s.protocol = Protocol::kHttps; }, false},
      {"header value", [](ProbeSpec& s) { s.headers[1].second = "2"; }, false},
      {"extra header",
       [](ProbeSpec& s) {
         s.headers.push_back({"X-B", ""});
       },
       false},
      {"expected ranges",
       [](ProbeSpec& s) {
         s.expectedStatus = {{200, 399}};
       },
       false},
      {"interval", [](ProbeSpec& s) { s.intervalSeconds = 10; }, false},
      {"timeout", [](ProbeSpec& s) { s.timeoutSeconds = 5; }, false},
      {"tolerated", [](ProbeSpec& s) { s.toleratedFailures = 0; }, false},
      {"verifyTls on HTTP does not matter", [](ProbeSpec& s) { s.verifyTls = true; }, true},
  };
  const std::string key = base().key();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ProbeSpec s = base();
    c.change(s);
    EXPECT_EQ(s.key() == key, c.sameKey) << s.key() << " vs " << key;
  }
}

TEST(ProbeSpecKey, HttpsVerifyTlsAndTcpIgnoresHttpFields) {
  ProbeSpec https = base();
  https.protocol = Protocol::kHttps;
  ProbeSpec verified = https;
  verified.verifyTls = true;
  EXPECT_NE(https.key(), verified.key());

  ProbeSpec tcp = base();
  tcp.protocol = Protocol::kTcp;
  ProbeSpec tcp2 = tcp;
  tcp2.path = "";
  tcp2.headers.clear();
  tcp2.expectedStatus.clear();
  EXPECT_EQ(tcp.key(), tcp2.key());
}

}  // namespace
}  // namespace tmdns::probes
