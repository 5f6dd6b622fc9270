// Profile reading: both JSON shapes, defaults, and every per-object rule with its exact message.
#include "config/profile_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/config/config_test_util.h"

namespace tmdns::config::testing {
namespace {

// A Priority profile "p" at relativeName "app": `extra` profile lines, then `endpoints` lines.
std::string priorityProfile(const std::string& endpoints, const std::string& extra = "") {
  return "      - name: p\n"
         "        trafficRoutingMethod: Priority\n"
         "        dnsConfig: {relativeName: app}\n" +
         extra + "        endpoints:\n" + endpoints;
}

// One endpoint line in flow style.
std::string endpoint(const std::string& fields) {
  return "          - {" + fields + "}\n";
}

const std::string kExternal = "name: a, type: externalEndpoints, target: a.example.com";

std::string withMonitor(const std::string& monitorFields) {
  return priorityProfile(endpoint(kExternal), "        monitorConfig: {" + monitorFields + "}\n");
}

TEST(ProfileReader, ProfileLevelErrors) {
  const Case cases[] = {
      {"no name",
       "      - trafficRoutingMethod: Priority\n"
       "        dnsConfig: {relativeName: app}\n",
       "", "trafficRoutingMethod",
       "zones[0].profiles[0]: missing required key \"name\" (the profile's resource name; Azure "
       "request bodies carry it in the URL)"},
      {"empty name",
       "      - {name: '', trafficRoutingMethod: Priority, dnsConfig: {relativeName: app}}\n", "",
       "''", "zones[0].profiles[0].name: must not be empty"},
      {"name not a string",
       "      - {name: [a], trafficRoutingMethod: Priority, dnsConfig: {relativeName: app}}\n", "",
       "[a]", "zones[0].profiles[0].name: must be a string"},
      {"no method", "      - {name: p, dnsConfig: {relativeName: app}}\n", "", "{name",
       "zones[0].profiles[0]: missing required key \"trafficRoutingMethod\""},
      {"unknown method",
       "      - {name: p, trafficRoutingMethod: Fastest, dnsConfig: {relativeName: app}}\n", "",
       "Fastest",
       "zones[0].profiles[0].trafficRoutingMethod: must be one of Priority, Weighted, "
       "Performance, Geographic, MultiValue, Subnet"},
      {"no dnsConfig", "      - {name: p, trafficRoutingMethod: Priority}\n", "", "{name",
       "zones[0].profiles[0]: missing required key \"dnsConfig\""},
      {"dnsConfig not a map", "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: app}\n",
       "dnsConfig", "app", "zones[0].profiles[0].dnsConfig: must be a map"},
      {"no relativeName",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {ttl: 5}}\n", "", "{ttl",
       "zones[0].profiles[0].dnsConfig: missing required key \"relativeName\""},
      {"ttl negative",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a, ttl: -1}}\n",
       "", "-1", "zones[0].profiles[0].dnsConfig.ttl: must be 0..2147483647"},
      {"ttl too large",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a, ttl: "
       "2147483648}}\n",
       "", "2147483648", "zones[0].profiles[0].dnsConfig.ttl: must be 0..2147483647"},
      {"ttl beyond int64",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a, ttl: "
       "99999999999999999999999}}\n",
       "", "999", "zones[0].profiles[0].dnsConfig.ttl: must be 0..2147483647"},
      {"ttl fraction",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a, ttl: "
       "3.5}}\n",
       "", "3.5", "zones[0].profiles[0].dnsConfig.ttl: must be a whole number"},
      {"profileStatus",
       "      - {name: p, profileStatus: On, trafficRoutingMethod: Priority, dnsConfig: "
       "{relativeName: a}}\n",
       "", "On", "zones[0].profiles[0].profileStatus: must be one of Enabled, Disabled"},
      {"endpoints not a list",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a}, endpoints: "
       "{a: 1}}\n",
       "", "{a: 1}", "zones[0].profiles[0].endpoints: must be a list"},
      {"properties not a map", "      - {name: p, properties: [1]}\n", "", "[1]",
       "zones[0].profiles[0].properties: must be a map"},
      {"profile not a map", "      - just-a-name\n", "", "just-a-name",
       "zones[0].profiles[0]: must be a map"},
      {"duplicate key",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a}, name: q}\n",
       "a}", "name", "zones[0].profiles[0]: duplicate key \"name\""},
      {"duplicate key differing in case",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a}, Name: q}\n",
       "a}, ", "Name", "zones[0].profiles[0]: duplicate key \"Name\""},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::errors);
  }
}

