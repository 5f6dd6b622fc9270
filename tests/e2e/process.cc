// Child processes for end-to-end tests: posix_spawn, pipe readers, signals and reaping.
#include "tests/e2e/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace tmdns::e2e {

namespace {

ExitStatus decodeStatus(int raw) {
  ExitStatus s;
  if (WIFEXITED(raw)) {
    s.exitCode = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  return s;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exitCode) {
    return "exit code " + std::to_string(*exitCode);
  }
  if (signal) {
    return std::string("killed by signal ") + strsignal(*signal);
  }
  return "still running";
}

std::string joinArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) {
      out += ' ';
    }
    if (a.find_first_of(" \t'\"") != std::string::npos || a.empty()) {
      out += "'" + a + "'";
    } else {
      out += a;
    }
  }
  return out;
}

Process::~Process() {
  kill();
  joinReaders();
}

bool Process::start(const std::vector<std::string>& argv, std::string& error) {
  if (pid_ > 0 || argv.empty()) {
    error = "process already started or empty argv";
    return false;
  }
  int outPipe[2];
  int errPipe[2];
  if (pipe2(outPipe, O_CLOEXEC) != 0) {
    error = std::string("pipe2: ") + strerror(errno);
    return false;
  }
  if (pipe2(errPipe, O_CLOEXEC) != 0) {
    error = std::string("pipe2: ") + strerror(errno);
    close(outPipe[0]);
    close(outPipe[1]);
    return false;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD, SIGQUIT}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // own group: the destructor can kill all of it
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    cargv.push_back(const_cast<char*>(a.c_str()));
  }
  cargv.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) {
    error = "cannot start " + argv[0] + ": " + strerror(rc);
    close(outPipe[0]);
    close(errPipe[0]);
    return false;
  }
  pid_ = pid;
  {
    std::lock_guard lock(mu_);
    openPipes_ = 2;
  }
  outReader_ = std::thread([this, fd = outPipe[0]] { readLoop(fd, false); });
  errReader_ = std::thread([this, fd = errPipe[0]] { readLoop(fd, true); });
  return true;
}

void Process::readLoop(int fd, bool isStderr) {
  char buf[4096];
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopReaders_) {
        break;
      }
    }
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      continue;
    }
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    }
    if (got <= 0) {
      break;
    }
    std::lock_guard lock(mu_);
    if (isStderr) {
      stderr_.append(buf, static_cast<size_t>(got));
      stderrPartial_.append(buf, static_cast<size_t>(got));
      size_t nl;
      while ((nl = stderrPartial_.find('\n')) != std::string::npos) {
        stderrLines_.push_back(stderrPartial_.substr(0, nl));
        stderrPartial_.erase(0, nl + 1);
      }
    } else {
      stdout_.append(buf, static_cast<size_t>(got));
    }
    cv_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mu_);
  if (isStderr && !stderrPartial_.empty()) {
    stderrLines_.push_back(stderrPartial_);
    stderrPartial_.clear();
  }
  --openPipes_;
  cv_.notify_all();
}

void Process::joinReaders() {
  {
    std::lock_guard lock(mu_);
    stopReaders_ = true;
  }
  if (outReader_.joinable()) {
    outReader_.join();
  }
  if (errReader_.joinable()) {
    errReader_.join();
  }
}

bool Process::running() {
  if (pid_ <= 0) {
    return false;
  }
  return !waitExit(0s).has_value();
}

bool Process::signal(int sig) {
  if (pid_ <= 0 || status_) {
    return false;
  }
  return ::kill(pid_, sig) == 0;
}

std::optional<std::vector<std::string>> Process::waitForStderr(const std::regex& pattern,
                                                               Clock::duration timeout, size_t from,
                                                               size_t* index) {
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mu_);
  size_t next = from;
  for (;;) {
    for (; next < stderrLines_.size(); ++next) {
      std::smatch m;
      if (std::regex_search(stderrLines_[next], m, pattern)) {
        std::vector<std::string> groups;
        for (const auto& g : m) {
          groups.push_back(g.str());
        }
        if (index != nullptr) {
          *index = next;
        }
        return groups;
      }
    }
    if (openPipes_ == 0 || pid_ <= 0) {
      return std::nullopt;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && next >= stderrLines_.size()) {
      return std::nullopt;
    }
  }
}

std::optional<ExitStatus> Process::waitExit(Clock::duration timeout) {
  if (status_) {
    return status_;
  }
  if (pid_ <= 0) {
    return std::nullopt;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int raw = 0;
    pid_t r = waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = decodeStatus(raw);
      return status_;
    }
    if (r < 0 && errno != EINTR) {
      status_ = ExitStatus{};
      return status_;
    }
    if (Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(5ms);
  }
}

void Process::kill() {
  if (pid_ <= 0) {
    return;
  }
  if (!status_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int raw = 0;
    while (waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    status_ = decodeStatus(raw);
    return;
  }
  // The child is reaped; if something still holds our pipes it is a leftover member of the
  // child's group (the group, and so its id, exists as long as any member does).
  std::lock_guard lock(mu_);
  if (openPipes_ > 0) {
    ::kill(-pid_, SIGKILL);
  }
}

bool Process::waitOutputClosed(Clock::duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return openPipes_ == 0; });
}

std::vector<std::string> Process::stderrLines() const {
  std::lock_guard lock(mu_);
  return stderrLines_;
}

std::string Process::stdoutText() const {
  std::lock_guard lock(mu_);
  return stdout_;
}

std::string Process::stderrText() const {
  std::lock_guard lock(mu_);
  return stderr_;
}

CommandResult runCommand(const std::vector<std::string>& argv, Clock::duration timeout) {
  CommandResult result;
  Process p;
  if (!p.start(argv, result.startError)) {
    return result;
  }
  auto status = p.waitExit(timeout);
  if (!status) {
    result.timedOut = true;
    p.kill();
    status = p.waitExit(0s);
  }
  result.status = status.value_or(ExitStatus{});
  p.waitOutputClosed(2s);
  result.out = p.stdoutText();
  result.err = p.stderrText();
  return result;
}

}  // namespace tmdns::e2e
