// Shared expectations for e2e tests: the standard zone's constants and whole-response matchers.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"

namespace tmdns::e2e {

// tests/data/e2e/standard.yaml
inline const std::string kZone = "tm.example.test.";
inline const std::string kSoaRdata =
    "ns1.tm.example.test. hostmaster.example.test. 2024010101 3600 600 86400 30";
// The apex SOA as answered (TTL 3600) and in negative answers (RFC 2308 §5: min(TTL, MINIMUM)).
inline const Rr kApexSoa = Rr::of(kZone + " 3600 IN SOA " + kSoaRdata);
inline const Rr kNegativeSoa = Rr::of(kZone + " 30 IN SOA " + kSoaRdata);

// "name" -> "name.tm.example.test."
std::string inZone(const std::string& relative);

// Same records, same RRset order: the (owner, type) groups of `actual` appear in the order
// they first appear in `expected` (a CNAME before what it points to), and the records are equal
// as multisets (order inside an RRset is free).
::testing::AssertionResult sameRecords(const std::vector<Rr>& actual,
                                       const std::vector<Rr>& expected);

// A whole dig/kdig answer: the command succeeded, a header was printed, status and flags are
// exactly as given, the printed counts agree with the sections, and every section is as given
// (additional excludes the OPT pseudo-record).
::testing::AssertionResult digMatches(const DigResult& r, const std::string& status,
                                      const std::vector<Rr>& answer,
                                      const std::vector<Rr>& authority,
                                      const std::vector<Rr>& additional = {},
                                      const std::set<std::string>& flags = {"qr", "aa"});

// A whole wire answer: QR, AA as given, RA/TC/Z clear, opcode QUERY, the rcode, one question,
// header counts equal to the sections (ARCOUNT also counts the OPT), every section as given.
::testing::AssertionResult messageMatches(const Message& m, int rcode,
                                          const std::vector<Rr>& answer,
                                          const std::vector<Rr>& authority,
                                          const std::vector<Rr>& additional = {}, bool aa = true);

}  // namespace tmdns::e2e