TEST(ProfileReader, MonitorErrors) {
  const Case cases[] = {
      {"protocol", withMonitor("protocol: FTP"), "", "FTP",
       "zones[0].profiles[0].monitorConfig.protocol: must be one of HTTP, HTTPS, TCP"},
      {"port 0", withMonitor("port: 0"), "port", "0",
       "zones[0].profiles[0].monitorConfig.port: must be 1..65535"},
      {"port 65536", withMonitor("port: 65536"), "", "65536",
       "zones[0].profiles[0].monitorConfig.port: must be 1..65535"},
      {"path with TCP", withMonitor("protocol: TCP, port: 22, path: /"), "path", "/",
       "zones[0].profiles[0].monitorConfig.path: not allowed with TCP monitoring"},
      {"relative path", withMonitor("path: health"), "", "health",
       "zones[0].profiles[0].monitorConfig.path: must start with '/'"},
      {"path with space", withMonitor("path: '/a b'"), "", "'/a b'",
       "zones[0].profiles[0].monitorConfig.path: must not contain spaces or control characters"},
      {"interval 1", withMonitor("intervalInSeconds: 1"), "intervalInSeconds", "1",
       "zones[0].profiles[0].monitorConfig.intervalInSeconds: must be 2..2147483647"},
      {"timeout equals interval", withMonitor("intervalInSeconds: 10, timeoutInSeconds: 10"),
       "timeoutInSeconds", "10",
       "zones[0].profiles[0].monitorConfig.timeoutInSeconds: must be less than "
       "intervalInSeconds (10)"},
      {"timeout above default interval", withMonitor("timeoutInSeconds: 30"), "", "30",
       "zones[0].profiles[0].monitorConfig.timeoutInSeconds: must be less than "
       "intervalInSeconds (30)"},
      {"timeout 0", withMonitor("timeoutInSeconds: 0"), "timeoutInSeconds", "0",
       "zones[0].profiles[0].monitorConfig.timeoutInSeconds: must be 1..2147483647"},
      {"tolerated 10", withMonitor("toleratedNumberOfFailures: 10"), "", "10",
       "zones[0].profiles[0].monitorConfig.toleratedNumberOfFailures: must be 0..9"},
      {"tolerated negative", withMonitor("toleratedNumberOfFailures: -1"), "", "-1",
       "zones[0].profiles[0].monitorConfig.toleratedNumberOfFailures: must be 0..9"},
      {"nine profile headers",
       withMonitor("customHeaders: [{name: a, value: 1}, {name: b, value: 2}, {name: c, value: "
                   "3}, {name: d, value: 4}, {name: e, value: 5}, {name: f, value: 6}, {name: g, "
                   "value: 7}, {name: h, value: 8}, {name: i, value: 9}]"),
       "", "[{name: a",
       "zones[0].profiles[0].monitorConfig.customHeaders: at most 8 custom headers are allowed "
       "(Azure's limit)"},
      {"wildcard Host", withMonitor("customHeaders: [{name: host, value: '*.contoso.com'}]"), "",
       "'*.contoso.com'",
       "zones[0].profiles[0].monitorConfig.customHeaders[0].value: a custom Host header must not "
       "contain '*'"},
      {"header name", withMonitor("customHeaders: [{name: 'X Probe', value: v}]"), "", "'X Probe'",
       "zones[0].profiles[0].monitorConfig.customHeaders[0].name: must be an HTTP header name (a "
       "token)"},
      {"header value line break", withMonitor("customHeaders: [{name: X, value: \"a\\r\\nB: c\"}]"),
       "", "\"a\\r",
       "zones[0].profiles[0].monitorConfig.customHeaders[0].value: must not contain line breaks"},
      {"header without value", withMonitor("customHeaders: [{name: X}]"), "", "{name: X}",
       "zones[0].profiles[0].monitorConfig.customHeaders[0]: missing required key \"value\""},
      {"nine status ranges",
       withMonitor("expectedStatusCodeRanges: [{min: 200, max: 200}, {min: 201, max: 201}, {min: "
                   "202, max: 202}, {min: 203, max: 203}, {min: 204, max: 204}, {min: 205, max: "
                   "205}, {min: 206, max: 206}, {min: 207, max: 207}, {min: 208, max: 208}]"),
       "", "[{min: 200",
       "zones[0].profiles[0].monitorConfig.expectedStatusCodeRanges: at most 8 ranges are allowed "
       "(Azure's limit)"},
      {"status min 99", withMonitor("expectedStatusCodeRanges: [{min: 99, max: 200}]"), "", "99",
       "zones[0].profiles[0].monitorConfig.expectedStatusCodeRanges[0].min: must be 100..999"},
      {"status max 1000", withMonitor("expectedStatusCodeRanges: [{min: 200, max: 1000}]"), "",
       "1000",
       "zones[0].profiles[0].monitorConfig.expectedStatusCodeRanges[0].max: must be 100..999"},
      {"status min above max", withMonitor("expectedStatusCodeRanges: [{min: 300, max: 200}]"),
       "max", "200",
       "zones[0].profiles[0].monitorConfig.expectedStatusCodeRanges[0].max: must not be lower "
       "than min (300)"},
      {"status ranges with TCP",
       withMonitor("protocol: TCP, port: 22, expectedStatusCodeRanges: [{min: 200, max: 299}]"), "",
       "[{min",
       "zones[0].profiles[0].monitorConfig.expectedStatusCodeRanges: only allowed with HTTP or "
       "HTTPS monitoring"},
      {"verifyTls", withMonitor("verifyTls: sometimes"), "", "sometimes",
       "zones[0].profiles[0].monitorConfig.verifyTls: must be true or false"},
      {"monitorConfig not a map",
       priorityProfile(endpoint(kExternal), "        monitorConfig: [HTTP]\n"), "", "[HTTP]",
       "zones[0].profiles[0].monitorConfig: must be a map"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::errors);
  }
}

