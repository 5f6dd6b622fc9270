// End-to-end harness: temp directories, configuration files and a running tmdns server.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/process.h"

namespace tmdns::e2e {

// The server under test: $TMDNS_BINARY, else <source>/build/tmdns.
std::string serverBinary();
// tests/data/e2e in the source tree.
std::string dataDir();

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& text);
// Replaces every occurrence of `from` (which must occur) in `text`.
std::string replaceAll(std::string text, const std::string& from, const std::string& to);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/rel; parent directories of files written through write() are created.
  std::string file(const std::string& rel) const { return path_ + "/" + rel; }
  std::string write(const std::string& rel, const std::string& text) const;

 private:
  std::string path_;
};

// Prepends `probes: {enabled: false}` unless the configuration has its own `probes:` key:
// tests never probe anything but loopback backends they start themselves.
std::string withProbesOff(const std::string& yaml);

// One address the server listens on, as announced by "tmdns: listening on ...".
struct Address {
  std::string host;  // numeric, no brackets
  uint16_t port = 0;
  bool ipv6() const { return host.find(':') != std::string::npos; }
  // "127.0.0.1:53" / "[::1]:53"
  std::string hostPort() const;
};

// The regexes for the documented log lines.
extern const char* const kListeningPattern;  // groups: address
extern const char* const kServingPattern;    // groups: generation, sha256
extern const char* const kReloadedPattern;   // groups: generation, sha256
extern const char* const kRejectedPattern;   // groups: errors, generation

// A tmdns server in its own temp directory. The destructor kills it if it still runs.
class Server {
 public:
  Server();
  ~Server();

  TempDir& dir() { return dir_; }
  std::string configPath() const { return dir_.file(configName_); }

  // Copies tests/data/e2e/standard.yaml (as tmdns.yaml) and tests/data/e2e/profiles/*.json
  // (into profiles/) to the temp directory.
  void writeStandardConfig();
  // Writes `yaml` (with withProbesOff applied) as the configuration file.
  void writeConfig(const std::string& yaml, const std::string& name = "tmdns.yaml");

  // Starts `tmdns --config <configPath()>` and waits for "serving generation N" (the listening
  // lines come before it). Fails with the server's stderr when it does not get there.
  ::testing::AssertionResult start(Clock::duration timeout = 10s);

  const std::vector<Address>& listeners() const { return listeners_; }
  // The first IPv4 / IPv6 listener; the test fails (ADD_FAILURE) when there is none.
  Address v4() const;
  Address v6() const;
  uint64_t generation() const { return generation_; }
  const std::string& configSha() const { return sha_; }

  // Sends SIGHUP and waits for the outcome logged after it: "reloaded" (returns true and
  // updates generation/sha) or "reload rejected" (returns false). Fails the test when neither
  // shows up within the timeout. `firstLine` receives the index of the first log line written
  // after the signal.
  std::optional<bool> reload(Clock::duration timeout = 10s, size_t* firstLine = nullptr);

  Process& process() { return process_; }
  // Runs another program instead of serverBinary() (harness self-tests).
  void setBinary(const std::string& binary) { binary_ = binary; }
  // The server's stderr so far, for failure messages.
  std::string log() const { return process_.stderrText(); }

 private:
  TempDir dir_;
  std::string binary_ = serverBinary();
  std::string configName_ = "tmdns.yaml";
  Process process_;
  std::vector<Address> listeners_;
  uint64_t generation_ = 0;
  std::string sha_;
};

// A test suite sharing one server on the standard configuration, started once per suite.
class StandardServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static Server& server() { return *server_; }
  static Address v4() { return server_->v4(); }
  static Address v6() { return server_->v6(); }

 private:
  static std::unique_ptr<Server> server_;
  static std::string startError_;
};

}  // namespace tmdns::e2e
