// Unit tests for statusAccepted: 200 or a code inside expectedStatusCodeRanges (§4.1).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "probes/http_prober.h"

namespace tmdns::probes {
namespace {

using Ranges = std::vector<std::pair<int, int>>;

struct Case {
  std::string name;
  long code;
  Ranges ranges;
  bool accepted;
};

TEST(StatusAccepted, Table) {
  const std::vector<Case> cases = {
      {"200 without ranges", 200, {}, true},
      {"other 2xx without ranges", 204, {}, false},
      {"301 without ranges", 301, {}, false},
      {"503 without ranges", 503, {}, false},
      {"301 inside 200-399", 301, {{200, 399}}, true},
      {"range bounds are inclusive (min)", 300, {{300, 302}}, true},
      {"range bounds are inclusive (max)", 302, {{300, 302}}, true},
      {"outside every range", 404, {{200, 299}, {301, 302}}, false},
      {"second range", 301, {{200, 204}, {301, 301}}, true},
      {"200 stays a success next to other ranges", 200, {{301, 302}}, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(statusAccepted(c.code, c.ranges), c.accepted);
  }
}

}  // namespace
}  // namespace tmdns::probes