TEST(ProfileReader, EndpointErrors) {
  const Case cases[] = {
      {"no name", priorityProfile(endpoint("type: externalEndpoints, target: a.example.com")), "",
       "{type", "zones[0].profiles[0].endpoints[0]: missing required key \"name\""},
      {"no type", priorityProfile(endpoint("name: a, target: a.example.com")), "", "{name",
       "zones[0].profiles[0].endpoints[0]: missing required key \"type\""},
      {"unknown type",
       priorityProfile(endpoint("name: a, type: Microsoft.Network/trafficManagerProfiles/"
                                "fooEndpoints, target: a.example.com")),
       "", "Microsoft",
       "zones[0].profiles[0].endpoints[0].type: must end in azureEndpoints, externalEndpoints or "
       "nestedEndpoints"},
      {"external without target", priorityProfile(endpoint("name: a, type: externalEndpoints")), "",
       "{name",
       "zones[0].profiles[0].endpoints[0].target: external endpoints need a \"target\" (an FQDN "
       "or IP address)"},
      {"azure without target",
       priorityProfile(endpoint("name: a, type: azureEndpoints, targetResourceId: "
                                "/subscriptions/x/providers/Microsoft.Web/sites/w")),
       "", "{name",
       "zones[0].profiles[0].endpoints[0].target: azure endpoint needs the resolved `target` "
       "(export it with az network traffic-manager profile show)"},
      {"nested without reference", priorityProfile(endpoint("name: a, type: nestedEndpoints")), "",
       "{name",
       "zones[0].profiles[0].endpoints[0]: nested endpoint needs \"targetResourceId\" or "
       "\"target\" naming its child profile"},
      {"IP on azure endpoint",
       priorityProfile(endpoint("name: a, type: azureEndpoints, target: 203.0.113.9")), "",
       "203.0.113.9",
       "zones[0].profiles[0].endpoints[0].target: IP addresses are allowed only on external "
       "endpoints"},
      {"target with port",
       priorityProfile(endpoint("name: a, type: externalEndpoints, target: '192.0.2.1:80'")), "",
       "'192",
       "zones[0].profiles[0].endpoints[0].target: must be an FQDN or an IP address, without a "
       "port"},
      {"numeric target",
       priorityProfile(endpoint("name: a, type: externalEndpoints, target: 1.2.3")), "", "1.2.3",
       "zones[0].profiles[0].endpoints[0].target: must be an FQDN or an IP address"},
      {"bad characters",
       priorityProfile(endpoint("name: a, type: externalEndpoints, target: 'a b.example.com'")), "",
       "'a b",
       "zones[0].profiles[0].endpoints[0].target: must be an FQDN or an IP address; the name "
       "contains ' '; only letters, digits, '-', '_' and '.' are allowed"},
      {"weight 0", priorityProfile(endpoint(kExternal + ", weight: 0")), "weight", "0",
       "zones[0].profiles[0].endpoints[0].weight: must be 1..1000"},
      {"weight 1001", priorityProfile(endpoint(kExternal + ", weight: 1001")), "", "1001",
       "zones[0].profiles[0].endpoints[0].weight: must be 1..1000"},
      {"weight not a number", priorityProfile(endpoint(kExternal + ", weight: heavy")), "", "heavy",
       "zones[0].profiles[0].endpoints[0].weight: must be a whole number"},
      {"priority 0", priorityProfile(endpoint(kExternal + ", priority: 0")), "priority", "0",
       "zones[0].profiles[0].endpoints[0].priority: must be 1..1000"},
      {"priority 1001", priorityProfile(endpoint(kExternal + ", priority: 1001")), "", "1001",
       "zones[0].profiles[0].endpoints[0].priority: must be 1..1000"},
      {"endpointStatus", priorityProfile(endpoint(kExternal + ", endpointStatus: Paused")), "",
       "Paused",
       "zones[0].profiles[0].endpoints[0].endpointStatus: must be one of Enabled, Disabled"},
      {"location global", priorityProfile(endpoint(kExternal + ", endpointLocation: Global")), "",
       "Global",
       "zones[0].profiles[0].endpoints[0].endpointLocation: \"global\" is not a region; name the "
       "Azure region closest to the endpoint"},
      {"minChildEndpoints 0", priorityProfile(endpoint(kExternal + ", minChildEndpoints: 0")),
       "minChildEndpoints: ", "0",
       "zones[0].profiles[0].endpoints[0].minChildEndpoints: must be 1..2147483647"},
      {"minChildEndpointsIPv4 negative",
       priorityProfile(endpoint(kExternal + ", minChildEndpointsIPv4: -1")), "", "-1",
       "zones[0].profiles[0].endpoints[0].minChildEndpointsIPv4: must be 0..2147483647"},
      {"minChildEndpointsIPv6 negative",
       priorityProfile(endpoint(kExternal + ", minChildEndpointsIPv6: -2")), "", "-2",
       "zones[0].profiles[0].endpoints[0].minChildEndpointsIPv6: must be 0..2147483647"},
      {"alwaysServe on nested",
       "      - {name: child, trafficRoutingMethod: Priority, dnsConfig: {relativeName: child}}\n" +
           priorityProfile(endpoint("name: n, type: nestedEndpoints, targetResourceId: /x/child, "
                                    "alwaysServe: Enabled")),
       "alwaysServe", "Enabled",
       "zones[0].profiles[1].endpoints[0].alwaysServe: not allowed on nested endpoints"},
      {"alwaysServe value", priorityProfile(endpoint(kExternal + ", alwaysServe: yes")), "", "yes",
       "zones[0].profiles[0].endpoints[0].alwaysServe: must be one of Enabled, Disabled"},
      {"unknown geo code", priorityProfile(endpoint(kExternal + ", geoMapping: [DE, XX]")), "",
       "XX", "zones[0].profiles[0].endpoints[0].geoMapping[1]: unknown geographic code \"XX\""},
      {"geo code twice", priorityProfile(endpoint(kExternal + ", geoMapping: [DE, de]")), "", "de]",
       "zones[0].profiles[0].endpoints[0].geoMapping[1]: \"DE\" is listed twice"},
      {"geoMapping scalar", priorityProfile(endpoint(kExternal + ", geoMapping: DE")), "", "DE",
       "zones[0].profiles[0].endpoints[0].geoMapping: must be a list"},
      {"endpoint headers nine",
       priorityProfile(endpoint(kExternal +
                                ", customHeaders: [{name: a, value: 1}, {name: b, value: 2}, "
                                "{name: c, value: 3}, {name: d, value: 4}, {name: e, value: 5}, "
                                "{name: f, value: 6}, {name: g, value: 7}, {name: h, value: 8}, "
                                "{name: i, value: 9}]")),
       "", "[{name: a",
       "zones[0].profiles[0].endpoints[0].customHeaders: at most 8 custom headers are allowed "
       "(Azure's limit)"},
      {"endpoint wildcard Host",
       priorityProfile(endpoint(kExternal + ", customHeaders: [{name: Host, value: '*'}]")), "",
       "'*'",
       "zones[0].profiles[0].endpoints[0].customHeaders[0].value: a custom Host header must not "
       "contain '*'"},
      {"endpoint not a map", priorityProfile("          - a.example.com\n"), "- ", "a.example.com",
       "zones[0].profiles[0].endpoints[0]: must be a map"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::errors);
  }
}

