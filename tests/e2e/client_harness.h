// Client-aware routing e2e helpers (Subnet, Geographic, Performance): configurations with
// geolocation and latency data, dig/kdig queries with ECS and bound source addresses checked
// together with the ECS scope answered, loopback probe backends and status-line waits.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/expect.h"
#include "tests/e2e/harness.h"
#include "tests/support/loopback_servers.h"

// Their own namespace: the probe tests' helpers of the same names live in tmdns::e2e.
namespace tmdns::e2e::client {

// The geolocation database of these tests (tmdns CSV: network,country[,subdivision[,lat,lon]]).
// Loopback blocks stand for places too, so that the query's source address can be anywhere:
// 127.0.0.0/29 Ireland, .8/29 France, .16/29 Japan, .24/29 Germany, .32/29 California;
// ::1 California. Everything else in 127.0.0.0/8 (and 10.0.0.0/8) is unknown.
inline const std::string kGeoCsv = R"(network,country,subdivision,latitude,longitude
# Dublin, Paris, Tokyo
198.51.100.0/24,IE,,53.35,-6.26
203.0.113.0/24,FR,,48.86,2.35
192.0.2.0/24,JP,,35.68,139.77
# San Francisco, Sao Paulo, Frankfurt, New York
100.64.0.0/24,US,CA,37.77,-122.42
100.64.1.0/24,BR,,-23.55,-46.63
100.64.2.0/24,DE,,50.11,8.68
100.64.3.0/25,US,NY,40.71,-74.01
127.0.0.0/29,IE,,53.35,-6.26
127.0.0.8/29,FR,,48.86,2.35
127.0.0.16/29,JP,,35.68,139.77
127.0.0.24/29,DE,,50.11,8.68
127.0.0.32/29,US,CA,37.77,-122.42
2001:db8:1::/48,DE,,50.11,8.68
2001:db8:2::/48,JP,,35.68,139.77
::1/128,US,CA,37.77,-122.42
)";

// The latency table of these tests (network,region,rtt_ms): 198.51.100.0/24 nearest West Europe,
// then East US, then Japan East; 192.0.2.0/24 (Tokyo by kGeoCsv) nearest East US, so the table
// visibly beats distance; 2001:db8:2::/48 nearest Japan East; loopback 127.0.0.0/29 West Europe
// first, 127.0.0.8/29 East US first, ::1 East US; sixteen /16s of 10.0.0.0/12 in West Europe
// only.
std::string latencyCsv();

// One zone of a test configuration. The SOA is the standard zone's, so the negative-answer SOA
// is negativeSoa(name) (kNegativeSoa for tm.example.test).
struct ZoneYaml {
  std::string name = "tm.example.test";
  std::string settings;               // extra zone keys, one per line ("subnet_no_match: nxdomain")
  std::vector<std::string> records;   // static records in presentation format
  std::vector<std::string> profiles;  // profile YAML as from profileYaml()
};
ZoneYaml zoneYaml(const std::string& name, const std::string& settings,
                  std::vector<std::string> profiles, std::vector<std::string> records = {});
// tm.example.test with `profiles` and nothing else.
ZoneYaml tmZone(std::vector<std::string> profiles);

// A configuration listening on 127.0.0.1:0 and [::1]:0. `top` holds top-level keys, one per line
// (geoip:, latency:, probes:); without a `probes:` key probing is off (withProbesOff).
std::string clientConfig(const std::string& top, const std::vector<ZoneYaml>& zones);

// One profile in ARM shape answering at `relativeName` (= name unless given), TTL 30. The default
// monitor is for configurations with probes off; with probes on, pass tcpMonitor(port) and give
// every endpoint a loopback address. `extra` holds more profile properties.
std::string profileYaml(const std::string& name, const std::string& method,
                        const std::vector<std::string>& endpoints, const std::string& extra = "",
                        const std::string& relativeName = "",
                        const std::string& monitor = "{protocol: TCP, port: 9}");
// An external endpoint as a YAML flow item; `extra` goes inside its properties
// ("geoMapping: [IE], subnets: [{first: 198.51.100.0, scope: 24}]").
std::string endpointYaml(const std::string& name, const std::string& target,
                         const std::string& extra = "");
// A nested endpoint whose child is the profile named `child` (by targetResourceId).
std::string nestedYaml(const std::string& name, const std::string& child,
                       const std::string& extra = "");

// TCP probing of `port` every 2 s with a 1 s timeout, no tolerated failure (Degraded on the
// first failed probe).
std::string tcpMonitor(uint16_t port);

// The SOA in negative answers of a zone written by clientConfig().
Rr negativeSoa(const std::string& zone);
// "<relative>.<zone>." records of the profile TTL (30).
Rr cname(const std::string& owner, const std::string& target);
Rr a(const std::string& owner, const std::string& address);
Rr aaaa(const std::string& owner, const std::string& address);

// Who asks. dig/kdig send `ecs` as +subnet= (written as its network address, as both print it
// back) and leave from `source` (-b); an empty field means no ECS / the default source
// (127.0.0.1, or ::1 for an IPv6 server address).
struct From {
  std::string ecs;
  std::string source;
};
From ecs(const std::string& subnet);
From source(const std::string& address);
From ecsFrom(const std::string& subnet, const std::string& address);

// What must come back. `scope` is the ECS SCOPE PREFIX-LENGTH expected when ECS was sent
// (required then); without ECS the answer must carry no ECS option.
struct Answer {
  std::string status;
  std::vector<Rr> answer;
  std::vector<Rr> authority;
  int scope = -1;
};
Answer positive(std::vector<Rr> answer, int scope = -1);
Answer nodata(const Rr& soa, int scope = -1);
Answer nxdomain(const Rr& soa, int scope = -1);

// Asks `name`/`type` with dig and kdig over UDP and TCP as `from`, and checks each response
// whole (status, flags qr aa, every section) and its ECS option: the address and SOURCE
// PREFIX-LENGTH sent, with `want.scope`.
::testing::AssertionResult routes(const Address& server, const std::string& name,
                                  const std::string& type, const From& from, const Answer& want);

// The same through the ldns client over UDP, with a raw ECS option from ecsOption(): the whole
// message and the echoed option byte for byte (FAMILY, SOURCE, SCOPE = want.scope, ADDRESS).
::testing::AssertionResult routesWire(const Address& server, const std::string& name,
                                      ldns_rr_type type, const std::string& address,
                                      uint8_t sourcePrefix, const Answer& want);

// Waits (polling, up to `timeout`) for a log line "tmdns: <label>: <from> -> <to> (...)" at
// index >= `fromLine`.
::testing::AssertionResult waitForStatus(Server& server, const std::string& label,
                                         const std::string& from, const std::string& to,
                                         Clock::duration timeout = 30s, size_t fromLine = 0);

// Plain TCP listeners (probes::testing::HttpBackend; a TCP probe only connects) on several
// loopback addresses sharing one port, as a profile's endpoints share monitorConfig.port.
// Connections to the port on any other loopback address are refused: endpoints there degrade.
class Backends {
 public:
  explicit Backends(const std::vector<std::string>& addresses);
  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // Closes the listener on addresses[i]: its probes fail from then on.
  void stop(size_t i);

 private:
  std::vector<std::unique_ptr<probes::testing::HttpBackend>> backends_;
  uint16_t port_ = 0;
};

}  // namespace tmdns::e2e::client
