// Self-tests of the e2e harness (processes, log waiting, dig/kdig parsing) on stand-in programs.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/e2e/dig.h"
#include "tests/e2e/dns_client.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/process.h"

namespace tmdns::e2e {
namespace {

const std::string kSha(64, 'a');

// A stand-in "server": prints the documented start-up lines, exits 0 on SIGTERM.
std::string fakeServer(const TempDir& dir) {
  const std::string path = dir.write("fake-tmdns.sh",
                                     "#!/bin/sh\n"
                                     "trap 'echo \"tmdns: bye\" >&2; exit 0' TERM\n"
                                     "echo \"tmdns: loading $2\" >&2\n"
                                     "echo 'tmdns: listening on 127.0.0.1:40123 (udp, tcp)' >&2\n"
                                     "echo 'tmdns: listening on [::1]:40124 (udp, tcp)' >&2\n"
                                     "echo 'tmdns: serving generation 1 (config sha256 " +
                                         kSha +
                                         ")' >&2\n"
                                         "while :; do sleep 0.05; done\n");
  chmod(path.c_str(), 0755);
  return path;
}

TEST(Harness, ServerStartParsesListenersAndGeneration) {
  Server s;
  s.writeConfig("listen: [\"127.0.0.1:0\"]\n");
  s.setBinary(fakeServer(s.dir()));
  ASSERT_TRUE(s.start(5s));
  ASSERT_EQ(s.listeners().size(), 2u);
  EXPECT_EQ(s.v4().host, "127.0.0.1");
  EXPECT_EQ(s.v4().port, 40123);
  EXPECT_EQ(s.v6().host, "::1");
  EXPECT_EQ(s.v6().port, 40124);
  EXPECT_EQ(s.v6().hostPort(), "[::1]:40124");
  EXPECT_EQ(s.generation(), 1u);
  EXPECT_EQ(s.configSha(), kSha);
  auto loading = s.process().waitForStderr(std::regex("^tmdns: loading (.*)$"), 1s);
  ASSERT_TRUE(loading);
  EXPECT_EQ((*loading)[1], s.configPath());

  ASSERT_TRUE(s.process().signal(SIGTERM));
  auto status = s.process().waitExit(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exitedWith(0)) << status->describe();
  EXPECT_TRUE(s.process().waitForStderr(std::regex("^tmdns: bye$"), 2s));
}

TEST(Harness, StartFailsWithTheLogWhenServingNeverComes) {
  Server s;
  s.writeConfig("x: 1\n");
  const std::string script =
      s.dir().write("fails.sh", "#!/bin/sh\necho 'tmdns: fatal: nope' >&2\nexit 1\n");
  chmod(script.c_str(), 0755);
  s.setBinary(script);
  auto started = s.start(5s);
  EXPECT_FALSE(started);
  EXPECT_NE(std::string(started.message()).find("tmdns: fatal: nope"), std::string::npos)
      << started.message();
  EXPECT_NE(std::string(started.message()).find("exit code 1"), std::string::npos)
      << started.message();
}

TEST(Harness, WaitForStderrTimesOutWhileTheChildRuns) {
  Process p;
  std::string error;
  ASSERT_TRUE(p.start(
      {"/bin/sh", "-c", "echo 'tmdns: listening on 127.0.0.1:1 (udp, tcp)' >&2; sleep 5"}, error))
      << error;
  auto m = p.waitForStderr(std::regex(kListeningPattern), 5s);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)[1], "127.0.0.1:1");
  const auto before = Clock::now();
  EXPECT_FALSE(p.waitForStderr(std::regex("never printed"), 300ms));
  EXPECT_GE(Clock::now() - before, 300ms);
  EXPECT_TRUE(p.running());
  p.kill();
  EXPECT_FALSE(p.running());
  auto status = p.waitExit(0s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal.value_or(0), SIGKILL);
}

