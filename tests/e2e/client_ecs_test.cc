// EDNS Client Subnet (RFC 7871) handling through the real server: scope 0 where the answer does
// not depend on the client (Priority, Weighted, MultiValue, static records, negative answers),
// the scope of a profile reached through a static CNAME, and FORMERR for malformed options.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/client_harness.h"

namespace tmdns::e2e::client {
namespace {

// Weighted has one enabled endpoint and MultiValue returns all it has, so every answer is exact.
std::string config() {
  return clientConfig(
      "",
      {zoneYaml(
          "tm.example.test", "",
          {profileYaml("prio", "Priority",
                       {endpointYaml("p1", "p1.example.test", "priority: 1"),
                        endpointYaml("p2", "p2.example.test", "priority: 2")}),
           profileYaml("weighted", "Weighted",
                       {endpointYaml("w1", "192.0.2.1", "weight: 3"),
                        endpointYaml("w2", "192.0.2.2", "weight: 1, endpointStatus: Disabled")}),
           profileYaml("multi", "MultiValue",
                       {endpointYaml("m1", "192.0.2.11"), endpointYaml("m2", "192.0.2.12"),
                        endpointYaml("m3", "2001:db8::13")},
                       "maxReturn: 3"),
           profileYaml("office", "Subnet",
                       {endpointYaml("e1", "e1.example.test",
                                     "subnets: [{first: 198.51.100.0, scope: 24}]"),
                        endpointYaml("e3", "e3.example.test")})},
          {"static 300 IN A 192.0.2.53", "www 300 IN CNAME office.tm.example.test."})});
}

class ClientEcs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<Server>();
    server_->writeConfig(config());
    auto started = server_->start();
    startError_ = started ? "" : started.message();
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(startError_.empty()) << "the server did not start: " << startError_;
    ASSERT_TRUE(server_->process().running()) << server_->log();
  }

  static std::unique_ptr<Server> server_;
  static std::string startError_;
};

std::unique_ptr<Server> ClientEcs::server_;
std::string ClientEcs::startError_;

const std::vector<std::string> kClientSubnets = {"198.51.100.0/24", "198.51.100.7/32",
                                                 "2001:db8:1::/48", "203.0.113.0/25"};

TEST_F(ClientEcs, AnswersThatDoNotDependOnTheClientHaveScopeZero) {
  const Address v4 = server_->v4();
  for (const auto& subnet : kClientSubnets) {
    SCOPED_TRACE(subnet);
    EXPECT_TRUE(routes(v4, "prio.tm.example.test.", "A", ecs(subnet),
                       positive({cname("prio.tm.example.test.", "p1.example.test.")}, 0)));
    EXPECT_TRUE(routes(v4, "weighted.tm.example.test.", "A", ecs(subnet),
                       positive({a("weighted.tm.example.test.", "192.0.2.1")}, 0)));
    EXPECT_TRUE(routes(v4, "multi.tm.example.test.", "A", ecs(subnet),
                       positive({a("multi.tm.example.test.", "192.0.2.11"),
                                 a("multi.tm.example.test.", "192.0.2.12")},
                                0)));
    EXPECT_TRUE(routes(v4, "multi.tm.example.test.", "AAAA", ecs(subnet),
                       positive({aaaa("multi.tm.example.test.", "2001:db8::13")}, 0)));
    EXPECT_TRUE(routes(v4, "static.tm.example.test.", "A", ecs(subnet),
                       positive({Rr::of("static.tm.example.test. 300 IN A 192.0.2.53")}, 0)));
    EXPECT_TRUE(
        routes(v4, "nothing.tm.example.test.", "A", ecs(subnet), nxdomain(kNegativeSoa, 0)));
    EXPECT_TRUE(routes(v4, "prio.tm.example.test.", "MX", ecs(subnet), nodata(kNegativeSoa, 0)));
    EXPECT_TRUE(routes(server_->v6(), "prio.tm.example.test.", "A", ecs(subnet),
                       positive({cname("prio.tm.example.test.", "p1.example.test.")}, 0)));
  }
  EXPECT_TRUE(routesWire(v4, "prio.tm.example.test.", LDNS_RR_TYPE_A, "198.51.100.0", 24,
                         positive({cname("prio.tm.example.test.", "p1.example.test.")}, 0)));
  EXPECT_TRUE(routesWire(v4, "multi.tm.example.test.", LDNS_RR_TYPE_AAAA, "2001:db8:1::", 48,
                         positive({aaaa("multi.tm.example.test.", "2001:db8::13")}, 0)));
  // A /0 option is echoed with its zero-length address.
  EXPECT_TRUE(routesWire(v4, "office.tm.example.test.", LDNS_RR_TYPE_A, "0.0.0.0", 0,
                         positive({cname("office.tm.example.test.", "e3.example.test.")}, 0)));
}

TEST_F(ClientEcs, StaticCnameIntoASubnetProfileCarriesTheProfilesScope) {
  const Address v4 = server_->v4();
  const Rr www = Rr::of("www.tm.example.test. 300 IN CNAME office.tm.example.test.");
  EXPECT_TRUE(routes(v4, "www.tm.example.test.", "A", ecs("198.51.100.0/24"),
                     positive({www, cname("office.tm.example.test.", "e1.example.test.")}, 24)));
  EXPECT_TRUE(routes(v4, "www.tm.example.test.", "A", ecs("198.51.100.0/25"),
                     positive({www, cname("office.tm.example.test.", "e1.example.test.")}, 24)));
  // 200.0.0.0/5 (200-207.x) holds no range; 192.0.0.0/4 would hold 198.51.100.0/24.
  EXPECT_TRUE(routes(v4, "www.tm.example.test.", "A", ecs("203.0.113.0/24"),
                     positive({www, cname("office.tm.example.test.", "e3.example.test.")}, 5)));
}

