// Child processes for end-to-end tests: spawn with an argv, collect output lines, signal, reap.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace tmdns::e2e {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// How a child ended: exactly one of exitCode / signal is set.
struct ExitStatus {
  std::optional<int> exitCode;
  std::optional<int> signal;

  bool exitedWith(int code) const { return exitCode && *exitCode == code; }
  std::string describe() const;
};

// One running child. stdin is /dev/null; stdout and stderr go to pipes read by two threads
// that keep every line. The child gets its own process group, and the destructor kills that
// group and reaps the child, so a failed test never leaves a server behind.
class Process {
 public:
  Process() = default;
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Starts argv[0] (looked up in PATH when it has no slash). Returns false with `error` set
  // when the program cannot be started.
  bool start(const std::vector<std::string>& argv, std::string& error);

  pid_t pid() const { return pid_; }
  bool running();

  // Sends `sig` to the child only (not its group).
  bool signal(int sig);

  // Waits until some stderr line at index >= `from` matches `pattern` (std::regex_search) and
  // returns the match groups (group 0 = whole match) and sets `index` to the line's index.
  // Gives up after `timeout` or when the child has exited and every line has been read.
  std::optional<std::vector<std::string>> waitForStderr(const std::regex& pattern,
                                                        Clock::duration timeout, size_t from = 0,
                                                        size_t* index = nullptr);

  // Waits for the child to exit, up to `timeout`; nullopt if it is still running.
  std::optional<ExitStatus> waitExit(Clock::duration timeout);

  // Kills the whole process group (SIGKILL) and reaps the child; idempotent.
  void kill();

  // Everything read so far (complete lines; a final unterminated line once the pipe closes).
  std::vector<std::string> stderrLines() const;
  std::string stdoutText() const;
  std::string stderrText() const;

  // Waits until both output pipes reached end of file (after exit), up to `timeout`.
  bool waitOutputClosed(Clock::duration timeout);

 private:
  void readLoop(int fd, bool isStderr);
  void joinReaders();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string stdout_;
  std::string stderr_;
  std::vector<std::string> stderrLines_;
  std::string stderrPartial_;
  int openPipes_ = 0;
  bool stopReaders_ = false;
  std::thread outReader_;
  std::thread errReader_;
};

// The result of running a command to completion.
struct CommandResult {
  ExitStatus status;
  bool timedOut = false;
  std::string out;
  std::string err;
  std::string startError;  // non-empty when the program could not be started

  // Exit code, or -1 when the command did not exit normally.
  int code() const { return status.exitCode.value_or(-1); }
};

// Runs argv (no shell) and waits up to `timeout`; on timeout the command is killed.
CommandResult runCommand(const std::vector<std::string>& argv, Clock::duration timeout = 20s);

// "a b 'c d'" for messages.
std::string joinArgv(const std::vector<std::string>& argv);

}  // namespace tmdns::e2e