TEST(ProfileReader, SubnetErrors) {
  const auto subnet = [](const std::string& spec) {
    return priorityProfile(endpoint(kExternal + ", subnets: [" + spec + "]"));
  };
  const Case cases[] = {
      {"first invalid", subnet("{first: 10.0.0.300}"), "", "10.0.0.300",
       "zones[0].profiles[0].endpoints[0].subnets[0].first: must be an IPv4 or IPv6 address"},
      {"first missing", subnet("{scope: 24}"), "", "{scope",
       "zones[0].profiles[0].endpoints[0].subnets[0]: missing required key \"first\""},
      {"IPv4 scope 33", subnet("{first: 198.51.100.0, scope: 33}"), "", "33",
       "zones[0].profiles[0].endpoints[0].subnets[0].scope: must be 0..32"},
      {"IPv6 scope 129", subnet("{first: '2001:db8::', scope: 129}"), "", "129",
       "zones[0].profiles[0].endpoints[0].subnets[0].scope: must be 0..128"},
      {"host bits set", subnet("{first: 198.51.100.7, scope: 24}"), "", "198.51.100.7",
       "zones[0].profiles[0].endpoints[0].subnets[0].first: must be the network address of the "
       "/24 block (198.51.100.0)"},
      {"IPv6 host bits set", subnet("{first: '2001:db8::1', scope: 64}"), "", "'2001",
       "zones[0].profiles[0].endpoints[0].subnets[0].first: must be the network address of the "
       "/64 block (2001:db8::)"},
      {"last other family", subnet("{first: 198.51.100.1, last: '2001:db8::1'}"), "", "'2001",
       "zones[0].profiles[0].endpoints[0].subnets[0].last: must be of the same address family as "
       "first"},
      {"last below first", subnet("{first: 198.51.100.9, last: 198.51.100.1}"), "", "198.51.100.1}",
       "zones[0].profiles[0].endpoints[0].subnets[0].last: must not be lower than first"},
      {"last and scope", subnet("{first: 198.51.100.0, last: 198.51.100.9, scope: 24}"), "",
       "{first",
       "zones[0].profiles[0].endpoints[0].subnets[0]: give either \"last\" or \"scope\", not both"},
      {"subnet not a map", subnet("198.51.100.0/24"), "", "198.51.100.0/24",
       "zones[0].profiles[0].endpoints[0].subnets[0]: must be a map"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::errors);
  }
}

