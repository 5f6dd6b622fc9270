// Dropping root after the listening sockets are bound: switch to `user:` / `group:` and shed
// every capability.
#include "app/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

namespace tmdns::app {
namespace {

bool isNumeric(const std::string& text) {
  return !text.empty() && text.size() <= 10 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string errnoText(int error) {
  return std::strerror(error);
}

struct Account {
  std::string name;  // as in the passwd / group database, or the number when it has no entry
  unsigned long id = 0;
  std::optional<gid_t> primaryGroup;  // users only
};

std::vector<char> lookupBuffer(int which) {
  const long hint = sysconf(which);
  return std::vector<char>(static_cast<size_t>(hint > 0 ? hint : 16384));
}

// A user by name or number. A number without a passwd entry is accepted (containers often run
// as one), but then has no primary group.
std::optional<Account> findUser(const std::string& user, std::string& error) {
  std::vector<char> buffer = lookupBuffer(_SC_GETPW_R_SIZE_MAX);
  passwd entry{};
  passwd* found = nullptr;
  int rc = 0;
  if (isNumeric(user)) {
    const unsigned long uid = std::stoul(user);
    rc = getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(), &found);
    if (rc == 0 && found == nullptr) {
      return Account{user, uid, std::nullopt};
    }
  } else {
    rc = getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  }
  if (rc != 0) {
    error = "cannot look up user '" + user + "': " + errnoText(rc);
    return std::nullopt;
  }
  if (found == nullptr) {
    error = "user '" + user + "' does not exist";
    return std::nullopt;
  }
  return Account{found->pw_name, found->pw_uid, found->pw_gid};
}

std::optional<Account> findGroup(const std::string& group, std::string& error) {
  std::vector<char> buffer = lookupBuffer(_SC_GETGR_R_SIZE_MAX);
  struct group entry {};
  struct group* found = nullptr;
  int rc = 0;
  if (isNumeric(group)) {
    const unsigned long gid = std::stoul(group);
    rc = getgrgid_r(static_cast<gid_t>(gid), &entry, buffer.data(), buffer.size(), &found);
    if (rc == 0 && found == nullptr) {
      return Account{group, gid, std::nullopt};
    }
  } else {
    rc = getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found);
  }
  if (rc != 0) {
    error = "cannot look up group '" + group + "': " + errnoText(rc);
    return std::nullopt;
  }
  if (found == nullptr) {
    error = "group '" + group + "' does not exist";
    return std::nullopt;
  }
  return Account{found->gr_name, found->gr_gid, std::nullopt};
}

// The name of a group id for the log, or the number.
std::string groupName(gid_t gid) {
  std::vector<char> buffer = lookupBuffer(_SC_GETGR_R_SIZE_MAX);
  struct group entry {};
  struct group* found = nullptr;
  if (getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->gr_name;
  }
  return std::to_string(gid);
}

bool holdsCapabilities() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) {
    return true;  // unknown: try to clear them
  }
  for (const __user_cap_data_struct& word : data) {
    // The ambient set is always a subset of permitted and inheritable.
    if (word.effective != 0 || word.permitted != 0 || word.inheritable != 0) {
      return true;
    }
  }
  return false;
}

size_t threadCount() {
  std::error_code ec;
  size_t count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

// Clears the effective, permitted and inheritable sets and the ambient set. Only ever lowers
// privilege, so it cannot be refused for lack of it. Capabilities belong to a thread, not to the
// process (unlike uids, which glibc changes in every thread), so this must run while the
// calling thread is the only one.
bool clearCapabilities(std::string& error) {
  if (!holdsCapabilities()) {
    return true;
  }
  if (const size_t threads = threadCount(); threads != 1) {
    error = "cannot drop capabilities: " + std::to_string(threads) +
            " threads are running and capabilities are per thread (internal error: drop them "
            "before starting any thread)";
    return false;
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    // EINVAL: a kernel without ambient capabilities (before 4.3) has none to clear.
    error = "cannot clear ambient capabilities: " + errnoText(errno);
    return false;
  }
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capset, &header, data) != 0) {
    error = "cannot drop capabilities: " + errnoText(errno);
    return false;
  }
  return true;
}

std::string describeIds(const std::string& user, uid_t uid, const std::string& group, gid_t gid) {
  return "user " + user + " (uid " + std::to_string(uid) + "), group " + group + " (gid " +
         std::to_string(gid) + ")";
}

}  // namespace

PrivilegeDrop dropPrivileges(const config::RunAs& runAs) {
  PrivilegeDrop out;
  std::string error;
  if (runAs.user.empty()) {
    if (geteuid() == 0) {
      out.ok = true;
      out.message = "running as root: set `user:` to serve without privileges once bound";
      return out;
    }
    if (!clearCapabilities(error)) {
      out.message = error + "; not serving";
      return out;
    }
    out.ok = true;
    out.message = "running as uid " + std::to_string(geteuid()) + ", gid " +
                  std::to_string(getegid()) + ", no capabilities";
    return out;
  }

  const std::optional<Account> user = findUser(runAs.user, error);
  if (!user) {
    out.message = error + " (`user:`); not serving";
    return out;
  }
  std::optional<Account> group;
  if (!runAs.group.empty()) {
    group = findGroup(runAs.group, error);
    if (!group) {
      out.message = error + " (`group:`); not serving";
      return out;
    }
  } else if (user->primaryGroup) {
    group = Account{groupName(*user->primaryGroup), *user->primaryGroup, std::nullopt};
  } else {
    out.message = "user id " + runAs.user + " has no passwd entry, so no primary group: set " +
                  "`group:`; not serving";
    return out;
  }
  const auto uid = static_cast<uid_t>(user->id);
  const auto gid = static_cast<gid_t>(group->id);
  const std::string target = describeIds(user->name, uid, group->name, gid);

  if (geteuid() != 0) {
    // Already unprivileged (e.g. systemd's User=): fine if that is exactly what was asked for.
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
      out.message = "cannot switch to " + target + ": not started as root (running as uid " +
                    std::to_string(geteuid()) + ", gid " + std::to_string(getegid()) +
                    "); not serving";
      return out;
    }
  } else {
    // Order matters: supplementary groups and the group can only be changed while still root.
    // glibc applies each of these to every thread of the process (the probe engine's included).
    if (setgroups(1, &gid) != 0) {
      out.message =
          "setgroups(" + std::to_string(gid) + ") failed: " + errnoText(errno) + "; not serving";
      return out;
    }
    if (setresgid(gid, gid, gid) != 0) {
      out.message =
          "setresgid(" + std::to_string(gid) + ") failed: " + errnoText(errno) + "; not serving";
      return out;
    }
    if (setresuid(uid, uid, uid) != 0) {
      out.message =
          "setresuid(" + std::to_string(uid) + ") failed: " + errnoText(errno) + "; not serving";
      return out;
    }
    // A drop that could be undone is no drop (CERT POS37-C).
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
      out.message = "could regain root after switching to " + target + "; not serving";
      return out;
    }
  }
  if (uid != 0 && !clearCapabilities(error)) {
    out.message = error + "; not serving";
    return out;
  }
  out.ok = true;
  out.message = "running as " + target + (uid != 0 ? ", no capabilities" : "");
  return out;
}

}  // namespace tmdns::app
