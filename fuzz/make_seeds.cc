// Writes the DNS fuzzers' seed corpora: real queries made with ldns for the sample configuration
// (fuzz/sample/tmdns.yaml), EDNS and ECS variants, hand-built OPT edge cases and TCP streams.
// Usage: tmdns_fuzz_make_seeds DIR  ->  DIR/query/*.dns, DIR/tcp/*.dns (fuzz/README.md).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// Last: ldns/common.h defines `bool`, `true` and `false` as macros unless <stdbool.h> came
// first, which breaks C++ headers included after it (clang).
#include <ldns/ldns.h>

namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint16_t kOpcodeShift = 11;

struct Edns {
  bool present = false;
  uint16_t udpSize = 1232;
  uint8_t version = 0;
  bool dnssecOk = false;
  Bytes options;  // OPT RDATA
};

void putU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// One option of an OPT RDATA (RFC 6891 §6.1.2).
Bytes option(uint16_t code, const Bytes& payload) {
  Bytes out;
  putU16(out, code);
  putU16(out, static_cast<uint16_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// EDNS Client Subnet (RFC 7871 §6): the address is cut to ceil(prefix / 8) octets.
Bytes ecs(uint16_t family, uint8_t prefix, uint8_t scope, const Bytes& address) {
  Bytes payload;
  putU16(payload, family);
  payload.push_back(prefix);
  payload.push_back(scope);
  const size_t octets = (size_t{prefix} + 7) / 8;
  payload.insert(payload.end(), address.begin(),
                 address.begin() + static_cast<long>(std::min(octets, address.size())));
  return option(8, payload);
}

// A query as ldns builds it: RD set, ID 0x2a2a unless given.
Bytes query(const std::string& name, uint16_t type, const Edns& edns = {}, uint16_t cls = 1,
            uint16_t flagsSet = 0, uint16_t id = 0x2a2a) {
  ldns_rdf* owner = ldns_dname_new_frm_str(name.c_str());
  if (owner == nullptr) {
    std::fprintf(stderr, "bad name %s\n", name.c_str());
    std::exit(1);
  }
  ldns_pkt* pkt = ldns_pkt_query_new(owner, static_cast<ldns_rr_type>(type),
                                     static_cast<ldns_rr_class>(cls), LDNS_RD);
  ldns_pkt_set_id(pkt, id);
  if (edns.present) {
    ldns_pkt_set_edns_udp_size(pkt, edns.udpSize);
    ldns_pkt_set_edns_version(pkt, edns.version);
    ldns_pkt_set_edns_do(pkt, edns.dnssecOk);
    if (!edns.options.empty()) {
      ldns_pkt_set_edns_data(pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, edns.options.size(),
                                                        edns.options.data()));
    }
  }
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&wire, pkt, &size) != LDNS_STATUS_OK) {
    std::fprintf(stderr, "ldns_pkt2wire failed for %s\n", name.c_str());
    std::exit(1);
  }
  Bytes out(wire, wire + size);
  free(wire);
  ldns_pkt_free(pkt);
  out[2] = static_cast<uint8_t>(out[2] | (flagsSet >> 8));
  out[3] = static_cast<uint8_t>(out[3] | flagsSet);
  return out;
}