TEST(Harness, RunCommandCapturesOutputAndExitCode) {
  CommandResult r = runCommand({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_FALSE(r.timedOut);
  EXPECT_EQ(r.code(), 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(Harness, RunCommandKillsOnTimeout) {
  const auto before = Clock::now();
  CommandResult r = runCommand({"/bin/sh", "-c", "sleep 30"}, 300ms);
  EXPECT_TRUE(r.timedOut);
  EXPECT_LT(Clock::now() - before, 10s);
  EXPECT_EQ(r.code(), -1);
}

TEST(Harness, RunCommandReportsAMissingProgram) {
  CommandResult r = runCommand({"/nonexistent/tmdns-e2e-no-such-program"});
  EXPECT_FALSE(r.startError.empty());
}

TEST(Harness, RrParseNormalisesWhitespaceAndOwnerCase) {
  auto rr = Rr::parse("WWW.Tm.Example.Test.\t\t300\tIN\tTXT\t\"hello world\"");
  ASSERT_TRUE(rr);
  EXPECT_EQ(*rr, Rr::of("www.tm.example.test. 300 IN TXT \"hello world\""));
  EXPECT_FALSE(Rr::parse(";; ANSWER SECTION:"));
  EXPECT_FALSE(Rr::parse("x.test. abc IN A 192.0.2.1"));
}

TEST(Harness, ParsesDigOutputWithTcpRetry) {
  const std::string out =
      ";; Truncated, retrying in TCP mode.\n"
      ";; Got answer:\n"
      ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 42124\n"
      ";; flags: qr aa; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 1\n"
      "\n"
      ";; OPT PSEUDOSECTION:\n"
      "; EDNS: version: 0, flags:; udp: 1232\n"
      ";; ANSWER SECTION:\n"
      "x.test.\t\t\t300\tIN\tCNAME\ty.test.\n"
      "\n"
      ";; AUTHORITY SECTION:\n"
      "test.\t\t\t30\tIN\tSOA\tns1.test. h.test. 1 2 3 4 30\n"
      "\n"
      ";; Query time: 0 msec\n"
      ";; SERVER: 127.0.0.1#35353(127.0.0.1) (TCP)\n"
      ";; MSG SIZE  rcvd: 1424\n";
  DigResult r = parseDigOutput(out);
  EXPECT_TRUE(r.retriedTcp);
  EXPECT_TRUE(r.gotHeader);
  EXPECT_EQ(r.status, "NXDOMAIN");
  EXPECT_EQ(r.flags, (std::set<std::string>{"qr", "aa"}));
  EXPECT_EQ(r.ancount, 1);
  EXPECT_EQ(r.nscount, 1);
  EXPECT_EQ(r.arcount, 1);
  EXPECT_TRUE(r.hasEdns);
  EXPECT_EQ(r.ednsUdp, 1232);
  EXPECT_EQ(r.ednsVersion, 0);
  EXPECT_EQ(r.answer, std::vector<Rr>{Rr::of("x.test. 300 IN CNAME y.test.")});
  EXPECT_EQ(r.authority, std::vector<Rr>{Rr::of("test. 30 IN SOA ns1.test. h.test. 1 2 3 4 30")});
  EXPECT_TRUE(r.additional.empty());
  EXPECT_EQ(r.transport, "TCP");
  EXPECT_EQ(r.messageSize, 1424);
}

TEST(Harness, ParsesKdigOutput) {
  const std::string out =
      ";; ->>HEADER<<- opcode: QUERY; status: NOERROR; id: 54604\n"
      ";; Flags: qr aa tc; QUERY: 1; ANSWER: 0; AUTHORITY: 0; ADDITIONAL: 1\n"
      "\n"
      ";; EDNS PSEUDOSECTION:\n"
      ";; Version: 0; flags: ; UDP size: 1232 B; ext-rcode: NOERROR\n"
      "\n"
      ";; QUESTION SECTION:\n"
      ";; x.test.             \t\tIN\tTXT\n"
      "\n"
      ";; Received 35 B\n"
      ";; From 127.0.0.1@35353(UDP) in 0.7 ms\n";
  DigResult r = parseDigOutput(out);
  EXPECT_EQ(r.status, "NOERROR");
  EXPECT_EQ(r.flags, (std::set<std::string>{"qr", "aa", "tc"}));
  EXPECT_EQ(r.qdcount, 1);
  EXPECT_EQ(r.ancount, 0);
  EXPECT_TRUE(r.hasEdns);
  EXPECT_EQ(r.ednsUdp, 1232);
  EXPECT_TRUE(r.answer.empty());
  EXPECT_EQ(r.transport, "UDP");
  EXPECT_EQ(r.messageSize, 35);
}

TEST(Harness, BuildsQueriesWithLdns) {
  QueryOptions o;
  o.id = 0xBEEF;
  o.edns = true;
  o.udpSize = 4096;
  o.ednsVersion = 1;
  o.ednsOptions = ecsOptionV4("198.51.100.7", 24);
  const Bytes q = buildQuery("WwW.Example.Test.", LDNS_RR_TYPE_AAAA, o);
  ASSERT_GE(q.size(), 12u);
  EXPECT_EQ(q[0], 0xBE);
  EXPECT_EQ(q[1], 0xEF);
  EXPECT_EQ(q[2] & 0x01, 0);  // RD clear
  EXPECT_EQ(q[11], 1);        // ARCOUNT = 1 (OPT)
  EXPECT_EQ(std::string(q.begin() + 13, q.begin() + 16), "WwW");
  // Decoding our own query exercises the wire walker and the OPT fields.
  std::string error;
  auto m = decode(q, error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(m->qname, "WwW.Example.Test.");
  EXPECT_EQ(m->qtype, LDNS_RR_TYPE_AAAA);
  EXPECT_TRUE(m->hasOpt);
  EXPECT_EQ(m->optUdpSize, 4096);
  EXPECT_EQ(m->optVersion, 1);
  EXPECT_EQ(m->optData, ecsOptionV4("198.51.100.7", 24));
}

}  // namespace
}  // namespace tmdns::e2e
