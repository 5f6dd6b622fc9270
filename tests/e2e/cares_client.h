// A c-ares stub resolver pointed at one server only: no search list, no hosts file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/dns_client.h"
#include "tests/e2e/harness.h"

namespace tmdns::e2e {

// The outcome of one c-ares query: the status passed to the callback and the raw answer.
struct CaresAnswer {
  int status = -1;  // ARES_SUCCESS, ARES_ENOTFOUND (NXDOMAIN), ARES_ENODATA, ARES_ETIMEOUT, ...
  int timeouts = 0;
  Bytes abuf;
  bool done = false;
};

// A/AAAA answers as c-ares parses them (ares_parse_a_reply / ares_parse_aaaa_reply).
struct AddressReply {
  int status = -1;
  std::string hostName;              // hostent h_name: the canonical name after CNAMEs
  std::vector<std::string> aliases;  // hostent h_aliases
  std::vector<std::pair<std::string, int>> addresses;  // (address, TTL) from addrttls
};

class CaresResolver {
 public:
  // flags are added to ARES_FLAG_NOSEARCH | ARES_FLAG_NORECURSE (e.g. ARES_FLAG_USEVC).
  explicit CaresResolver(const Address& server, int extraFlags = 0);
  ~CaresResolver();
  CaresResolver(const CaresResolver&) = delete;
  CaresResolver& operator=(const CaresResolver&) = delete;

  // Empty when the channel is ready; otherwise why it is not.
  const std::string& error() const { return error_; }

  // ares_query / ares_search for class IN, driving the event loop with ares_fds/select until
  // the callback ran or `timeout` passed (then status stays -1).
  CaresAnswer query(const std::string& name, int type, Clock::duration timeout = 10s);
  CaresAnswer search(const std::string& name, int type, Clock::duration timeout = 10s);

 private:
  void run(CaresAnswer& answer, Clock::duration timeout);

  void* channel_ = nullptr;  // ares_channel
  std::string error_;
};

AddressReply parseAReply(const Bytes& abuf);
AddressReply parseAaaaReply(const Bytes& abuf);

}  // namespace tmdns::e2e
