// Resolver: one c-ares channel, ares_getaddrinfo for A+AAAA, answers cached by their smallest TTL.
#include "probes/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include <algorithm>
#include <mutex>

namespace tmdns::probes {
namespace {

std::once_flag aresLibraryInit;
int aresLibraryInitResult = ARES_SUCCESS;

// Answers are not kept longer than this, whatever the TTL: endpoints' addresses do change.
constexpr std::chrono::seconds kMaxTtl{3600};

std::string errorText(int status) {
  switch (status) {
    // c-ares reports an RCODE 3 answer (RFC 1035 §4.1.1 Name Error) as ENOTFOUND.
    case ARES_ENOTFOUND:
      return "NXDOMAIN";
    case ARES_ENODATA:
      return "no address records";
    case ARES_ETIMEOUT:
      return "timeout";
    case ARES_ESERVFAIL:
      return "SERVFAIL";
    case ARES_EREFUSED:
      return "REFUSED";
    case ARES_ECONNREFUSED:
      return "connection refused";
    case ARES_EBADNAME:
      return "invalid name";
    default:
      return ares_strerror(status);
  }
}

struct Query {
  Resolver* resolver = nullptr;
  std::string name;  // cache key
};

}  // namespace

struct Resolver::Callbacks {
  static void sockState(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<Resolver*>(data);
    if (readable == 0 && writable == 0) {
      self->loop_.unwatch(fd);
      return;
    }
    uint32_t events = 0;
    if (readable != 0) {
      events |= EPOLLIN;
    }
    if (writable != 0) {
      events |= EPOLLOUT;
    }
    self->loop_.watch(fd, events, makeTag(TagKind::kAres, static_cast<uint64_t>(fd)));
  }

  static void addrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
    auto* query = static_cast<Query*>(arg);
    if (status == ARES_EDESTRUCTION) {
      // The channel is being destroyed with the Resolver: nothing to report to.
      if (result != nullptr) {
        ares_freeaddrinfo(result);
      }
      delete query;
      return;
    }
    Resolver* self = query->resolver;
    Resolution resolution;
    int minTtl = INT32_MAX;
    if (status == ARES_SUCCESS && result != nullptr) {
      for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* raw = nullptr;
        if (node->ai_family == AF_INET) {
          raw = &reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr;
        } else if (node->ai_family == AF_INET6) {
          raw = &reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr;
        } else {
          continue;
        }
        if (inet_ntop(node->ai_family, raw, text, sizeof(text)) == nullptr) {
          continue;
        }
        const std::string address(text);
        if (std::find(resolution.addresses.begin(), resolution.addresses.end(), address) ==
            resolution.addresses.end()) {
          resolution.addresses.push_back(address);
        }
        minTtl = std::min(minTtl, node->ai_ttl);
      }
      resolution.ok = !resolution.addresses.empty();
      if (!resolution.ok) {
        resolution.error = errorText(ARES_ENODATA);
      }
    } else {
      resolution.error = errorText(status);
    }
    if (result != nullptr) {
      ares_freeaddrinfo(result);
    }

    const TimePoint now = Clock::now();
    Entry& entry = self->cache_[query->name];
    entry.inFlight = false;
    if (resolution.ok) {
      // Re-resolve when the records expire, within [kMinTtl, kMaxTtl].
      const auto ttl =
          std::clamp<std::chrono::seconds>(std::chrono::seconds(minTtl), kMinTtl, kMaxTtl);
      entry.hasAnswer = true;
      entry.answer = resolution;
      entry.expires = now + ttl;
    } else {
      // Failures are not cached: the next round asks again, so a fixed name recovers at once.
      entry.hasAnswer = false;
      entry.answer = Resolution{};
      entry.expires = now;
    }
    self->completed_.emplace_back(query->name, std::move(resolution));
    delete query;
  }
};

std::string Resolver::normalize(const std::string& name) {
  std::string s = name;
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  return s;
}

Resolver::Resolver(EventLoop& loop, std::vector<std::string> servers)
    : loop_(loop), servers_(std::move(servers)) {}

Resolver::~Resolver() {
  if (channel_ != nullptr) {
    // Calls every pending callback with ARES_EDESTRUCTION and closes the channel's sockets
    // (their sock_state callbacks unwatch them).
    ares_destroy(static_cast<ares_channel>(channel_));
  }
}