TEST(ProfileReader, Notices) {
  const Case cases[] = {
      {"interval 20", withMonitor("intervalInSeconds: 20"), "", "20",
       "notice: zones[0].profiles[0].monitorConfig.intervalInSeconds: Azure accepts only 10 or "
       "30; tmdns probes every 20 seconds"},
      {"timeout 3 at 30", withMonitor("timeoutInSeconds: 3"), "", "3}",
       "notice: zones[0].profiles[0].monitorConfig.timeoutInSeconds: Azure accepts 5..10 with a "
       "30-second interval; tmdns uses 3"},
      {"timeout 4 at 10", withMonitor("intervalInSeconds: 10, timeoutInSeconds: 4"), "", "4}",
       "notice: zones[0].profiles[0].monitorConfig.timeoutInSeconds: Azure accepts 5..9 with a "
       "10-second interval; tmdns uses 4"},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::notices);
  }
}

TEST(ProfileReader, UnknownKeysAreWarningsInBothShapes) {
  const Case cases[] = {
      {"CLI profile", priorityProfile(endpoint(kExternal), "        colour: blue\n"), "", "colour",
       "warning: zones[0].profiles[0]: unknown key \"colour\""},
      {"CLI endpoint", priorityProfile(endpoint(kExternal + ", colour: blue")), "", "colour",
       "warning: zones[0].profiles[0].endpoints[0]: unknown key \"colour\""},
      {"ARM envelope",
       "      - {name: p, colour: blue, properties: {trafficRoutingMethod: Priority, dnsConfig: "
       "{relativeName: a}}}\n",
       "", "colour", "warning: zones[0].profiles[0]: unknown key \"colour\""},
      {"ARM properties",
       "      - {name: p, properties: {trafficRoutingMethod: Priority, colour: blue, dnsConfig: "
       "{relativeName: a}}}\n",
       "", "colour", "warning: zones[0].profiles[0]: unknown key \"colour\""},
      {"ARM profile field outside properties",
       "      - {name: p, ttl: 5, properties: {trafficRoutingMethod: Priority, dnsConfig: "
       "{relativeName: a}}}\n",
       "", "ttl", "warning: zones[0].profiles[0]: unknown key \"ttl\""},
      {"ARM endpoint properties",
       "      - {name: p, properties: {trafficRoutingMethod: Priority, dnsConfig: {relativeName: "
       "a}, endpoints: [{name: e, type: externalEndpoints, properties: {target: e.example.com, "
       "colour: blue}}]}}\n",
       "", "colour", "warning: zones[0].profiles[0].endpoints[0]: unknown key \"colour\""},
      {"dnsConfig",
       "      - {name: p, trafficRoutingMethod: Priority, dnsConfig: {relativeName: a, colour: "
       "blue}}\n",
       "", "colour", "warning: zones[0].profiles[0].dnsConfig: unknown key \"colour\""},
      {"monitorConfig", withMonitor("colour: blue"), "", "colour",
       "warning: zones[0].profiles[0].monitorConfig: unknown key \"colour\""},
      {"custom header", withMonitor("customHeaders: [{name: a, value: b, colour: blue}]"), "",
       "colour",
       "warning: zones[0].profiles[0].monitorConfig.customHeaders[0]: unknown key \"colour\""},
      {"subnet",
       priorityProfile(endpoint(kExternal + ", subnets: [{first: 198.51.100.0, colour: blue}]")),
       "", "colour",
       "warning: zones[0].profiles[0].endpoints[0].subnets[0]: unknown key \"colour\""},
  };
  for (const Case& c : cases) {
    expectOnly(c, &Loaded::warnings);
  }
}

