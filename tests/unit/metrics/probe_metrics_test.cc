// Probe outcome classes, the health model's events and first-round flag, and ProbeMetrics.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/probe_metrics.h"
#include "probes/health_model.h"
#include "probes/probe_outcome.h"

namespace tmdns::metrics {
namespace {

using probes::ProbeOutcome;

TEST(ProbeOutcome, ClassifiesEveryReasonWording) {
  struct Case {
    bool ok;
    std::string reason;
    ProbeOutcome outcome;
  };
  const std::vector<Case> cases = {
      {true, "HTTP 200", ProbeOutcome::kOk},
      {true, "TCP connected", ProbeOutcome::kOk},
      {false, "HTTP 503", ProbeOutcome::kHttpStatus},
      {false, "HTTP 301", ProbeOutcome::kHttpStatus},
      {false, "timeout after 5s", ProbeOutcome::kTimeout},
      {false, "connect timed out", ProbeOutcome::kTimeout},
      {false, "connect refused", ProbeOutcome::kConnectRefused},
      {false, "TLS handshake failed", ProbeOutcome::kTls},
      {false, "TLS certificate verification failed", ProbeOutcome::kTls},
      {false, "resolve failed: NXDOMAIN", ProbeOutcome::kResolve},
      {false, "resolve failed: timeout", ProbeOutcome::kResolve},
      {false, "connection reset", ProbeOutcome::kOther},
      {false, "empty reply", ProbeOutcome::kOther},
      {false, "127.0.0.1: HTTP 503; [::1]: connect refused", ProbeOutcome::kOther},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(probes::classifyOutcome(c.ok, c.reason), c.outcome) << c.reason;
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < probes::kProbeOutcomeCount; ++i) {
    names.emplace_back(probes::toString(static_cast<ProbeOutcome>(i)));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"ok", "http_status", "timeout", "connect_refused",
                                             "tls", "resolve", "other"}));
}

probes::ProbeSpec spec(routing::EndpointId id, const std::string& endpoint,
                       const std::string& target) {
  probes::ProbeSpec s;
  s.endpoint = id;
  s.zoneName = "z.test";
  s.profileName = "app";
  s.endpointName = endpoint;
  s.protocol = probes::Protocol::kTcp;
  s.target = target;
  s.port = 9;
  s.toleratedFailures = 0;
  return s;
}

probes::RoundResult round(bool ok, const std::string& reason, double seconds, int64_t at) {
  probes::RoundResult r;
  r.ok = ok;
  r.reason = reason;
  r.latencySeconds = seconds;
  r.finishedUnixMs = at;
  return r;
}

TEST(HealthModelEvents, OneEventPerEndpointAndFirstRoundLatch) {
  probes::HealthModel model;
  probes::ProbePlan plan;
  plan.generation = 3;
  plan.endpointCount = 3;
  // Endpoints 0 and 2 probe the same target and share one probe.
  plan.probes = {spec(0, "a", "127.0.0.1"), spec(1, "b", "127.0.0.2"), spec(2, "c", "127.0.0.1")};
  model.setPlan(plan);
  EXPECT_FALSE(model.firstRoundDone());

  probes::HealthModel::Update u =
      model.apply(plan.probes[0].key(), round(true, "TCP connected", 0.5, 10));
  ASSERT_EQ(u.events.size(), 2u);
  EXPECT_EQ(u.events[0].endpoint, "a");
  EXPECT_EQ(u.events[1].endpoint, "c");
  EXPECT_EQ(u.events[0].zone, "z.test");
  EXPECT_EQ(u.events[0].outcome, ProbeOutcome::kOk);
  EXPECT_TRUE(u.events[0].statusChanged);
  EXPECT_EQ(u.events[0].from, routing::MonitorStatus::kCheckingEndpoint);
  EXPECT_EQ(u.events[0].to, routing::MonitorStatus::kOnline);
  EXPECT_FALSE(model.firstRoundDone());

  u = model.apply(plan.probes[1].key(), round(false, "connect refused", 0.001, 20));
  ASSERT_EQ(u.events.size(), 1u);
  EXPECT_EQ(u.events[0].outcome, ProbeOutcome::kConnectRefused);
  EXPECT_EQ(u.events[0].to, routing::MonitorStatus::kDegraded);
  EXPECT_TRUE(model.firstRoundDone());

  u = model.apply(plan.probes[1].key(), round(false, "connect refused", 0.001, 30));
  EXPECT_FALSE(u.events[0].statusChanged);

  const std::vector<probes::EndpointProbeState> details = model.details();
  EXPECT_EQ(details[1].lastChangeUnixMs, 20);
  EXPECT_EQ(details[1].lastChangeFrom, routing::MonitorStatus::kCheckingEndpoint);
  EXPECT_EQ(details[1].lastChangeReason, "connect refused");
  EXPECT_EQ(details[1].lastProbeUnixMs, 30);

  // A later plan with a new probe does not take readiness back.
  plan.probes.push_back(spec(3, "d", "127.0.0.4"));
  plan.endpointCount = 4;
  model.setPlan(plan);
  EXPECT_TRUE(model.firstRoundDone());
}

TEST(HealthModelEvents, EmptyPlanIsDoneAtOnce) {
  probes::HealthModel model;
  model.setPlan(probes::ProbePlan{});
  EXPECT_TRUE(model.firstRoundDone());
}

TEST(ProbeMetrics, CountsResultsChangesAndDurations) {
  ProbeMetrics metrics;
  probes::ProbeEvent event;
  event.zone = "z.test";
  event.profile = "app";
  event.endpoint = "a";
  event.protocol = probes::Protocol::kHttp;
  event.outcome = ProbeOutcome::kHttpStatus;
  event.seconds = 0.003;
  event.statusChanged = true;
  event.to = routing::MonitorStatus::kDegraded;
  metrics.observe(event);
  event.statusChanged = false;
  metrics.observe(event);
  event.outcome = ProbeOutcome::kOk;
  metrics.observe(event);
  EXPECT_EQ(metrics.results().value({"z.test", "app", "a", "http_status"}), 2);
  EXPECT_EQ(metrics.results().value({"z.test", "app", "a", "ok"}), 1);
  EXPECT_EQ(metrics.changes().value({"z.test", "app", "a", "Degraded"}), 1);
  std::vector<Family> families;
  metrics.collect(families);
  ASSERT_EQ(families.size(), 3u);
  ASSERT_EQ(families[2].histograms.size(), 1u);
  EXPECT_EQ(families[2].histograms[0].count, 3u);
  EXPECT_EQ(families[2].histograms[0].labels,
            (Labels{{"zone", "z.test"}, {"profile", "app"}, {"protocol", "http"}}));
}

}  // namespace
}  // namespace tmdns::metrics
