// Asynchronous A/AAAA resolution of probe targets with c-ares, cached for the records' TTL.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "probes/event_loop.h"
#include "probes/scheduler.h"

namespace tmdns::probes {

struct Resolution {
  bool ok = false;
  std::string error;                   // "NXDOMAIN", "timeout", ... when !ok
  std::vector<std::string> addresses;  // numeric, in resolver order, no duplicates
};

// Runs on the engine thread only; c-ares reports its sockets through ARES_OPT_SOCK_STATE_CB to
// the EventLoop and its timeouts through nextTimer().
class Resolver {
 public:
  // Answers are kept at least this long whatever their TTL says, so that a TTL of 0 or 1 does
  // not turn every probe round into a DNS query.
  static constexpr std::chrono::seconds kMinTtl{5};

  // `servers`: "addr", "addr:port", "[v6]:port"; empty = the system's resolv.conf.
  Resolver(EventLoop& loop, std::vector<std::string> servers);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // The cache key of a name, also the name reported by takeCompleted(): lower case, no final dot.
  static std::string normalize(const std::string& name);

  // Creates the channel; on failure every lookup fails at once with the reason.
  bool init(std::string& error);

  // The cached answer for `name` while its TTL runs, a failure when there is no channel; else
  // nullopt after making sure one query for the name is in flight (see takeCompleted()).
  std::optional<Resolution> lookup(const std::string& name, TimePoint now);

  void onSocket(int fd, uint32_t epollEvents);
  void onTimer(TimePoint now);
  std::optional<TimePoint> nextTimer() const;

  // Names whose query finished since the last call, with the result (also cached on success).
  std::vector<std::pair<std::string, Resolution>> takeCompleted();

  // Forgets expired answers of names no longer looked up (after a reload removed them).
  void prune(TimePoint now);
  size_t cachedNames() const { return cache_.size(); }

 private:
  struct Entry {
    bool inFlight = false;
    bool hasAnswer = false;
    Resolution answer;
    TimePoint expires;
  };

  struct Callbacks;

  EventLoop& loop_;
  std::vector<std::string> servers_;
  std::string initError_;
  void* channel_ = nullptr;  // ares_channel; void* keeps ares.h out of this header's includers
  std::unordered_map<std::string, Entry> cache_;
  std::vector<std::pair<std::string, Resolution>> completed_;
};

}  // namespace tmdns::probes