// The same profile in the ARM shape and the CLI shape gives the same model.
TEST(ProfileReader, BothShapesGiveTheSameModel) {
  const std::string arm = R"(      - type: Microsoft.Network/trafficmanagerprofiles
        apiVersion: "2022-04-01"
        name: shop
        location: global
        tags: {env: prod}
        dependsOn: []
        properties:
          profileStatus: Disabled
          trafficRoutingMethod: Weighted
          dnsConfig: {relativeName: Shop, ttl: 120}
          monitorConfig: {protocol: TCP, port: 8443, intervalInSeconds: 10, timeoutInSeconds: 7,
                          toleratedNumberOfFailures: 0}
          trafficViewEnrollmentStatus: Disabled
          endpoints:
            - name: one
              type: Microsoft.Network/trafficManagerProfiles/externalEndpoints
              properties: {target: one.example.com., weight: 7, priority: 2, endpointStatus: Disabled,
                           endpointLocation: West Europe, geoMapping: [de, GEO-EU],
                           subnets: [{first: 198.51.100.0, scope: 24}, {first: 203.0.113.5, last: 203.0.113.9},
                                     {first: "2001:db8::1"}],
                           customHeaders: [{name: Host, value: one.example.com}],
                           alwaysServe: Enabled}
            - name: two
              type: Microsoft.Network/trafficManagerProfiles/externalEndpoints
              properties: {target: two.example.com, priority: 1}
)";
  const std::string cli = R"(      - allowedEndpointRecordTypes: [DomainName]
        dnsConfig: {fqdn: shop.trafficmanager.net, relativeName: Shop, ttl: 120}
        endpoints:
          - alwaysServe: Enabled
            customHeaders: [{name: Host, value: one.example.com}]
            endpointLocation: West Europe
            endpointMonitorStatus: Degraded
            endpointStatus: Disabled
            geoMapping: [de, GEO-EU]
            id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/shop/externalEndpoints/one
            name: one
            priority: 2
            resourceGroup: rg
            subnets: [{first: 198.51.100.0, scope: 24}, {first: 203.0.113.5, last: 203.0.113.9}, {first: "2001:db8::1"}]
            target: one.example.com.
            type: Microsoft.Network/trafficManagerProfiles/externalEndpoints
            weight: 7
          - {name: two, priority: 1, target: two.example.com, type: Microsoft.Network/trafficManagerProfiles/externalEndpoints}
        id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/shop
        location: global
        monitorConfig: {intervalInSeconds: 10, port: 8443, profileMonitorStatus: Online, protocol: TCP,
                        timeoutInSeconds: 7, toleratedNumberOfFailures: 0}
        name: shop
        profileStatus: Disabled
        resourceGroup: rg
        tags: {env: prod}
        trafficRoutingMethod: Weighted
        trafficViewEnrollmentStatus: Disabled
        type: Microsoft.Network/trafficManagerProfiles
)";
  for (const std::string& shape : {arm, cli}) {
    const Loaded loaded = loadText(configWithProfiles(shape));
    // Documentation-range targets and subnets are public-looking enough: no notices expected.
    EXPECT_EQ(loaded.all, std::vector<std::string>{}) << shape;
    ASSERT_TRUE(loaded.config.has_value());
    const Profile& p = loaded.config->zones[0].profiles[0];
    EXPECT_EQ(p.name, "shop");
    EXPECT_FALSE(p.enabled);
    EXPECT_EQ(p.method, RoutingMethod::kWeighted);
    EXPECT_EQ(p.relativeName, "shop");
    EXPECT_EQ(p.ttl, 120);
    EXPECT_EQ(p.monitor.protocol, ProbeProtocol::kTcp);
    EXPECT_EQ(p.monitor.port, 8443);
    EXPECT_EQ(p.monitor.path, "");
    EXPECT_EQ(p.monitor.intervalInSeconds, 10);
    EXPECT_EQ(p.monitor.timeoutInSeconds, 7);
    EXPECT_EQ(p.monitor.toleratedNumberOfFailures, 0);
    EXPECT_FALSE(p.maxReturn.has_value());
    ASSERT_EQ(p.endpoints.size(), 2u);
    const Endpoint& one = p.endpoints[0];
    EXPECT_EQ(one.path, "zones[0].profiles[0].endpoints[0]");
    EXPECT_EQ(one.name, "one");
    EXPECT_EQ(one.type, EndpointType::kExternal);
    EXPECT_EQ(one.target, "one.example.com");
    EXPECT_FALSE(one.enabled);
    EXPECT_EQ(one.weight, 7);
    EXPECT_EQ(one.priority, 2);
    EXPECT_EQ(one.endpointLocation, "West Europe");
    EXPECT_EQ(one.geoMapping, (std::vector<std::string>{"DE", "GEO-EU"}));
    ASSERT_EQ(one.subnets.size(), 3u);
    EXPECT_EQ(one.subnets[0].first, "198.51.100.0");
    EXPECT_EQ(one.subnets[0].scope, 24);
    EXPECT_FALSE(one.subnets[0].last.has_value());
    EXPECT_EQ(one.subnets[1].last, "203.0.113.9");
    EXPECT_FALSE(one.subnets[1].scope.has_value());
    EXPECT_EQ(one.subnets[2].first, "2001:db8::1");
    EXPECT_EQ(one.subnets[2].path, "zones[0].profiles[0].endpoints[0].subnets[2]");
    ASSERT_EQ(one.customHeaders.size(), 1u);
    EXPECT_EQ(one.customHeaders[0].value, "one.example.com");
    EXPECT_TRUE(one.alwaysServe);
    EXPECT_EQ(p.endpoints[1].priority, 1);
    EXPECT_EQ(p.endpoints[1].weight, 1);
  }
}

