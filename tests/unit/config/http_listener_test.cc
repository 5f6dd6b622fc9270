// The top-level `http:` key: the metrics and status listener address.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "config/diagnostics.h"
#include "config/loader.h"

namespace tmdns::config {
namespace {

const char* kZones = R"(
zones:
  - name: z.test
    soa: {mname: ns1.z.test, rname: hostmaster.z.test, serial: 1, refresh: 3600, retry: 600,
          expire: 86400, minimum: 30, ttl: 3600}
    ns: [ns1.z.test]
)";

std::optional<Config> load(const std::string& top, Diagnostics& diags) {
  return loadConfigText(top + kZones, "http.yaml", diags);
}

TEST(HttpListener, OffWhenAbsent) {
  Diagnostics diags;
  const std::optional<Config> config = load("listen: [\"127.0.0.1:0\"]\n", diags);
  ASSERT_TRUE(config.has_value());
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_FALSE(config->http.has_value());
}

TEST(HttpListener, TakesTheListenAddressForms) {
  struct Case {
    std::string value;
    std::string host;
    uint16_t port;
  };
  for (const Case& c :
       {Case{"\"127.0.0.1:9153\"", "127.0.0.1", 9153}, Case{"\"[::1]:0\"", "::1", 0}}) {
    Diagnostics diags;
    const std::optional<Config> config = load("http: " + c.value + "\n", diags);
    ASSERT_TRUE(config.has_value()) << c.value;
    EXPECT_FALSE(diags.hasErrors()) << c.value;
    ASSERT_TRUE(config->http.has_value()) << c.value;
    EXPECT_EQ(config->http->host, c.host);
    EXPECT_EQ(config->http->port, c.port);
  }
}

TEST(HttpListener, RejectsWhatIsNotANumericAddressAndPort) {
  for (const char* value : {"\"localhost:9153\"", "\"127.0.0.1\"", "\"::1:9153\"",
                            "\"127.0.0.1:70000\"", "[\"127.0.0.1:9153\"]"}) {
    Diagnostics diags;
    load(std::string("http: ") + value + "\n", diags);
    ASSERT_TRUE(diags.hasErrors()) << value;
    EXPECT_NE(diags.items().front().format().find(":1:"), std::string::npos)
        << diags.items().front().format();
  }
}

}  // namespace
}  // namespace tmdns::config
