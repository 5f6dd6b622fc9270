// A small DNS client for exact wire checks: ldns-built queries over UDP/TCP, raw bytes, decoding.
#include "tests/e2e/dns_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

namespace tmdns::e2e {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

bool resolveNumeric(const Address& a, int socktype, sockaddr_storage& ss, socklen_t& len) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = socktype;
  addrinfo* res = nullptr;
  if (getaddrinfo(a.host.c_str(), std::to_string(a.port).c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return false;
  }
  std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

int waitFd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return 0;
    }
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return n;
  }
}

uint16_t get16(const Bytes& b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

// Skips a (possibly compressed) name; returns false when it runs off the end.
bool skipName(const Bytes& b, size_t& at) {
  while (at < b.size()) {
    const uint8_t len = b[at];
    if ((len & 0xC0) == 0xC0) {
      at += 2;
      return at <= b.size();
    }
    if (len == 0) {
      ++at;
      return true;
    }
    at += 1 + len;
  }
  return false;
}

}  // namespace

std::optional<Rr> Rr::parse(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> tokens;
  std::string t;
  while (in >> t) {
    tokens.push_back(t);
  }
  if (tokens.size() < 4 || tokens[0].empty() || tokens[0][0] == ';') {
    return std::nullopt;
  }
  Rr rr;
  rr.name = lower(tokens[0]);
  char* end = nullptr;
  const unsigned long ttl = std::strtoul(tokens[1].c_str(), &end, 10);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  rr.ttl = static_cast<uint32_t>(ttl);
  rr.cls = tokens[2];
  rr.type = tokens[3];
  for (size_t i = 4; i < tokens.size(); ++i) {
    if (i > 4) {
      rr.rdata += ' ';
    }
    rr.rdata += tokens[i];
  }
  return rr;
}

Rr Rr::of(const std::string& line) {
  auto rr = parse(line);
  if (!rr) {
    std::cerr << "bad record literal in test: " << line << "\n";
    std::abort();
  }
  return *rr;
}

std::ostream& operator<<(std::ostream& os, const Rr& rr) {
  return os << rr.name << " " << rr.ttl << " " << rr.cls << " " << rr.type << " " << rr.rdata;
}

std::vector<Rr> sorted(std::vector<Rr> rrs) {
  std::sort(rrs.begin(), rrs.end());
  return rrs;
}

std::vector<std::string> rdatasOf(const std::vector<Rr>& rrs, const std::string& type) {
  std::vector<std::string> out;
  for (const auto& rr : rrs) {
    if (rr.type == type) {
      out.push_back(rr.rdata);
    }
  }
  return out;
}

Bytes buildQuery(const std::string& name, ldns_rr_type type, const QueryOptions& options) {
  ldns_rdf* owner = ldns_dname_new_frm_str(name.c_str());
  if (owner == nullptr) {
    std::cerr << "bad query name in test: " << name << "\n";
    std::abort();
  }
  uint16_t flags = 0;
  if (options.rd) {
    flags |= LDNS_RD;
  }
  if (options.cd) {
    flags |= LDNS_CD;
  }
  ldns_pkt* pkt = ldns_pkt_query_new(owner, type, LDNS_RR_CLASS_IN, flags);
  ldns_pkt_set_id(pkt, options.id);
  ldns_pkt_set_opcode(pkt, options.opcode);
  if (options.edns) {
    ldns_pkt_set_edns_udp_size(pkt, options.udpSize);
    ldns_pkt_set_edns_version(pkt, options.ednsVersion);
    ldns_pkt_set_edns_do(pkt, options.dnssecOk);
    if (!options.ednsOptions.empty()) {
      ldns_pkt_set_edns_data(
          pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, options.ednsOptions.size(),
                                     options.ednsOptions.data()));
    }
  }
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&wire, pkt, &size) != LDNS_STATUS_OK) {
    std::cerr << "ldns_pkt2wire failed for " << name << "\n";
    std::abort();
  }
  Bytes out(wire, wire + size);
  free(wire);
  ldns_pkt_free(pkt);
  return out;
}

Bytes ecsOptionV4(const std::string& address, uint8_t sourcePrefix) {
  uint8_t addr[4] = {};
  inet_pton(AF_INET, address.c_str(), addr);
  const size_t addrBytes = std::min<size_t>((sourcePrefix + 7) / 8, 4);
  // RFC 7871 §6: OPTION-CODE 8, FAMILY 1, SOURCE PREFIX-LENGTH, SCOPE 0, truncated address.
  Bytes o = {0, 8, 0, static_cast<uint8_t>(4 + addrBytes), 0, 1, sourcePrefix, 0};
  for (size_t i = 0; i < addrBytes; ++i) {
    o.push_back(addr[i]);
  }
  return o;
}

