// Plain, validated configuration structs: what the YAML/JSON says, before compilation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.h"

namespace tmdns::config {

// Every struct remembers where it was written (pos) and its path for messages
// (e.g. "zones[0].profiles[2].endpoints[1]"), so later stages can report precisely.
struct Located {
  Position pos;
  std::string path;
  // Where single fields were written, keyed by their path below this struct ("weight",
  // "dnsConfig.relativeName", "geoMapping[1]"): lets rules that compare fields point at one.
  // Holds only fields present in the input.
  std::map<std::string, Position> fieldPos;
};

struct ListenAddress : Located {
  std::string host;  // numeric IPv4 or IPv6 literal (no brackets)
  uint16_t port = 53;
};

struct CustomHeader : Located {
  std::string name;
  std::string value;
};

struct StatusCodeRange : Located {
  int min = 200;
  int max = 200;
};

enum class ProbeProtocol { kHttp, kHttps, kTcp };

// monitorConfig (traffic-manager.md §1.3), defaults applied.
struct MonitorConfig : Located {
  ProbeProtocol protocol = ProbeProtocol::kHttp;
  uint16_t port = 80;
  std::string path = "/";
  int intervalInSeconds = 30;
  int timeoutInSeconds = 10;
  int toleratedNumberOfFailures = 3;
  std::vector<CustomHeader> customHeaders;
  std::vector<StatusCodeRange> expectedStatusCodeRanges;
  bool verifyTls = false;  // tmdns extension (issue 4): validate HTTPS certificates
};

// One entry of an endpoint's `subnets` (§1.4): CIDR (first+scope), range (first+last), or single
// IP.
struct SubnetSpec : Located {
  std::string first;
  std::optional<std::string> last;
  std::optional<int> scope;
};

enum class EndpointType { kAzure, kExternal, kNested };

struct Endpoint : Located {
  std::string name;
  EndpointType type = EndpointType::kExternal;
  std::string target;            // FQDN or IP literal ("" if not given)
  std::string targetResourceId;  // azure / nested
  bool enabled = true;           // endpointStatus
  int weight = 1;
  std::optional<int> priority;   // filled in by order when absent on all endpoints (§1.4)
  std::string endpointLocation;  // Azure region name as written, "" if absent
  int minChildEndpoints = 1;
  std::optional<int> minChildEndpointsIPv4;
  std::optional<int> minChildEndpointsIPv6;
  std::vector<std::string> geoMapping;  // codes as written (upper-cased)
  std::vector<SubnetSpec> subnets;
  std::vector<CustomHeader> customHeaders;
  bool alwaysServe = false;
  // Nested endpoints: the child profile, as indices into Config::zones and Zone::profiles; set by
  // the loader once the whole configuration is read (-1 until then and for other types).
  int childZone = -1;
  int childProfile = -1;
};

enum class RoutingMethod { kPriority, kWeighted, kPerformance, kGeographic, kMultiValue, kSubnet };

struct Profile : Located {
  std::string name;     // resource name; unique per zone
  bool enabled = true;  // profileStatus
  RoutingMethod method = RoutingMethod::kPriority;
  std::string relativeName;  // lower-cased; may contain dots
  int64_t ttl = 30;
  MonitorConfig monitor;
  std::vector<Endpoint> endpoints;
  std::optional<int64_t> maxReturn;
};

struct Soa : Located {
  std::string mname;
  std::string rname;
  uint32_t serial = 1;
  uint32_t refresh = 3600;
  uint32_t retry = 600;
  uint32_t expire = 86400;
  uint32_t minimum = 30;
  uint32_t ttl = 3600;
};

// A static record in presentation format, e.g. "ns1 3600 IN A 192.0.2.53" (owner relative to
// the zone unless it ends in a dot).
struct StaticRecord : Located {
  std::string text;
};

// What to answer where Traffic Manager's sources disagree for Subnet profiles (§2.7).
enum class NegativeAnswer { kNoData, kNxDomain };

struct Zone : Located {
  std::string name;  // lower-cased, no trailing dot
  Soa soa;
  std::vector<std::string> ns;  // absolute names, no trailing dot
  uint32_t nsTtl = 3600;
  std::vector<StaticRecord> records;
  std::vector<Profile> profiles;  // inline profiles followed by those from profile_files
  NegativeAnswer subnetNoMatch = NegativeAnswer::kNoData;
  NegativeAnswer subnetUnhealthy = NegativeAnswer::kNxDomain;
};

struct TcpSettings : Located {
  int idleTimeoutMs = 10000;  // RFC 7766 §6.2.3: servers may close idle connections
  int maxConnections = 1024;
  int maxQueriesPerConnection = 1000;
};

// Top-level `probes:` settings (issue 4).
struct ProbeSettings : Located {
  bool enabled = true;  // false: nothing is probed, every enabled endpoint is served unmonitored
  std::vector<std::string> resolvers;  // "addr" or "addr:port" / "[v6]:port"; empty = system's
  std::string sourceAddress;           // bind probes to this local address ("" = kernel's choice)
  std::string userAgent;               // "" = "tmdns/<version>"
  int maxConcurrent = 512;             // probes in flight at once
};

// Top-level `geoip:` — the geolocation database Geographic and Performance routing consult
// (traffic-manager.md §2.4, §2.5): `{mmdb: FILE}` (MaxMind DB, e.g. GeoLite2/DB-IP city or
// country) or `{csv: FILE}` (network,country[,subdivision[,latitude,longitude]] lines).
// pos/path are those of the file value, so load errors point at it.
struct GeoIpSettings : Located {
  enum class Format { kMmdb, kCsv };
  Format format = Format::kMmdb;
  std::string file;  // resolved against the configuration file's directory
};

// Top-level `latency: {csv: FILE}` — network,region,rtt_ms lines ranking Azure regions per client
// network for Performance routing (§2.4). pos/path are those of the file value.
struct LatencySettings : Located {
  std::string file;  // resolved against the configuration file's directory
};

// Top-level `user:` / `group:` — whom the daemon runs as once its sockets are bound, so that it
// can start as root to bind port 53 and then serve unprivileged. Each is a name or a numeric id;
// "" = not set. `group` defaults to the user's primary group. pos/path are those of `user`.
struct RunAs : Located {
  std::string user;
  std::string group;
};

// Top-level `rate_limit:` — Response Rate Limiting of UDP answers (issue 8), as Knot and NSD
// do it: a token bucket per client prefix and response class, with slip. Off when absent.
// Ranges are dns::RateLimitOptions'.
struct RateLimitSettings : Located {
  int responsesPerSecond = 0;  // required
  int window = 2;              // seconds of credit: the burst a prefix may send at once
  int slip = 2;                // every slip-th limited answer is sent truncated; 0 = none
  int ipv4Prefix = 24;
  int ipv6Prefix = 56;
  int tableSize = 65536;
};

struct Config {
  std::string file;                      // the main configuration file, as given
  std::vector<std::string> sourceFiles;  // every file the loader read (main file first)
  std::vector<ListenAddress> listen;
  int threads = 0;           // 0 = number of cores
  int maxUdpPayload = 1232;  // our EDNS(0) advertised/used UDP payload ceiling (DNS flag day 2020)
  TcpSettings tcp;
  ProbeSettings probes;
  // Top-level `http: "127.0.0.1:9153"`: the metrics and status listener; off when absent.
  std::optional<ListenAddress> http;
  std::optional<GeoIpSettings> geoip;
  std::optional<LatencySettings> latency;
  std::optional<RateLimitSettings> rateLimit;
  RunAs runAs;  // privileges to drop to after binding (user: / group:)
  std::vector<Zone> zones;
};

}  // namespace tmdns::config
