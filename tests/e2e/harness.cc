// End-to-end harness: temp directories, configuration files and a running tmdns server.
#include "tests/e2e/harness.h"

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace tmdns::e2e {

namespace fs = std::filesystem;

const char* const kListeningPattern = R"(^tmdns: listening on (\S+) \(udp, tcp\)$)";
const char* const kServingPattern =
    R"(^tmdns: serving generation (\d+) \(config sha256 ([0-9a-f]{64})\)$)";
const char* const kReloadedPattern =
    R"(^tmdns: reloaded: serving generation (\d+) \(config sha256 ([0-9a-f]{64})\)$)";
const char* const kRejectedPattern =
    R"(^tmdns: reload rejected \((\d+) errors?\), still serving generation (\d+)$)";

std::string serverBinary() {
  if (const char* env = std::getenv("TMDNS_BINARY"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(TMDNS_SOURCE_DIR) + "/build/tmdns";
}

std::string dataDir() {
  return std::string(TMDNS_SOURCE_DIR) + "/tests/data/e2e";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  // Write then rename, so a server reloading at the same moment never reads half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw std::runtime_error("cannot write " + tmp);
    }
    out << text;
  }
  fs::rename(tmp, path);
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  if (pos == std::string::npos) {
    throw std::runtime_error("replaceAll: '" + from + "' not found");
  }
  while (pos != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos = text.find(from, pos + to.size());
  }
  return text;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/tmdns-e2e-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + tmpl);
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& rel, const std::string& text) const {
  const std::string p = file(rel);
  writeFile(p, text);
  return p;
}

// Network safety: test endpoints are names under .example.test and documentation addresses;
// nothing may probe them, so every configuration a test writes turns probing off unless the
// test asks for probes explicitly (and then targets only loopback).
std::string withProbesOff(const std::string& yaml) {
  if (yaml.find("probes:") != std::string::npos) {
    return yaml;
  }
  return "probes: {enabled: false}\n" + yaml;
}

std::string Address::hostPort() const {
  return (ipv6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

std::optional<Address> parseAddress(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  Address a;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  a.host = host;
  try {
    const int port = std::stoi(text.substr(colon + 1));
    if (port <= 0 || port > 65535) {
      return std::nullopt;
    }
    a.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return a;
}

}  // namespace

Server::Server() = default;

Server::~Server() {
  if (process_.pid() > 0 && process_.running()) {
    process_.signal(SIGTERM);
    if (!process_.waitExit(5s)) {
      process_.kill();
    }
  }
}

void Server::writeStandardConfig() {
  writeConfig(readFile(dataDir() + "/standard.yaml"));
  for (const auto& entry : fs::directory_iterator(dataDir() + "/profiles")) {
    if (entry.path().extension() == ".json") {
      dir_.write("profiles/" + entry.path().filename().string(), readFile(entry.path().string()));
    }
  }
}

void Server::writeConfig(const std::string& yaml, const std::string& name) {
  configName_ = name;
  dir_.write(name, withProbesOff(yaml));
}

::testing::AssertionResult Server::start(Clock::duration timeout) {
  std::string error;
  if (!process_.start({binary_, "--config", configPath()}, error)) {
    return ::testing::AssertionFailure() << error;
  }
  size_t servingLine = 0;
  auto serving = process_.waitForStderr(std::regex(kServingPattern), timeout, 0, &servingLine);
  if (!serving) {
    // The pipes close a moment before the child can be reaped: give an exiting child a second.
    auto status = process_.waitExit(1s);
    return ::testing::AssertionFailure()
           << "no 'tmdns: serving generation' line within the timeout ("
           << (status ? status->describe() : std::string("still running")) << "); stderr:\n"
           << log();
  }
  generation_ = std::stoull((*serving)[1]);
  sha_ = (*serving)[2];
  const std::regex listening(kListeningPattern);
  const auto lines = process_.stderrLines();
  listeners_.clear();
  for (size_t i = 0; i < servingLine && i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_search(lines[i], m, listening)) {
      auto a = parseAddress(m[1].str());
      if (!a) {
        return ::testing::AssertionFailure() << "cannot parse listening line: " << lines[i];
      }
      listeners_.push_back(*a);
    }
  }
  if (listeners_.empty()) {
    return ::testing::AssertionFailure()
           << "no 'tmdns: listening on' line before serving; stderr:\n"
           << log();
  }
  return ::testing::AssertionSuccess();
}

Address Server::v4() const {
  for (const auto& a : listeners_) {
    if (!a.ipv6()) {
      return a;
    }
  }
  ADD_FAILURE() << "the server announced no IPv4 listener; stderr:\n" << log();
  return Address{"127.0.0.1", 9};
}

Address Server::v6() const {
  for (const auto& a : listeners_) {
    if (a.ipv6()) {
      return a;
    }
  }
  ADD_FAILURE() << "the server announced no IPv6 listener; stderr:\n" << log();
  return Address{"::1", 9};
}

std::optional<bool> Server::reload(Clock::duration timeout, size_t* firstLine) {
  const size_t from = process_.stderrLines().size();
  if (firstLine != nullptr) {
    *firstLine = from;
  }
  if (!process_.signal(SIGHUP)) {
    ADD_FAILURE() << "cannot send SIGHUP; stderr:\n" << log();
    return std::nullopt;
  }
  const std::regex outcome(std::string(kReloadedPattern) + "|" + kRejectedPattern);
  auto m = process_.waitForStderr(outcome, timeout, from);
  if (!m) {
    ADD_FAILURE() << "no reload outcome logged within the timeout; stderr:\n" << log();
    return std::nullopt;
  }
  if (!(*m)[1].empty()) {
    generation_ = std::stoull((*m)[1]);
    sha_ = (*m)[2];
    return true;
  }
  return false;
}

std::unique_ptr<Server> StandardServerTest::server_;
std::string StandardServerTest::startError_;

void StandardServerTest::SetUpTestSuite() {
  server_ = std::make_unique<Server>();
  server_->writeStandardConfig();
  auto started = server_->start();
  startError_ = started ? "" : started.message();
}

void StandardServerTest::TearDownTestSuite() {
  server_.reset();
}

void StandardServerTest::SetUp() {
  ASSERT_TRUE(startError_.empty()) << "the server did not start: " << startError_;
  ASSERT_TRUE(server_->process().running()) << "the server exited; stderr:\n" << server_->log();
}

}  // namespace tmdns::e2e