TEST(ProfileReader, Defaults) {
  const Loaded loaded = loadText(configWithProfiles(
      priorityProfile(endpoint(kExternal) +
                      endpoint("name: b, type: externalEndpoints, target: b.example.com") +
                      endpoint("name: c, type: nestedEndpoints, targetResourceId: /x/child")) +
      "      - {name: child, trafficRoutingMethod: Weighted, dnsConfig: {relativeName: child}}\n"));
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  const Profile& p = loaded.config->zones[0].profiles[0];
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.ttl, 30);
  EXPECT_EQ(p.monitor.protocol, ProbeProtocol::kHttp);
  EXPECT_EQ(p.monitor.port, 80);
  EXPECT_EQ(p.monitor.path, "/");
  EXPECT_EQ(p.monitor.intervalInSeconds, 30);
  EXPECT_EQ(p.monitor.timeoutInSeconds, 10);
  EXPECT_EQ(p.monitor.toleratedNumberOfFailures, 3);
  EXPECT_TRUE(p.monitor.customHeaders.empty());
  EXPECT_TRUE(p.monitor.expectedStatusCodeRanges.empty());
  EXPECT_FALSE(p.monitor.verifyTls);
  ASSERT_EQ(p.endpoints.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Endpoint& e = p.endpoints[i];
    EXPECT_EQ(e.priority, static_cast<int>(i + 1)) << "priorities follow endpoint order";
    EXPECT_EQ(e.weight, 1);
    EXPECT_TRUE(e.enabled);
    EXPECT_FALSE(e.alwaysServe);
    EXPECT_EQ(e.minChildEndpoints, 1);
    EXPECT_FALSE(e.minChildEndpointsIPv4.has_value());
    EXPECT_EQ(e.endpointLocation, "");
  }
  EXPECT_EQ(p.endpoints[2].childZone, 0);
  EXPECT_EQ(p.endpoints[2].childProfile, 1);
}

TEST(ProfileReader, MonitorDefaultsFollowProtocolAndInterval) {
  struct Expect {
    std::string fields;
    int port;
    std::string path;
    int interval;
    int timeout;
  };
  const Expect expectations[] = {
      {"protocol: HTTPS", 443, "/", 30, 10},
      {"protocol: https, path: /hc", 443, "/hc", 30, 10},
      {"protocol: TCP", 80, "", 30, 10},
      {"protocol: tcp, port: 22", 22, "", 30, 10},
      {"intervalInSeconds: 10", 80, "/", 10, 9},
      {"intervalInSeconds: 20", 80, "/", 20, 10},
      {"intervalInSeconds: 5", 80, "/", 5, 4},
      {"intervalInSeconds: 2", 80, "/", 2, 1},
      {"intervalInSeconds: 10, timeoutInSeconds: 5", 80, "/", 10, 5},
  };
  for (const Expect& e : expectations) {
    SCOPED_TRACE(e.fields);
    const Loaded loaded = loadText(configWithProfiles(withMonitor(e.fields)));
    EXPECT_TRUE(loaded.errors.empty());
    ASSERT_TRUE(loaded.config.has_value());
    const MonitorConfig& m = loaded.config->zones[0].profiles[0].monitor;
    EXPECT_EQ(m.port, e.port);
    EXPECT_EQ(m.path, e.path);
    EXPECT_EQ(m.intervalInSeconds, e.interval);
    EXPECT_EQ(m.timeoutInSeconds, e.timeout);
  }
}