Bytes withEdns(const std::string& name, uint16_t type, uint16_t udpSize, const Bytes& options = {},
               bool dnssecOk = false, uint8_t version = 0) {
  Edns e;
  e.present = true;
  e.udpSize = udpSize;
  e.options = options;
  e.dnssecOk = dnssecOk;
  e.version = version;
  return query(name, type, e);
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// An OPT RR by hand, for the placements and shapes ldns will not build.
Bytes optRecord(uint16_t udpSize, const Bytes& rdata, const Bytes& owner = {0}) {
  Bytes out = owner;
  putU16(out, 41);
  putU16(out, udpSize);
  putU16(out, 0);
  putU16(out, 0);
  putU16(out, static_cast<uint16_t>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
  return out;
}

void setCount(Bytes& message, int index, uint16_t value) {
  message[4 + 2 * index] = static_cast<uint8_t>(value >> 8);
  message[5 + 2 * index] = static_cast<uint8_t>(value);
}

Bytes frame(const Bytes& message) {
  Bytes out;
  putU16(out, static_cast<uint16_t>(message.size()));
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

class Writer {
 public:
  explicit Writer(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
  }
  void add(const std::string& name, const Bytes& bytes) {
    std::ofstream out(dir_ / (name + ".dns"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
    ++count_;
  }
  int count() const { return count_; }

 private:
  std::filesystem::path dir_;
  int count_ = 0;
};

const std::string kZone = "tm.example.test.";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root = argv[1];
  Writer q(root / "query");

  // Every kind of name the sample serves, asked for A.
  for (const std::string& name : {"",
                                  "ns1.",
                                  "www.",
                                  "alias.",
                                  "alias-fqdn.",
                                  "chain1.",
                                  "to-other.",
                                  "to-shop.",
                                  "outside.",
                                  "dangling.",
                                  "deep.a.b.",
                                  "a.b.",
                                  "mixed.",
                                  "four.",
                                  "medium.",
                                  "big.",
                                  "prio-fqdn.",
                                  "prio-ip.",
                                  "prio-ip6.",
                                  "weighted.",
                                  "multi.",
                                  "disabled-profile.",
                                  "app.partners.",
                                  "partners.",
                                  "office.",
                                  "shop.",
                                  "api.",
                                  "contoso-app.",
                                  "contoso-app-us.",
                                  "nothing.",
                                  "below.prio-ip."}) {
    q.add("a-" + (name.empty() ? std::string("apex") : name.substr(0, name.size() - 1)),
          query(name + kZone, LDNS_RR_TYPE_A));
  }
  q.add("a-other-zone", query("www.other.example.test.", LDNS_RR_TYPE_A));
  q.add("a-other-cname-back", query("back.other.example.test.", LDNS_RR_TYPE_A));
  q.add("a-cname-loop", query("loop1.other.example.test.", LDNS_RR_TYPE_A));
  q.add("a-not-ours", query("www.example.com.", LDNS_RR_TYPE_A));
  q.add("a-root", query(".", LDNS_RR_TYPE_A));
  q.add("a-mixed-case", query("MiXeD.Tm.ExAmPlE.TeSt.", LDNS_RR_TYPE_A));

  // Query types at the apex and at names that hold them.
  const struct {
    const char* label;
    std::string name;
    uint16_t type;
  } typed[] = {
      {"soa-apex", kZone, LDNS_RR_TYPE_SOA},
      {"ns-apex", kZone, LDNS_RR_TYPE_NS},
      {"mx-apex", kZone, LDNS_RR_TYPE_MX},
      {"txt-apex", kZone, LDNS_RR_TYPE_TXT},
      {"any-apex", kZone, LDNS_RR_TYPE_ANY},
      {"aaaa-ns1", "ns1." + kZone, LDNS_RR_TYPE_AAAA},
      {"srv", "srv." + kZone, LDNS_RR_TYPE_SRV},
      {"caa", "caa." + kZone, LDNS_RR_TYPE_CAA},
      {"ptr", "ptr." + kZone, LDNS_RR_TYPE_PTR},
      {"cname-www", "www." + kZone, LDNS_RR_TYPE_CNAME},
      {"txt-big", "big." + kZone, LDNS_RR_TYPE_TXT},
      {"txt-medium", "medium." + kZone, LDNS_RR_TYPE_TXT},
      {"aaaa-prio-ip6", "prio-ip6." + kZone, LDNS_RR_TYPE_AAAA},
      {"aaaa-prio-fqdn", "prio-fqdn." + kZone, LDNS_RR_TYPE_AAAA},
      {"aaaa-multi", "multi." + kZone, LDNS_RR_TYPE_AAAA},
      {"any-multi", "multi." + kZone, LDNS_RR_TYPE_ANY},
      {"cname-prio-fqdn", "prio-fqdn." + kZone, LDNS_RR_TYPE_CNAME},
      {"mx-profile", "weighted." + kZone, LDNS_RR_TYPE_MX},
      {"ds-apex", kZone, LDNS_RR_TYPE_DS},
      {"dnskey-apex", kZone, LDNS_RR_TYPE_DNSKEY},
      {"https-app", "app.partners." + kZone, 65},
      {"type65534", "www." + kZone, 65534},
      {"axfr", kZone, LDNS_RR_TYPE_AXFR},
      {"ixfr", kZone, LDNS_RR_TYPE_IXFR},
      {"qtype-opt", kZone, LDNS_RR_TYPE_OPT},
      {"qtype-0", kZone, 0},
  };
  for (const auto& t : typed) {
    q.add(t.label, query(t.name, t.type));
  }
  q.add("class-ch", query("version.bind.", LDNS_RR_TYPE_TXT, {}, LDNS_RR_CLASS_CH));
  q.add("class-any", query(kZone, LDNS_RR_TYPE_SOA, {}, LDNS_RR_CLASS_ANY));
  q.add("class-none", query(kZone, LDNS_RR_TYPE_SOA, {}, LDNS_RR_CLASS_NONE));

  // Header variants.
  q.add("opcode-iquery", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 1 << kOpcodeShift));
  q.add("opcode-status", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 2 << kOpcodeShift));
  q.add("opcode-notify", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 4 << kOpcodeShift));
  q.add("opcode-update", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 5 << kOpcodeShift));
  q.add("flag-qr", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 0x8000));
  q.add("flag-aa-tc-ra", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 0x0400 | 0x0200 | 0x0080));
  q.add("flag-ad-cd-z", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 0x0020 | 0x0010 | 0x0040));
  q.add("rcode-in-query", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 0x0003));
  q.add("id-zero", query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 0, 0));
  const Bytes plain = query("www." + kZone, LDNS_RR_TYPE_A);
  q.add("header-only", Bytes(plain.begin(), plain.begin() + 12));
  q.add("runt", Bytes(plain.begin(), plain.begin() + 5));
  {
    Bytes noQuestion(plain.begin(), plain.begin() + 12);
    setCount(noQuestion, 0, 0);
    q.add("qdcount-0", noQuestion);
    Bytes two = cat({plain, Bytes(plain.begin() + 12, plain.end())});
    setCount(two, 0, 2);
    q.add("qdcount-2", two);
  }
  // A compressed question name pointing at an earlier question (RFC 1035 §4.1.4), and
  // records in the answer and additional sections of a query (NOTIFY-like, TSIG-like).
  {
    Bytes m = query("www." + kZone, LDNS_RR_TYPE_A);
    const Bytes answer = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
    Bytes withAnswer = cat({m, answer});
    setCount(withAnswer, 1, 1);
    q.add("answer-in-query", withAnswer);
    const Bytes tsigLike = {0xC0, 12, 0, 250, 0, 255, 0, 0, 0, 0, 0, 2, 0xAB, 0xCD};
    Bytes withTsig = cat({m, tsigLike});
    setCount(withTsig, 3, 1);
    q.add("tsig-like-additional", withTsig);
    Bytes compressed = cat({m, Bytes{0xC0, 12, 0, 28, 0, 1}});
    setCount(compressed, 0, 2);
    q.add("compressed-second-question", compressed);
    q.add("trailing-octets", cat({m, Bytes{0xde, 0xad, 0xbe, 0xef}}));
  }

  // EDNS: payload sizes around 512, our 1400 ceiling and the maximum; DO; BADVERS.
  for (const uint16_t size : {0, 511, 512, 1232, 1399, 1400, 1401, 4096, 65535}) {
    q.add("edns-big-" + std::to_string(size), withEdns("big." + kZone, LDNS_RR_TYPE_TXT, size));
    q.add("edns-medium-" + std::to_string(size),
          withEdns("medium." + kZone, LDNS_RR_TYPE_TXT, size));
  }
  q.add("edns-do", withEdns(kZone, LDNS_RR_TYPE_SOA, 1232, {}, true));
  q.add("edns-version-1", withEdns(kZone, LDNS_RR_TYPE_SOA, 1232, {}, false, 1));
  q.add("edns-version-255-options",
        withEdns(kZone, LDNS_RR_TYPE_SOA, 1232, Bytes{0, 8, 0, 1, 0}, false, 255));
  q.add("edns-cookie",
        withEdns(kZone, LDNS_RR_TYPE_SOA, 1232, option(10, {1, 2, 3, 4, 5, 6, 7, 8})));
  q.add("edns-padding-nsid",
        withEdns(kZone, LDNS_RR_TYPE_SOA, 1232, cat({option(3, {}), option(12, Bytes(16, 0))})));
  q.add("edns-nxdomain", withEdns("nothing." + kZone, LDNS_RR_TYPE_A, 1232));
  q.add("edns-refused", withEdns("www.example.com.", LDNS_RR_TYPE_A, 1232));

  // ECS (RFC 7871) for the client-dependent profiles, both families, prefixes 0 to full.
  const Bytes ireland = {198, 51, 100, 0};
  const Bytes california = {192, 0, 2, 0};
  const Bytes paris = {203, 0, 113, 6};
  const Bytes japan = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const Bytes germany = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const std::string& profile : {"office", "shop", "api", "multi", "contoso-app"}) {
    const std::string name = profile + "." + kZone;
    q.add("ecs-" + profile + "-v4-24",
          withEdns(name, LDNS_RR_TYPE_A, 1232, ecs(1, 24, 0, ireland)));
    q.add("ecs-" + profile + "-v4-32", withEdns(name, LDNS_RR_TYPE_A, 1232, ecs(1, 32, 0, paris)));
    q.add("ecs-" + profile + "-v6-48",
          withEdns(name, LDNS_RR_TYPE_AAAA, 1232, ecs(2, 48, 0, japan)));
  }
  q.add("ecs-shop-v4-25",
        withEdns("shop." + kZone, LDNS_RR_TYPE_A, 1232, ecs(1, 25, 0, california)));
  q.add("ecs-shop-v4-0", withEdns("shop." + kZone, LDNS_RR_TYPE_A, 1232, ecs(1, 0, 0, {})));
  q.add("ecs-api-v6-56", withEdns("api." + kZone, LDNS_RR_TYPE_A, 1232, ecs(2, 56, 0, germany)));
  q.add("ecs-api-v6-128", withEdns("api." + kZone, LDNS_RR_TYPE_A, 1232, ecs(2, 128, 0, japan)));
  q.add("ecs-office-v6-0", withEdns("office." + kZone, LDNS_RR_TYPE_A, 1232, ecs(2, 0, 0, {})));
  q.add("ecs-office-v4-8", withEdns("office." + kZone, LDNS_RR_TYPE_A, 1232, ecs(1, 8, 0, paris)));
  q.add("ecs-with-cookie",
        withEdns("office." + kZone, LDNS_RR_TYPE_A, 1232,
                 cat({option(10, {1, 2, 3, 4, 5, 6, 7, 8}), ecs(1, 24, 0, ireland)})));
  q.add("ecs-static-name", withEdns("www." + kZone, LDNS_RR_TYPE_A, 1232, ecs(1, 24, 0, ireland)));
  q.add("ecs-do-big",
        withEdns("big." + kZone, LDNS_RR_TYPE_TXT, 4096, ecs(1, 24, 0, ireland), true));

  // OPT and ECS edge cases (FORMERR per RFC 6891 §6.1.1-6.1.2 and RFC 7871 §7.2.1).
  const Bytes base = query("office." + kZone, LDNS_RR_TYPE_A);
  auto withAdditional = [&](const std::initializer_list<Bytes> records, int section = 3) {
    Bytes m = base;
    for (const Bytes& r : records) {
      m.insert(m.end(), r.begin(), r.end());
    }
    setCount(m, section, static_cast<uint16_t>(records.size()));
    return m;
  };
  q.add("opt-ecs-bad-family", withAdditional({optRecord(1232, ecs(3, 24, 0, ireland))}));
  q.add("opt-ecs-family-0", withAdditional({optRecord(1232, option(8, {0, 0, 0, 0}))}));
  q.add("opt-ecs-prefix-33",
        withAdditional({optRecord(1232, option(8, {0, 1, 33, 0, 1, 2, 3, 4, 5}))}));
  q.add("opt-ecs-prefix-129",
        withAdditional({optRecord(1232, option(8, cat({Bytes{0, 2, 129, 0}, Bytes(17, 0)})))}));
  q.add("opt-ecs-scope-set", withAdditional({optRecord(1232, ecs(1, 24, 24, ireland))}));
  q.add("opt-ecs-host-bits",
        withAdditional({optRecord(1232, option(8, {0, 1, 22, 0, 198, 51, 101}))}));
  q.add("opt-ecs-too-long",
        withAdditional({optRecord(1232, option(8, {0, 1, 16, 0, 198, 51, 0}))}));
  q.add("opt-ecs-too-short", withAdditional({optRecord(1232, option(8, {0, 1, 24, 0, 198, 51}))}));
  q.add("opt-ecs-short-payload", withAdditional({optRecord(1232, option(8, {0, 1}))}));
  q.add("opt-ecs-twice",
        withAdditional({optRecord(1232, cat({ecs(1, 24, 0, ireland), ecs(1, 24, 0, ireland)}))}));
  q.add("opt-option-overrun", withAdditional({optRecord(1232, {0, 8, 0, 9, 0})}));
  q.add("opt-option-header-cut", withAdditional({optRecord(1232, {0, 8, 0})}));
  q.add("opt-two", withAdditional({optRecord(1232, {}), optRecord(4096, {})}));
  q.add("opt-non-root-owner", withAdditional({optRecord(1232, {}, {1, 'x', 0})}));
  q.add("opt-compressed-owner", withAdditional({optRecord(1232, {}, {0xC0, 12})}));
  q.add("opt-in-answer", withAdditional({optRecord(1232, {})}, 1));
  q.add("opt-in-authority", withAdditional({optRecord(1232, {})}, 2));
  q.add("opt-rdlength-lies", [&] {
    Bytes m = withAdditional({optRecord(1232, {})});
    m[m.size() - 1] = 20;
    return m;
  }());
  q.add("arcount-lies", [&] {
    Bytes m = base;
    setCount(m, 3, 2);
    return cat({m, optRecord(1232, {})});
  }());

  // Malformed names (RFC 1035 §2.3.4, §4.1.4; RFC 6891 §5).
  {
    const Bytes head(plain.begin(), plain.begin() + 12);
    Bytes label64 = {64};
    label64.insert(label64.end(), 64, 'a');
    Bytes name256;
    for (int i = 0; i < 4; ++i) {
      name256.push_back(63);
      name256.insert(name256.end(), 63, 'a');
    }
    q.add("name-label-64", cat({head, label64, Bytes{0, 0, 1, 0, 1}}));
    q.add("name-256", cat({head, name256, Bytes{0, 0, 1, 0, 1}}));
    q.add("name-pointer-loop", cat({head, Bytes{1, 'a', 0xC0, 12, 0, 1, 0, 1}}));
    q.add("name-self-pointer", cat({head, Bytes{0xC0, 12, 0, 1, 0, 1}}));
    q.add("name-forward-pointer", cat({head, Bytes{0xC0, 14, 1, 'a', 0, 0, 1, 0, 1}}));
    q.add("name-label-type-40", cat({head, Bytes{0x41, 1, 0, 0, 1, 0, 1}}));
    q.add("name-label-type-80", cat({head, Bytes{0x81, 1, 0, 0, 1, 0, 1}}));
    q.add("name-truncated", cat({head, Bytes{3, 'w', 'w'}}));
    q.add("question-no-class", cat({head, Bytes{0, 0, 1}}));
  }

  Writer t(root / "tcp");
  const Bytes a = query("prio-ip." + kZone, LDNS_RR_TYPE_A, {}, 1, 0, 1);
  const Bytes big = query("big." + kZone, LDNS_RR_TYPE_TXT, {}, 1, 0, 2);
  const Bytes any = query("multi." + kZone, LDNS_RR_TYPE_ANY, {}, 1, 0, 3);
  const Bytes ecsQuery = withEdns("shop." + kZone, LDNS_RR_TYPE_A, 512, ecs(1, 24, 0, ireland));
  const Bytes response = query(kZone, LDNS_RR_TYPE_SOA, {}, 1, 0x8000, 4);
  t.add("one", frame(a));
  t.add("pipelined-three", cat({frame(a), frame(big), frame(any)}));
  t.add("ecs", frame(ecsQuery));
  t.add("axfr", frame(query(kZone, LDNS_RR_TYPE_AXFR)));
  t.add("empty-frame-closes", cat({frame(a), Bytes{0, 0}, frame(big)}));
  const Bytes bigFrame = frame(big);
  t.add("incomplete-tail", cat({frame(a), Bytes(bigFrame.begin(), bigFrame.begin() + 20)}));
  t.add("length-only", Bytes{0, 40});
  t.add("one-octet", Bytes{0});
  t.add("response-between", cat({frame(a), frame(response), frame(any)}));
  t.add("runt-between", cat({frame(a), frame(Bytes(a.begin(), a.begin() + 5)), frame(any)}));
  t.add("formerr-between", cat({frame(a), frame(Bytes(a.begin(), a.begin() + 12)), frame(any)}));
  t.add("length-65535-short", cat({Bytes{0xff, 0xff}, a}));
  t.add("length-longer-than-message",
        cat({Bytes{0, static_cast<uint8_t>(a.size() + 4)}, a, Bytes{0xde, 0xad, 0xbe, 0xef}}));
  std::printf("%d query seeds, %d tcp seeds in %s\n", q.count(), t.count(), root.c_str());
  return 0;
}
