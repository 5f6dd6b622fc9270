// A c-ares stub resolver pointed at one server only: no search list, no hosts file.
#include "tests/e2e/cares_client.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/select.h>

#include <mutex>

namespace tmdns::e2e {

namespace {

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

void onAnswer(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
  auto* a = static_cast<CaresAnswer*>(arg);
  a->status = status;
  a->timeouts = timeouts;
  if (abuf != nullptr && alen > 0) {
    a->abuf.assign(abuf, abuf + alen);
  }
  a->done = true;
}

ares_channel chan(void* p) {
  return static_cast<ares_channel>(p);
}

AddressReply fromHostent(int status, hostent* host, const ares_addrttl* v4, const ares_addr6ttl* v6,
                         int count) {
  AddressReply r;
  r.status = status;
  if (host != nullptr) {
    if (host->h_name != nullptr) {
      r.hostName = host->h_name;
    }
    for (char** a = host->h_aliases; a != nullptr && *a != nullptr; ++a) {
      r.aliases.emplace_back(*a);
    }
    ares_free_hostent(host);
  }
  for (int i = 0; i < count; ++i) {
    char text[INET6_ADDRSTRLEN] = {};
    if (v4 != nullptr) {
      inet_ntop(AF_INET, &v4[i].ipaddr, text, sizeof text);
      r.addresses.emplace_back(text, v4[i].ttl);
    } else {
      inet_ntop(AF_INET6, &v6[i].ip6addr, text, sizeof text);
      r.addresses.emplace_back(text, v6[i].ttl);
    }
  }
  return r;
}

}  // namespace

CaresResolver::CaresResolver(const Address& server, int extraFlags) {
  initLibrary();
  ares_options opts{};
  opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NORECURSE | extraFlags;
  opts.timeout = 1000;  // ms, with ARES_OPT_TIMEOUTMS
  opts.tries = 2;
  opts.ndomains = 0;
  opts.domains = nullptr;
  char lookups[] = "b";  // DNS only, never /etc/hosts
  opts.lookups = lookups;
  const int mask =
      ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS;
  ares_channel c = nullptr;
  int rc = ares_init_options(&c, &opts, mask);
  if (rc != ARES_SUCCESS) {
    error_ = std::string("ares_init_options: ") + ares_strerror(rc);
    return;
  }
  channel_ = c;
  rc = ares_set_servers_ports_csv(c, server.hostPort().c_str());
  if (rc != ARES_SUCCESS) {
    error_ =
        std::string("ares_set_servers_ports_csv(") + server.hostPort() + "): " + ares_strerror(rc);
  }
}

CaresResolver::~CaresResolver() {
  if (channel_ != nullptr) {
    ares_destroy(chan(channel_));
  }
}

CaresAnswer CaresResolver::query(const std::string& name, int type, Clock::duration timeout) {
  CaresAnswer a;
  if (channel_ == nullptr || !error_.empty()) {
    return a;
  }
  ares_query(chan(channel_), name.c_str(), 1 /* C_IN */, type, onAnswer, &a);
  run(a, timeout);
  return a;
}

CaresAnswer CaresResolver::search(const std::string& name, int type, Clock::duration timeout) {
  CaresAnswer a;
  if (channel_ == nullptr || !error_.empty()) {
    return a;
  }
  ares_search(chan(channel_), name.c_str(), 1 /* C_IN */, type, onAnswer, &a);
  run(a, timeout);
  return a;
}

void CaresResolver::run(CaresAnswer& answer, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!answer.done && Clock::now() < deadline) {
    fd_set readers;
    fd_set writers;
    FD_ZERO(&readers);
    FD_ZERO(&writers);
    const int nfds = ares_fds(chan(channel_), &readers, &writers);
    if (nfds == 0) {
      break;
    }
    timeval maxWait{0, 100000};
    timeval tv{};
    timeval* tvp = ares_timeout(chan(channel_), &maxWait, &tv);
    select(nfds, &readers, &writers, nullptr, tvp);
    ares_process(chan(channel_), &readers, &writers);
  }
  if (!answer.done) {
    // Cancelling runs the callback (ARES_ECANCELLED); keep "no answer" visible as -1.
    ares_cancel(chan(channel_));
    answer.status = -1;
    answer.done = false;
  }
}

AddressReply parseAReply(const Bytes& abuf) {
  hostent* host = nullptr;
  ares_addrttl ttls[32];
  int n = 32;
  const int status =
      ares_parse_a_reply(abuf.data(), static_cast<int>(abuf.size()), &host, ttls, &n);
  return fromHostent(status, host, ttls, nullptr, status == ARES_SUCCESS ? n : 0);
}

AddressReply parseAaaaReply(const Bytes& abuf) {
  hostent* host = nullptr;
  ares_addr6ttl ttls[32];
  int n = 32;
  const int status =
      ares_parse_aaaa_reply(abuf.data(), static_cast<int>(abuf.size()), &host, ttls, &n);
  return fromHostent(status, host, nullptr, ttls, status == ARES_SUCCESS ? n : 0);
}

}  // namespace tmdns::e2e