TEST(ProfileReader, EnumsTypesAndKeysIgnoreCase) {
  const Loaded loaded = loadText(configWithProfiles(
      "      - NAME: p\n"
      "        TrafficRoutingMethod: multivalue\n"
      "        ProfileStatus: DISABLED\n"
      "        DnsConfig: {RelativeName: APP}\n"
      "        MaxReturn: 2\n"
      "        MonitorConfig: {Protocol: hTTps, VerifyTls: TRUE}\n"
      "        Endpoints:\n"
      "          - {Name: a, Type: Microsoft.network/TrafficManagerProfiles/ExternalEndpoints, "
      "Target: 203.0.113.1, EndpointStatus: disabled, AlwaysServe: ENABLED}\n"));
  EXPECT_TRUE(loaded.errors.empty()) << ::testing::PrintToString(loaded.errors);
  EXPECT_TRUE(loaded.warnings.empty()) << ::testing::PrintToString(loaded.warnings);
  ASSERT_TRUE(loaded.config.has_value());
  const Profile& p = loaded.config->zones[0].profiles[0];
  EXPECT_EQ(p.method, RoutingMethod::kMultiValue);
  EXPECT_FALSE(p.enabled);
  EXPECT_EQ(p.relativeName, "app");
  EXPECT_EQ(p.monitor.protocol, ProbeProtocol::kHttps);
  EXPECT_TRUE(p.monitor.verifyTls);
  ASSERT_EQ(p.endpoints.size(), 1u);
  EXPECT_EQ(p.endpoints[0].type, EndpointType::kExternal);
  EXPECT_FALSE(p.endpoints[0].enabled);
  EXPECT_TRUE(p.endpoints[0].alwaysServe);
}

// Read-only fields and nulls (how Azure prints unset fields) are accepted silently, and the
// read-only status values decide nothing.
TEST(ProfileReader, ReadOnlyFieldsAndNullsAreSilent) {
  const Loaded loaded = loadText(configWithProfiles(R"(      - name: p
        id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/p
        type: Microsoft.Network/trafficManagerProfiles
        location: global
        tags: null
        resourceGroup: rg
        trafficRoutingMethod: Priority
        trafficViewEnrollmentStatus: null
        allowedEndpointRecordTypes: [DomainName]
        recordType: null
        maxReturn: null
        profileStatus: null
        dnsConfig: {relativeName: app, fqdn: app.trafficmanager.net, ttl: null}
        monitorConfig: {profileMonitorStatus: Inactive, protocol: HTTP, port: 80, path: /,
                        customHeaders: null, expectedStatusCodeRanges: null}
        endpoints:
          - name: a
            type: Microsoft.Network/trafficManagerProfiles/externalEndpoints
            target: a.example.com
            endpointStatus: Enabled
            endpointMonitorStatus: Stopped
            endpointLocation: null
            NestedProfile: null
            geoMapping: null
            subnets: null
            customHeaders: null
            minChildEndpoints: null
            alwaysServe: null
            weight: null
            priority: null
)"));
  EXPECT_EQ(loaded.all, std::vector<std::string>{});
  ASSERT_TRUE(loaded.config.has_value());
  const Profile& p = loaded.config->zones[0].profiles[0];
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.ttl, 30);
  EXPECT_FALSE(p.maxReturn.has_value());
  EXPECT_TRUE(p.endpoints[0].enabled);
  EXPECT_EQ(p.endpoints[0].priority, 1);
}

TEST(ProfileReader, PositionsAndPaths) {
  const std::string text = configWithProfiles(priorityProfile(endpoint(kExternal)));
  const Loaded loaded = loadText(text);
  ASSERT_TRUE(loaded.config.has_value());
  const Profile& p = loaded.config->zones[0].profiles[0];
  EXPECT_EQ(p.path, "zones[0].profiles[0]");
  EXPECT_EQ(p.pos.file, "cfg.yaml");
  EXPECT_EQ(p.pos.line, 7);
  EXPECT_EQ(p.pos.col, 9);
  EXPECT_EQ(p.monitor.path, "/");
  EXPECT_EQ(p.monitor.Located::path, "zones[0].profiles[0].monitorConfig");
  EXPECT_EQ(p.fieldPos.at("dnsConfig.relativeName").line, 9);
  EXPECT_EQ(p.fieldPos.at("dnsConfig.relativeName").col, 35);
  const Endpoint& e = p.endpoints[0];
  EXPECT_EQ(e.pos.line, 11);
  EXPECT_EQ(e.pos.col, 13);
  EXPECT_EQ(e.fieldPos.at("target").col, 56);
}

}  // namespace
}  // namespace tmdns::config::testing