TEST(ClientDigOutput, ClientSubnetLinesOfDigAndKdigAreParsed) {
  const DigResult d = parseDigOutput(
      ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
      ";; OPT PSEUDOSECTION:\n"
      "; EDNS: version: 0, flags:; udp: 1232\n"
      "; CLIENT-SUBNET: 198.51.100.0/24/22\n");
  EXPECT_TRUE(d.hasEcs);
  EXPECT_EQ(d.ecsAddress, "198.51.100.0");
  EXPECT_EQ(d.ecsSource, 24);
  EXPECT_EQ(d.ecsScope, 22);
  const DigResult k = parseDigOutput(
      ";; ->>HEADER<<- opcode: QUERY; status: NOERROR; id: 1\n"
      ";; EDNS PSEUDOSECTION:\n"
      ";; Version: 0; flags: ; UDP size: 1232 B; ext-rcode: NOERROR\n"
      ";; CLIENT-SUBNET: 2001:db8:1::/56/48\n");
  EXPECT_TRUE(k.hasEcs);
  EXPECT_EQ(k.ecsAddress, "2001:db8:1::");
  EXPECT_EQ(k.ecsSource, 56);
  EXPECT_EQ(k.ecsScope, 48);
  EXPECT_FALSE(parseDigOutput(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n").hasEcs);
}

// One malformed client subnet option each; RFC 7871 §6 / §7.2.1: FORMERR.
struct Malformed {
  const char* what;
  Bytes option;
};

std::vector<Malformed> malformedOptions() {
  return {
      {"FAMILY 3", ecsOptionRaw(3, 24, 0, {198, 51, 100})},
      {"FAMILY 0", ecsOptionRaw(0, 24, 0, {198, 51, 100})},
      {"IPv4 SOURCE PREFIX-LENGTH 33", ecsOptionRaw(1, 33, 0, {198, 51, 100, 7, 0})},
      {"IPv6 SOURCE PREFIX-LENGTH 129",
       ecsOptionRaw(2, 129, 0, {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      {"IPv4 host bit set beyond /23", ecsOptionRaw(1, 23, 0, {198, 51, 101})},
      {"IPv4 host bits set beyond /29", ecsOptionRaw(1, 29, 0, {198, 51, 100, 7})},
      {"IPv4 /24 with a fourth, non-zero octet", ecsOptionRaw(1, 24, 0, {198, 51, 100, 7})},
      {"IPv6 host bits set beyond /44",
       ecsOptionRaw(2, 44, 0, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x1f})},
      {"IPv4 /24 with two octets", ecsOptionRaw(1, 24, 0, {198, 51})},
  };
}

std::string hex(const Bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t x : b) {
    out += digits[x >> 4];
    out += digits[x & 15];
  }
  return out;
}

TEST_F(ClientEcs, MalformedClientSubnetIsFormerr) {
  const Address v4 = server_->v4();
  const std::string name = "office.tm.example.test.";
  for (const auto& [what, option] : malformedOptions()) {
    SCOPED_TRACE(what);
    for (const Via via : {Via::kUdp, Via::kTcp}) {
      QueryOptions o;
      o.edns = true;
      o.ednsOptions = option;
      auto m = ask(v4, name, LDNS_RR_TYPE_A, o, via);
      ASSERT_TRUE(m);
      // Not authoritative, nothing answered, the question echoed; RFC 6891 §7: an OPT query
      // gets an OPT back, here without a client subnet (there is no valid one to echo).
      EXPECT_TRUE(messageMatches(*m, LDNS_RCODE_FORMERR, {}, {}, {}, false));
      EXPECT_EQ(m->qname, name);
      EXPECT_TRUE(m->hasOpt);
      EXPECT_EQ(m->optData, Bytes{});
    }
    // The real clients, sending the option bytes as given (+ednsopt=CODE:HEX).
    const std::string ednsopt = "+ednsopt=8:" + hex(Bytes(option.begin() + 4, option.end()));
    for (const DigResult& r : {dig(v4, {ednsopt, name, "A"}), kdig(v4, {ednsopt, name, "A"}),
                               dig(v4, {"+tcp", ednsopt, name, "A"})}) {
      EXPECT_EQ(r.status, "FORMERR") << r.describe();
      EXPECT_TRUE(r.answer.empty()) << r.describe();
      EXPECT_FALSE(r.flag("aa")) << r.describe();
      EXPECT_FALSE(r.hasEcs) << r.describe();
    }
  }
  // The server is fine afterwards, and the well-formed twins of those options are answered.
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/23"),
                     positive({cname(name, "e1.example.test.")}, 23)));
  EXPECT_TRUE(routes(v4, name, "A", ecs("198.51.100.0/29"),
                     positive({cname(name, "e1.example.test.")}, 24)));
  EXPECT_TRUE(routesWire(v4, name, LDNS_RR_TYPE_A, "2001:db8:10::", 44,
                         positive({cname(name, "e3.example.test.")}, 0)));
}

}  // namespace
}  // namespace tmdns::e2e::client
