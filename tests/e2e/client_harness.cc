// Client-aware routing e2e helpers: configurations, ECS/source queries with scope checks,
// loopback probe backends.
#include "tests/e2e/client_harness.h"

#include <regex>
#include <sstream>

namespace tmdns::e2e::client {
namespace {

std::string regexEscape(const std::string& text) {
  static const std::string special = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : text) {
    if (special.find(c) != std::string::npos) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// "198.51.100.0/24" -> ("198.51.100.0", 24).
std::pair<std::string, int> splitSubnet(const std::string& subnet) {
  const size_t slash = subnet.find('/');
  if (slash == std::string::npos) {
    return {subnet, subnet.find(':') != std::string::npos ? 128 : 32};
  }
  return {subnet.substr(0, slash), std::stoi(subnet.substr(slash + 1))};
}

int rcodeOf(const std::string& status) {
  if (status == "NOERROR") {
    return LDNS_RCODE_NOERROR;
  }
  if (status == "FORMERR") {
    return LDNS_RCODE_FORMERR;
  }
  if (status == "NXDOMAIN") {
    return LDNS_RCODE_NXDOMAIN;
  }
  if (status == "REFUSED") {
    return LDNS_RCODE_REFUSED;
  }
  ADD_FAILURE() << "unknown status " << status;
  return -1;
}

std::string describe(const From& from) {
  std::string out;
  out += from.ecs.empty() ? "no ECS" : "ECS " + from.ecs;
  out += from.source.empty() ? "" : ", source " + from.source;
  return out;
}

}  // namespace

std::string latencyCsv() {
  std::string csv =
      "network,region,rtt_ms\n"
      "198.51.100.0/24,West Europe,10\n"
      "198.51.100.0/24,East US,80\n"
      "198.51.100.0/24,Japan East,250\n"
      "192.0.2.0/24,East US,15\n"
      "192.0.2.0/24,West Europe,95\n"
      "2001:db8:2::/48,Japan East,6\n"
      "2001:db8:2::/48,West Europe,230\n"
      "127.0.0.0/29,West Europe,5\n"
      "127.0.0.0/29,East US,70\n"
      "127.0.0.8/29,East US,5\n"
      "127.0.0.8/29,West Europe,70\n"
      "::1/128,East US,3\n";
  for (int i = 0; i < 16; ++i) {
    csv += "10." + std::to_string(i) + ".0.0/16,westeurope,20\n";
  }
  return csv;
}

ZoneYaml zoneYaml(const std::string& name, const std::string& settings,
                  std::vector<std::string> profiles, std::vector<std::string> records) {
  ZoneYaml z;
  z.name = name;
  z.settings = settings;
  z.profiles = std::move(profiles);
  z.records = std::move(records);
  return z;
}

ZoneYaml tmZone(std::vector<std::string> profiles) {
  return zoneYaml("tm.example.test", "", std::move(profiles));
}

std::string clientConfig(const std::string& top, const std::vector<ZoneYaml>& zones) {
  // Network safety: configurations with probes on target only loopback addresses; all others
  // get `probes: {enabled: false}` from the harness (withProbesOff).
  std::string out = "listen: [\"127.0.0.1:0\", \"[::1]:0\"]\nthreads: 2\n" + top;
  if (!out.empty() && out.back() != '\n') {
    out += "\n";
  }
  out += "zones:\n";
  for (const auto& z : zones) {
    out += "  - name: " + z.name + "\n";
    out += "    soa: {mname: ns1." + z.name + ", rname: hostmaster.example.test, serial: " +
           "2024010101, refresh: 3600, retry: 600, expire: 86400, minimum: 30, ttl: 3600}\n";
    out += "    ns: [ns1." + z.name + "]\n";
    std::istringstream settings(z.settings);
    std::string line;
    while (std::getline(settings, line)) {
      if (!line.empty()) {
        out += "    " + line + "\n";
      }
    }
    if (!z.records.empty()) {
      out += "    records:\n";
      for (const auto& r : z.records) {
        out += "      - \"" + r + "\"\n";
      }
    }
    out += "    profiles:\n";
    for (const auto& p : z.profiles) {
      out += p;
    }
  }
  return out;
}

std::string profileYaml(const std::string& name, const std::string& method,
                        const std::vector<std::string>& endpoints, const std::string& extra,
                        const std::string& relativeName, const std::string& monitor) {
  std::string out = "      - name: " + name +
                    "\n"
                    "        properties:\n"
                    "          trafficRoutingMethod: " +
                    method +
                    "\n"
                    "          dnsConfig: {relativeName: " +
                    (relativeName.empty() ? name : relativeName) +
                    ", ttl: 30}\n"
                    "          monitorConfig: " +
                    monitor + "\n";
  if (!extra.empty()) {
    out += "          " + extra + "\n";
  }
  out += "          endpoints:\n";
  for (const auto& e : endpoints) {
    out += "            - " + e + "\n";
  }
  return out;
}

std::string endpointYaml(const std::string& name, const std::string& target,
                         const std::string& extra) {
  return "{name: " + name + ", type: externalEndpoints, properties: {target: \"" + target + "\"" +
         (extra.empty() ? "" : ", " + extra) + "}}";
}

std::string nestedYaml(const std::string& name, const std::string& child,
                       const std::string& extra) {
  return "{name: " + name +
         ", type: Microsoft.Network/trafficManagerProfiles/nestedEndpoints, properties: "
         "{targetResourceId: /subscriptions/0/resourceGroups/rg/providers/"
         "Microsoft.Network/trafficManagerProfiles/" +
         child + (extra.empty() ? "" : ", " + extra) + "}}";
}

std::string tcpMonitor(uint16_t port) {
  return "{protocol: TCP, port: " + std::to_string(port) +
         ", intervalInSeconds: 2, timeoutInSeconds: 1, toleratedNumberOfFailures: 0}";
}

Rr negativeSoa(const std::string& zone) {
  return Rr::of(zone + ". 30 IN SOA ns1." + zone + ". hostmaster.example.test. " +
                "2024010101 3600 600 86400 30");
}

Rr cname(const std::string& owner, const std::string& target) {
  return Rr::of(owner + " 30 IN CNAME " + target);
}

Rr a(const std::string& owner, const std::string& address) {
  return Rr::of(owner + " 30 IN A " + address);
}

Rr aaaa(const std::string& owner, const std::string& address) {
  return Rr::of(owner + " 30 IN AAAA " + address);
}

From ecs(const std::string& subnet) {
  return From{subnet, ""};
}

From source(const std::string& address) {
  return From{"", address};
}

From ecsFrom(const std::string& subnet, const std::string& address) {
  return From{subnet, address};
}

Answer positive(std::vector<Rr> answer, int scope) {
  return Answer{"NOERROR", std::move(answer), {}, scope};
}

Answer nodata(const Rr& soa, int scope) {
  return Answer{"NOERROR", {}, {soa}, scope};
}

Answer nxdomain(const Rr& soa, int scope) {
  return Answer{"NXDOMAIN", {}, {soa}, scope};
}

::testing::AssertionResult routes(const Address& server, const std::string& name,
                                  const std::string& type, const From& from, const Answer& want) {
  if (!from.ecs.empty() && want.scope < 0) {
    return ::testing::AssertionFailure() << "test bug: ECS sent without an expected scope";
  }
  std::vector<std::string> args;
  if (!from.ecs.empty()) {
    args.push_back("+subnet=" + from.ecs);
  }
  if (!from.source.empty()) {
    args.insert(args.end(), {"-b", from.source});
  }
  const auto [ecsAddress, ecsSource] = splitSubnet(from.ecs);
  std::ostringstream failures;
  for (const bool tcp : {false, true}) {
    std::vector<std::string> argv = args;
    if (tcp) {
      argv.push_back("+tcp");
    }
    argv.insert(argv.end(), {name, type});
    for (const DigResult& r : {dig(server, argv), kdig(server, argv)}) {
      std::ostringstream problem;
      // digMatches' message ends with the command and its output.
      const auto whole = digMatches(r, want.status, want.answer, want.authority);
      if (r.transport != (tcp ? "TCP" : "UDP")) {
        problem << "answered over '" << r.transport << "', expected " << (tcp ? "TCP" : "UDP")
                << "\n";
      }
      if (from.ecs.empty() && r.hasEcs) {
        problem << "an ECS option came back to a query without one\n";
      }
      if (!from.ecs.empty() && (!r.hasEcs || r.ecsAddress != ecsAddress ||
                                r.ecsSource != ecsSource || r.ecsScope != want.scope)) {
        problem << "ECS expected " << ecsAddress << "/" << ecsSource << "/" << want.scope
                << ", got "
                << (r.hasEcs ? r.ecsAddress + "/" + std::to_string(r.ecsSource) + "/" +
                                   std::to_string(r.ecsScope)
                             : std::string("none"))
                << "\n";
      }
      if (!whole) {
        failures << problem.str() << whole.message() << "\n";
      } else if (!problem.str().empty()) {
        failures << problem.str() << r.describe() << "\n";
      }
    }
  }
  if (failures.str().empty()) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << name << " " << type << " (" << describe(from) << "):\n"
                                       << failures.str();
}

::testing::AssertionResult routesWire(const Address& server, const std::string& name,
                                      ldns_rr_type type, const std::string& address,
                                      uint8_t sourcePrefix, const Answer& want) {
  QueryOptions o;
  o.edns = true;
  o.ednsOptions = ecsOption(address, sourcePrefix);
  auto m = ask(server, name, type, o);
  if (!m) {
    return ::testing::AssertionFailure() << "no answer to " << name;
  }
  const auto context = [&]() {
    return name + " (ECS " + address + "/" + std::to_string(sourcePrefix) + "): ";
  };
  if (auto r = messageMatches(*m, rcodeOf(want.status), want.answer, want.authority); !r) {
    return ::testing::AssertionFailure() << context() << r.message();
  }
  if (!m->hasOpt) {
    return ::testing::AssertionFailure() << context() << "no OPT record in the answer";
  }
  ClientSubnetOption expected = clientSubnetOptions(o.ednsOptions).value().at(0);
  expected.scopePrefix = static_cast<uint8_t>(want.scope);
  const auto got = clientSubnetOptions(m->optData);
  if (!got || *got != std::vector<ClientSubnetOption>{expected}) {
    std::ostringstream os;
    os << context() << "expected exactly the option " << expected << ", got";
    if (!got) {
      os << " malformed options";
    } else if (got->empty()) {
      os << " none";
    }
    for (const auto& g : got.value_or(std::vector<ClientSubnetOption>{})) {
      os << " " << g;
    }
    return ::testing::AssertionFailure() << os.str();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult waitForStatus(Server& server, const std::string& label,
                                         const std::string& from, const std::string& to,
                                         Clock::duration timeout, size_t fromLine) {
  const std::regex line("^tmdns: " + regexEscape(label) + ": " + from + " -> " + to + " \\(");
  if (server.process().waitForStderr(line, timeout, fromLine)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no line 'tmdns: " << label << ": " << from << " -> "
                                       << to << " (...)' within the timeout; stderr:\n"
                                       << server.log();
}

Backends::Backends(const std::vector<std::string>& addresses) {
  // The first listener picks a free port; the others must get the same number on their
  // addresses, which another process may hold: try a few ports.
  for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
    backends_.clear();
    bool all = true;
    uint16_t port = 0;
    for (const auto& address : addresses) {
      auto b = std::make_unique<probes::testing::HttpBackend>(address, port);
      if (b->port() == 0) {
        all = false;
        break;
      }
      port = b->port();
      backends_.push_back(std::move(b));
    }
    if (all) {
      port_ = port;
    }
  }
}

void Backends::stop(size_t i) {
  backends_.at(i)->stop();
}

}  // namespace tmdns::e2e::client