Bytes ecsOptionRaw(uint16_t family, uint8_t sourcePrefix, uint8_t scopePrefix,
                   const Bytes& address) {
  const size_t length = 4 + address.size();
  Bytes o;
  o.reserve(4 + length);
  for (const size_t v : {size_t{0}, size_t{8}, length >> 8, length, size_t{family} >> 8,
                         size_t{family}, size_t{sourcePrefix}, size_t{scopePrefix}}) {
    o.push_back(static_cast<uint8_t>(v));
  }
  for (const uint8_t b : address) {
    o.push_back(b);
  }
  return o;
}

Bytes ecsOption(const std::string& address, uint8_t sourcePrefix) {
  const bool v6 = address.find(':') != std::string::npos;
  uint8_t addr[16] = {};
  if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), addr) != 1) {
    std::cerr << "ecsOption: not an address: " << address << "\n";
    std::abort();
  }
  const size_t octets = std::min<size_t>((sourcePrefix + 7) / 8, v6 ? 16 : 4);
  Bytes bytes(addr, addr + octets);
  if (sourcePrefix % 8 != 0 && !bytes.empty()) {
    bytes.back() &= static_cast<uint8_t>(0xFF00u >> (sourcePrefix % 8));
  }
  return ecsOptionRaw(v6 ? 2 : 1, sourcePrefix, 0, bytes);
}

std::ostream& operator<<(std::ostream& os, const ClientSubnetOption& o) {
  os << "{family " << o.family << ", source " << int{o.sourcePrefix} << ", scope "
     << int{o.scopePrefix} << ", address";
  for (uint8_t b : o.address) {
    os << " " << int{b};
  }
  return os << "}";
}

std::optional<std::vector<ClientSubnetOption>> clientSubnetOptions(const Bytes& optData) {
  std::vector<ClientSubnetOption> out;
  size_t pos = 0;
  while (pos < optData.size()) {
    if (optData.size() - pos < 4) {
      return std::nullopt;
    }
    const uint16_t code = get16(optData, pos);
    const uint16_t length = get16(optData, pos + 2);
    pos += 4;
    if (optData.size() - pos < length) {
      return std::nullopt;
    }
    if (code == 8) {
      if (length < 4) {
        return std::nullopt;
      }
      ClientSubnetOption o;
      o.family = get16(optData, pos);
      o.sourcePrefix = optData[pos + 2];
      o.scopePrefix = optData[pos + 3];
      o.address.assign(optData.begin() + static_cast<std::ptrdiff_t>(pos + 4),
                       optData.begin() + static_cast<std::ptrdiff_t>(pos + length));
      out.push_back(std::move(o));
    }
    pos += length;
  }
  return out;
}

std::optional<Message> decode(const Bytes& wire, std::string& error) {
  if (wire.size() < 12) {
    error = "response shorter than a header (" + std::to_string(wire.size()) + " bytes)";
    return std::nullopt;
  }
  Message m;
  m.wire = wire;
  m.id = get16(wire, 0);
  const uint16_t flags = get16(wire, 2);
  m.qr = flags & 0x8000;
  m.opcode = (flags >> 11) & 0xF;
  m.aa = flags & 0x0400;
  m.tc = flags & 0x0200;
  m.rd = flags & 0x0100;
  m.ra = flags & 0x0080;
  m.z = flags & 0x0040;
  m.ad = flags & 0x0020;
  m.cd = flags & 0x0010;
  m.rcode = flags & 0xF;
  m.qdcount = get16(wire, 4);
  m.ancount = get16(wire, 6);
  m.nscount = get16(wire, 8);
  m.arcount = get16(wire, 10);

  // Walk the wire ourselves: the question name exactly as sent back, and every OPT record.
  size_t at = 12;
  if (m.qdcount > 0) {
    size_t p = 12;
    std::string qname;
    while (p < wire.size() && wire[p] != 0 && (wire[p] & 0xC0) == 0) {
      const uint8_t len = wire[p];
      if (p + 1 + len > wire.size()) {
        break;
      }
      qname.append(reinterpret_cast<const char*>(&wire[p + 1]), len);
      qname += '.';
      p += 1 + len;
    }
    m.qname = qname.empty() ? "." : qname;
  }
  for (uint16_t i = 0; i < m.qdcount; ++i) {
    if (!skipName(wire, at) || at + 4 > wire.size()) {
      error = "truncated question";
      return std::nullopt;
    }
    if (i == 0) {
      m.qtype = get16(wire, at);
      m.qclass = get16(wire, at + 2);
    }
    at += 4;
  }
  const uint32_t records = uint32_t{m.ancount} + m.nscount + m.arcount;
  for (uint32_t i = 0; i < records; ++i) {
    if (!skipName(wire, at) || at + 10 > wire.size()) {
      error = "truncated record " + std::to_string(i);
      return std::nullopt;
    }
    const uint16_t type = get16(wire, at);
    const uint16_t cls = get16(wire, at + 2);
    const uint32_t ttl = (uint32_t{get16(wire, at + 4)} << 16) | get16(wire, at + 6);
    const uint16_t rdlen = get16(wire, at + 8);
    at += 10;
    if (at + rdlen > wire.size()) {
      error = "truncated rdata of record " + std::to_string(i);
      return std::nullopt;
    }
    if (type == LDNS_RR_TYPE_OPT) {
      if (i < uint32_t{m.ancount} + m.nscount) {
        error = "OPT record outside the additional section";
        return std::nullopt;
      }
      ++m.optCount;
      m.hasOpt = true;
      m.optUdpSize = cls;
      m.rcode |= static_cast<int>((ttl >> 24) & 0xFF) << 4;
      m.optVersion = static_cast<uint8_t>((ttl >> 16) & 0xFF);
      m.optDo = ttl & 0x8000;
      m.optData.assign(wire.begin() + static_cast<long>(at),
                       wire.begin() + static_cast<long>(at + rdlen));
    }
    at += rdlen;
  }
  if (at != wire.size()) {
    error = "trailing bytes after the last record";
    return std::nullopt;
  }

  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, wire.data(), wire.size()) != LDNS_STATUS_OK) {
    error = "ldns_wire2pkt failed";
    return std::nullopt;
  }
  auto convert = [](ldns_rr_list* list, std::vector<Rr>& out) {
    for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
      ldns_rr* rr = ldns_rr_list_rr(list, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT) {
        continue;
      }
      char* text = ldns_rr2str(rr);
      if (auto parsed = Rr::parse(text)) {
        out.push_back(*parsed);
      }
      free(text);
    }
  };
  convert(ldns_pkt_answer(pkt), m.answer);
  convert(ldns_pkt_authority(pkt), m.authority);
  convert(ldns_pkt_additional(pkt), m.additional);
  ldns_pkt_free(pkt);
  return m;
}

