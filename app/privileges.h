// Dropping root after the listening sockets are bound: switch to `user:` / `group:` and shed
// every capability.
#pragma once

#include <string>

#include "config/model.h"

namespace tmdns::app {

// What dropPrivileges did, for the log.
struct PrivilegeDrop {
  bool ok = false;
  std::string message;  // one log line: what the process now runs as, or why it cannot go on
};

// Called once, after every socket is bound and before any thread starts (capabilities are per
// thread):
// - `user:` set and started as root: setgroups([gid]), setresgid(gid), setresuid(uid), then checks
//   that root cannot be regained;
// - `user:` set and not root: fine only when already running as exactly that user and group;
// - afterwards, when not root, clears every capability (effective, permitted, inheritable,
//   ambient): CAP_NET_BIND_SERVICE (systemd's AmbientCapabilities) is needed only to bind.
// Any failure is fatal for the caller: never serve with more privilege than configured.
PrivilegeDrop dropPrivileges(const config::RunAs& runAs);

}  // namespace tmdns::app
