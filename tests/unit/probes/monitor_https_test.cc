// Monitor HTTPS probes against an openssl s_server with a self-signed certificate on loopback.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "monitor_fixture.h"
#include "probes/monitor.h"
#include "tests/support/loopback_servers.h"

namespace tmdns::probes::testing {
namespace {

using Mode = HttpBackend::Mode;

ProbeSpec httpsSpec(routing::EndpointId id, const std::string& name, uint16_t port) {
  ProbeSpec spec = httpSpec(id, name, "127.0.0.1", port);
  spec.protocol = Protocol::kHttps;
  return spec;
}

class MonitorHttpsTest : public ::testing::Test {
 protected:
  DnsResponder dns_;
  Recorder recorder_;
};

TEST_F(MonitorHttpsTest, SelfSignedCertificateIsNotValidatedByDefault) {
  TlsBackend tls;
  ASSERT_TRUE(tls.ok()) << tls.error();
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpsSpec(0, "e0", tls.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Online (HTTP 200)", 2s + kMargin))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorHttpsTest, VerifyTlsRejectsTheSelfSignedCertificate) {
  TlsBackend tls;
  ASSERT_TRUE(tls.ok()) << tls.error();
  ProbeSpec spec = httpsSpec(0, "e0", tls.port());
  spec.verifyTls = true;
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {spec}));
  monitor.start();
  ASSERT_TRUE(
      recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (TLS certificate verification failed)",
                         degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorHttpsTest, PlainHttpPeerFailsTheHandshake) {
  HttpBackend plain;
  plain.setMode(Mode::kGarbage);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpsSpec(0, "e0", plain.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (TLS handshake failed)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

TEST_F(MonitorHttpsTest, StalledHandshakeCostsOnlyTheTimeout) {
  HttpBackend silent;
  silent.setMode(Mode::kHang);
  Monitor monitor(loopbackOptions(dns_.server()), recorder_.publish(), recorder_.log());
  monitor.setPlan(planOf(1, 1, {httpsSpec(0, "e0", silent.port())}));
  monitor.start();
  ASSERT_TRUE(recorder_.waitLine("p/e0: CheckingEndpoint -> Degraded (timeout after 1s)",
                                 degradeBound(1, 0, 1)))
      << ::testing::PrintToString(recorder_.lines());
}

}  // namespace
}  // namespace tmdns::probes::testing