UdpSocket::UdpSocket(const Address& server) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (!resolveNumeric(server, SOCK_DGRAM, ss, len)) {
    return;
  }
  fd_ = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

bool UdpSocket::send(const Bytes& message) {
  return fd_ >= 0 &&
         ::send(fd_, message.data(), message.size(), 0) == static_cast<ssize_t>(message.size());
}

std::optional<Bytes> UdpSocket::receive(Clock::time_point deadline) {
  if (fd_ < 0) {
    return std::nullopt;
  }
  Bytes buf(65536);
  for (;;) {
    if (waitFd(fd_, POLLIN, deadline) <= 0) {
      return std::nullopt;
    }
    const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    }
    if (n < 0) {
      return std::nullopt;  // e.g. ECONNREFUSED: nobody listens
    }
    buf.resize(static_cast<size_t>(n));
    return buf;
  }
}

std::optional<Bytes> exchangeUdp(const Address& server, const Bytes& message,
                                 Clock::duration timeout) {
  UdpSocket s(server);
  if (!s.send(message)) {
    return std::nullopt;
  }
  return s.receive(Clock::now() + timeout);
}

std::optional<Bytes> exchangeTcp(const Address& server, const Bytes& message,
                                 Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (!resolveNumeric(server, SOCK_STREAM, ss, len)) {
    return std::nullopt;
  }
  const int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return std::nullopt;
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS || waitFd(fd, POLLOUT, deadline) <= 0) {
      return std::nullopt;
    }
    int err = 0;
    socklen_t errLen = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errLen);
    if (err != 0) {
      return std::nullopt;
    }
  }
  Bytes framed = {static_cast<uint8_t>(message.size() >> 8),
                  static_cast<uint8_t>(message.size() & 0xFF)};
  framed.insert(framed.end(), message.begin(), message.end());
  size_t sent = 0;
  while (sent < framed.size()) {
    const ssize_t n = ::send(fd, framed.data() + sent, framed.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (waitFd(fd, POLLOUT, deadline) <= 0) {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  Bytes in;
  auto readExactly = [&](size_t want) -> bool {
    while (in.size() < want) {
      if (waitFd(fd, POLLIN, deadline) <= 0) {
        return false;
      }
      uint8_t buf[65536];
      const ssize_t n = recv(fd, buf, std::min(sizeof buf, want - in.size()), 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        continue;
      }
      if (n <= 0) {
        return false;
      }
      in.insert(in.end(), buf, buf + n);
    }
    return true;
  };
  if (!readExactly(2)) {
    return std::nullopt;
  }
  const size_t length = get16(in, 0);
  if (!readExactly(2 + length)) {
    return std::nullopt;
  }
  return Bytes(in.begin() + 2, in.end());
}

std::optional<Message> ask(const Address& server, const std::string& name, ldns_rr_type type,
                           const QueryOptions& options, Via via) {
  const Bytes query = buildQuery(name, type, options);
  auto wire = via == Via::kUdp ? exchangeUdp(server, query, 2s) : exchangeTcp(server, query, 2s);
  const std::string what = name + " type " + std::to_string(type) + " over " +
                           (via == Via::kUdp ? "UDP" : "TCP") + " to " + server.hostPort();
  if (!wire) {
    ADD_FAILURE() << "no response within 2 s for " << what;
    return std::nullopt;
  }
  std::string error;
  auto m = decode(*wire, error);
  if (!m) {
    ADD_FAILURE() << "cannot decode the response for " << what << ": " << error;
  }
  return m;
}

}  // namespace tmdns::e2e
