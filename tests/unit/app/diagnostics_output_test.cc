// formatDiagnostics: errors and warnings always in full, notices up to a cap with a count line.
#include <gtest/gtest.h>

#include <string>

#include "app/configuration.h"
#include "config/diagnostics.h"

namespace tmdns::app {
namespace {

using config::Diagnostics;
using config::Position;

Diagnostics mixed(int notices) {
  Diagnostics d;
  d.error(Position{"a.yaml", 1, 2}, "zones[0].name", "bad");
  for (int i = 0; i < notices; ++i) {
    d.notice(Position{"a.yaml", 10 + i, 3}, "zones[0].profiles[" + std::to_string(i) + "]", "n");
  }
  d.warning(Position{"a.yaml", 99, 1}, "extra", "unknown key");
  return d;
}

TEST(DiagnosticsOutput, EverythingWhenUnderTheCap) {
  EXPECT_EQ(formatDiagnostics(mixed(2), 2, "a.yaml"),
            "a.yaml:1:2: zones[0].name: bad\n"
            "a.yaml:10:3: notice: zones[0].profiles[0]: n\n"
            "a.yaml:11:3: notice: zones[0].profiles[1]: n\n"
            "a.yaml:99:1: warning: extra: unknown key\n");
}

TEST(DiagnosticsOutput, NoticesBeyondTheCapAreCountedErrorsAndWarningsNever) {
  EXPECT_EQ(formatDiagnostics(mixed(5), 2, "a.yaml"),
            "a.yaml:1:2: zones[0].name: bad\n"
            "a.yaml:10:3: notice: zones[0].profiles[0]: n\n"
            "a.yaml:11:3: notice: zones[0].profiles[1]: n\n"
            "a.yaml:99:1: warning: extra: unknown key\n"
            "tmdns: 3 more notices not shown; tmdns --check-config a.yaml lists them all\n");
}

TEST(DiagnosticsOutput, NoCapByDefault) {
  const std::string all = formatDiagnostics(mixed(50));
  EXPECT_EQ(all.find("more notices"), std::string::npos);
  EXPECT_NE(all.find("a.yaml:59:3: notice: zones[0].profiles[49]: n\n"), std::string::npos);
}

}  // namespace
}  // namespace tmdns::app
