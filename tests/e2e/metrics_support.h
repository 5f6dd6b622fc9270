// Metrics e2e helpers: a raw HTTP client for tmdns' status listener and Prometheus, a real
// Prometheus server on loopback, and a probed tmdns configuration.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/e2e/process.h"

namespace tmdns::e2e {

struct HttpReply {
  int status = -1;  // -1: no (parsable) response
  std::string head;
  std::string body;
  bool ok() const { return status == 200; }
  // The first field named `name` (case-insensitive), or "".
  std::string header(const std::string& name) const;
};

// Sends `request` as is to 127.0.0.1:`port` and reads until the server closes (or `timeout`).
HttpReply httpExchange(uint16_t port, const std::string& request, Clock::duration timeout = 5s);
// GET `path` over HTTP/1.0 (no chunked replies), with an Accept field when given.
HttpReply httpGet(uint16_t port, const std::string& path, const std::string& accept = "");

// The port of tmdns' status listener, from "tmdns: http listening on 127.0.0.1:PORT".
uint16_t httpPort(Server& server);

std::string urlEncode(const std::string& text);

// A configuration with a status listener and probes on: zone tm.example.test holds one Priority
// profile "app" (relativeName app, TTL 30) whose monitorConfig probes HTTP on 127.0.0.1's
// `backendPort` with the extra flow-map fields `monitor` ("intervalInSeconds: 2, ..."), and whose
// endpoints are the flow-map lines `endpoints`. NETWORK SAFETY: callers probe only loopback.
std::string probedAppConfig(uint16_t backendPort, const std::string& monitor,
                            const std::vector<std::string>& endpoints,
                            const std::string& topLevel = "");

// /usr/bin/prometheus on 127.0.0.1 (a free port), scraping only `targetPort` every second,
// with a throw-away storage directory. Nothing else: no remote read or write, no self-scrape,
// no admin or lifecycle API.
class Prometheus {
 public:
  explicit Prometheus(uint16_t targetPort);
  ::testing::AssertionResult start(Clock::duration timeout = 30s);
  uint16_t port() const { return port_; }
  // The value of an instant query whose result is one sample (e.g. sum(...) or vector(0)), or
  // nullopt when the query fails or yields no sample.
  std::optional<double> query(const std::string& promql);
  // Polls `promql` every 250 ms until `done(value)` or `timeout`; returns the last value.
  std::optional<double> waitFor(const std::string& promql, const std::function<bool(double)>& done,
                                Clock::duration timeout);
  std::string log() const { return process_.stderrText(); }

 private:
  TempDir dir_;
  uint16_t target_;
  uint16_t port_ = 0;
  Process process_;
};

}  // namespace tmdns::e2e
