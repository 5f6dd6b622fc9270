// Shared expectations for e2e tests: the standard zone's constants and whole-response matchers.
#include "tests/e2e/expect.h"

#include <algorithm>
#include <sstream>

namespace tmdns::e2e {

namespace {

std::string show(const std::vector<Rr>& rrs) {
  std::ostringstream os;
  if (rrs.empty()) {
    return "  (none)\n";
  }
  for (const auto& rr : rrs) {
    os << "  " << rr << "\n";
  }
  return os.str();
}

std::string show(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) {
    out += (out.empty() ? "" : " ") + x;
  }
  return out;
}

::testing::AssertionResult sectionMatches(const char* name, const std::vector<Rr>& actual,
                                          const std::vector<Rr>& expected) {
  auto r = sameRecords(actual, expected);
  if (!r) {
    return ::testing::AssertionFailure() << name << " section differs: " << r.message();
  }
  return r;
}

}  // namespace

std::string inZone(const std::string& relative) {
  return relative + "." + kZone;
}

::testing::AssertionResult sameRecords(const std::vector<Rr>& actual,
                                       const std::vector<Rr>& expected) {
  auto group = [&](const Rr& rr) -> size_t {
    for (size_t i = 0; i < expected.size(); ++i) {
      if (expected[i].name == rr.name && expected[i].type == rr.type) {
        return i;
      }
    }
    return expected.size();
  };
  bool ok = sorted(actual) == sorted(expected);
  bool ordered = true;
  for (size_t i = 1; ok && i < actual.size(); ++i) {
    if (group(actual[i]) < group(actual[i - 1])) {
      ordered = false;
    }
  }
  if (ok && ordered) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << (ok ? "RRsets out of order" : "records differ") << "\nexpected:\n"
         << show(expected) << "actual:\n"
         << show(actual);
}

::testing::AssertionResult digMatches(const DigResult& r, const std::string& status,
                                      const std::vector<Rr>& answer,
                                      const std::vector<Rr>& authority,
                                      const std::vector<Rr>& additional,
                                      const std::set<std::string>& flags) {
  auto fail = [&]() { return ::testing::AssertionFailure(); };
  if (!r.command.startError.empty()) {
    return fail() << r.command.startError;
  }
  if (r.command.code() != 0 || !r.gotHeader) {
    return fail() << "no answer parsed\n" << r.describe();
  }
  if (r.status != status) {
    return fail() << "status " << r.status << ", expected " << status << "\n" << r.describe();
  }
  if (r.flags != flags) {
    return fail() << "flags '" << show(r.flags) << "', expected '" << show(flags) << "'\n"
                  << r.describe();
  }
  const int opt = r.hasEdns ? 1 : 0;
  if (r.ancount != static_cast<int>(r.answer.size()) ||
      r.nscount != static_cast<int>(r.authority.size()) ||
      r.arcount != static_cast<int>(r.additional.size()) + opt) {
    return fail() << "printed counts do not match the printed sections\n" << r.describe();
  }
  for (auto res : {sectionMatches("answer", r.answer, answer),
                   sectionMatches("authority", r.authority, authority),
                   sectionMatches("additional", r.additional, additional)}) {
    if (!res) {
      return fail() << res.message() << "\n" << r.describe();
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult messageMatches(const Message& m, int rcode,
                                          const std::vector<Rr>& answer,
                                          const std::vector<Rr>& authority,
                                          const std::vector<Rr>& additional, bool aa) {
  auto fail = [&]() {
    return ::testing::AssertionFailure()
           << "[id " << m.id << " qr " << m.qr << " aa " << m.aa << " tc " << m.tc << " rd " << m.rd
           << " ra " << m.ra << " opcode " << m.opcode << " rcode " << m.rcode << " counts "
           << m.qdcount << "/" << m.ancount << "/" << m.nscount << "/" << m.arcount << "] ";
  };
  if (!m.qr) {
    return fail() << "QR clear";
  }
  if (m.aa != aa) {
    return fail() << "AA is " << m.aa << ", expected " << aa;
  }
  if (m.ra) {
    return fail() << "RA set (an authoritative-only server never offers recursion)";
  }
  if (m.tc) {
    return fail() << "TC set";
  }
  if (m.z) {
    return fail() << "Z bit set";
  }
  if (m.opcode != 0) {
    return fail() << "opcode " << m.opcode;
  }
  if (m.rcode != rcode) {
    return fail() << "rcode " << m.rcode << ", expected " << rcode;
  }
  if (m.qdcount != 1) {
    return fail() << "QDCOUNT " << m.qdcount;
  }
  if (m.ancount != m.answer.size() || m.nscount != m.authority.size() ||
      m.arcount != m.additional.size() + static_cast<size_t>(m.optCount)) {
    return fail() << "header counts do not match the sections";
  }
  if (m.optCount > 1) {
    return fail() << m.optCount << " OPT records";
  }
  for (auto res : {sectionMatches("answer", m.answer, answer),
                   sectionMatches("authority", m.authority, authority),
                   sectionMatches("additional", m.additional, additional)}) {
    if (!res) {
      return fail() << res.message();
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tmdns::e2e