bool Resolver::init(std::string& error) {
  std::call_once(aresLibraryInit,
                 [] { aresLibraryInitResult = ares_library_init(ARES_LIB_INIT_ALL); });
  if (aresLibraryInitResult != ARES_SUCCESS) {
    initError_ = std::string("ares_library_init: ") + ares_strerror(aresLibraryInitResult);
    error = initError_;
    return false;
  }
  ares_options options{};
  options.sock_state_cb = &Callbacks::sockState;
  options.sock_state_cb_data = this;
  // A lost UDP answer is retried once after 1 s, then after 2 s: a probe round has a deadline
  // of its own (timeoutInSeconds), and a later answer still fills the cache for the next round.
  options.timeout = 1000;
  options.tries = 2;
  // Targets are fully qualified (§1.4): no search-list suffixes are tried.
  options.flags = ARES_FLAG_NOSEARCH;
  const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  ares_channel channel = nullptr;
  int status = ares_init_options(&channel, &options, mask);
  if (status != ARES_SUCCESS) {
    initError_ = std::string("ares_init_options: ") + ares_strerror(status);
    error = initError_;
    return false;
  }
  if (!servers_.empty()) {
    std::string csv;
    for (const std::string& server : servers_) {
      csv += (csv.empty() ? "" : ",") + server;
    }
    status = ares_set_servers_ports_csv(channel, csv.c_str());
    if (status != ARES_SUCCESS) {
      // Never fall back to the system's servers when others were configured.
      ares_destroy(channel);
      initError_ = "invalid resolvers \"" + csv + "\": " + ares_strerror(status);
      error = initError_;
      return false;
    }
  }
  channel_ = channel;
  return true;
}

std::optional<Resolution> Resolver::lookup(const std::string& name, TimePoint now) {
  if (channel_ == nullptr) {
    Resolution failed;
    failed.error = "resolver unavailable: " + initError_;
    return failed;
  }
  const std::string key = normalize(name);
  Entry& entry = cache_[key];
  if (entry.hasAnswer && entry.expires > now) {
    return entry.answer;
  }
  if (!entry.inFlight) {
    entry.inFlight = true;
    ares_addrinfo_hints hints{};
    // A and AAAA: every address of the name is probed.
    hints.ai_family = AF_UNSPEC;
    // No RFC 6724 sorting: it would open a UDP socket per address, and order does not matter
    // because all addresses are probed.
    hints.ai_flags = ARES_AI_NOSORT;
    auto* query = new Query{this, key};
    ares_getaddrinfo(static_cast<ares_channel>(channel_), key.c_str(), nullptr, &hints,
                     &Callbacks::addrInfo, query);
  }
  return std::nullopt;
}

void Resolver::onSocket(int fd, uint32_t epollEvents) {
  if (channel_ == nullptr) {
    return;
  }
  const ares_socket_t readFd =
      (epollEvents & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 ? fd : ARES_SOCKET_BAD;
  const ares_socket_t writeFd = (epollEvents & EPOLLOUT) != 0 ? fd : ARES_SOCKET_BAD;
  ares_process_fd(static_cast<ares_channel>(channel_), readFd, writeFd);
}

void Resolver::onTimer(TimePoint now) {
  const auto due = nextTimer();
  if (channel_ == nullptr || !due || *due > now) {
    return;
  }
  // With no descriptor, ares_process_fd only handles expired queries (retries, timeouts).
  ares_process_fd(static_cast<ares_channel>(channel_), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

std::optional<TimePoint> Resolver::nextTimer() const {
  if (channel_ == nullptr) {
    return std::nullopt;
  }
  timeval tv{};
  if (ares_timeout(static_cast<ares_channel>(channel_), nullptr, &tv) == nullptr) {
    return std::nullopt;
  }
  return Clock::now() + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

std::vector<std::pair<std::string, Resolution>> Resolver::takeCompleted() {
  std::vector<std::pair<std::string, Resolution>> out;
  out.swap(completed_);
  return out;
}

void Resolver::prune(TimePoint now) {
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (!it->second.inFlight && it->second.expires <= now) {
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace tmdns::probes
