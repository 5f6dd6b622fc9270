// The request parser: what it accepts, and the status of every class of bad request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/request_parser.h"
#include "http/router.h"

namespace tmdns::http {
namespace {

using Status = ParseResult::Status;

TEST(RequestParser, ParsesAGetRequest) {
  const std::string text =
      "GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9153\r\nAccept:  text/plain \r\n"
      "User-Agent: t\r\n\r\n";
  const ParseResult r = parseRequest(text);
  ASSERT_EQ(r.status, Status::kComplete) << r.errorReason;
  EXPECT_EQ(r.consumed, text.size());
  EXPECT_EQ(r.request.method, "GET");
  EXPECT_EQ(r.request.target, "/metrics?x=1");
  EXPECT_EQ(r.request.path, "/metrics");
  EXPECT_EQ(r.request.query, "x=1");
  EXPECT_EQ(r.request.versionMinor, 1);
  ASSERT_NE(r.request.header("accept"), nullptr);
  EXPECT_EQ(*r.request.header("ACCEPT"), "text/plain");
  EXPECT_EQ(r.request.header("Cookie"), nullptr);
}

TEST(RequestParser, AcceptsTheOtherLegalForms) {
  struct Case {
    std::string text;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.0\r\n\r\n", "/"},                             // HTTP/1.0 needs no Host
      {"\r\nGET /status HTTP/1.1\r\nHost: h\r\n\r\n", "/status"},  // a leading empty line
      {"GET http://h:9153/readyz HTTP/1.1\r\nHost: h\r\n\r\n", "/readyz"},  // absolute-form
      {"GET http://h HTTP/1.1\r\nHost: h\r\n\r\n", "/"},
      {"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "*"},
      {"POST /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", "/metrics"},
      {"GET / HTTP/1.2\r\nHost: h\r\n\r\n", "/"},  // a later 1.x minor is served as 1.1
  };
  for (const Case& c : cases) {
    const ParseResult r = parseRequest(c.text);
    ASSERT_EQ(r.status, Status::kComplete) << c.text << ": " << r.errorReason;
    EXPECT_EQ(r.request.path, c.path) << c.text;
    EXPECT_EQ(r.consumed, c.text.size()) << c.text;
  }
}

// The server re-parses what has arrived so far, so a request must get the same verdict however
// it is split into segments (both cases found by fuzz/http_fuzzer).
TEST(RequestParser, GivesTheSameVerdictHoweverTheRequestIsSplit) {
  // Bare CRs followed by a CR: rejected whether or not a final CR has arrived.
  EXPECT_EQ(parseRequest("GET /\r\r").status, Status::kError);
  EXPECT_EQ(parseRequest("GET /\r\r HTTP/1.1\r").status, Status::kError);
  // A request line of exactly the limit, its CR arrived and its LF not yet: still incomplete.
  const std::string line =
      "GET /" + std::string(ParserLimits{}.maxRequestLine - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(line.size(), ParserLimits{}.maxRequestLine);
  const std::string request = line + "\r\nHost: h\r\n\r\n";
  ASSERT_EQ(parseRequest(request).status, Status::kComplete);
  for (size_t cut = 0; cut < request.size(); ++cut) {
    EXPECT_EQ(parseRequest(request.substr(0, cut)).status, Status::kIncomplete) << cut;
  }
}

TEST(RequestParser, WaitsForTheRestOfARequest) {
  for (const std::string text :
       {"", "GE", "GET /metrics HTTP/1.1", "GET /metrics HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: h",
        "GET / HTTP/1.1\r\nHost: h\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab"}) {
    EXPECT_EQ(parseRequest(text).status, Status::kIncomplete) << text;
  }
}

TEST(RequestParser, RejectsEveryClassOfBadRequest) {
  struct Case {
    std::string text;
    int status;
  };
  const std::string longTarget(5000, 'a');
  const std::string bigHeader = "X-Big: " + std::string(9000, 'b') + "\r\n";
  std::string manyHeaders;
  for (int i = 0; i < 70; ++i) {
    manyHeaders += "X-" + std::to_string(i) + ": v\r\n";
  }
  const std::vector<Case> cases = {
      // Malformed request lines: 400.
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400},
      {"GET / http/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET metrics HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET / HTTP/1.1\nHost: h\n\n", 400},              // bare LF
      {"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400},  // bare CR
      {"GET /\r HTTP/1.1", 400},
      // Malformed header fields: 400.
      {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},  // whitespace before the colon
      {"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", 400},
      {std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a") + '\0' + "z\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n: v\r\nHost: h\r\n\r\n", 400},
      // Host: exactly one in HTTP/1.1.
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      // Framing.
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n", 413},
      // Versions.
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505},
      // Sizes: before and after the line or the head is complete.
      {"GET /" + longTarget + " HTTP/1.1\r\nHost: h\r\n\r\n", 414},
      {"GET /" + longTarget, 414},
      {std::string(5000, 'G'), 400},
      {"GET / HTTP/1.1\r\nHost: h\r\n" + bigHeader + "\r\n", 431},
      {"GET / HTTP/1.1\r\nHost: h\r\n" + bigHeader, 431},
      {"GET / HTTP/1.1\r\nHost: h\r\n" + manyHeaders + "\r\n", 431},
  };
  for (const Case& c : cases) {
    const ParseResult r = parseRequest(c.text);
    ASSERT_EQ(r.status, Status::kError) << c.text.substr(0, 80);
    EXPECT_EQ(r.errorStatus, c.status) << c.text.substr(0, 80) << ": " << r.errorReason;
    EXPECT_FALSE(r.errorReason.empty());
  }
}

TEST(Router, AnswersWhatNoHandlerTakes) {
  Router router;
  router.get("/metrics", [](const Request&) { return textResponse(200, "m"); });
  auto route = [&](const std::string& method, const std::string& path) {
    Request request;
    request.method = method;
    request.path = path;
    return router.route(request);
  };
  EXPECT_EQ(route("GET", "/metrics").status, 200);
  EXPECT_EQ(route("GET", "/metrics").body, "m\n");
  EXPECT_EQ(route("HEAD", "/metrics").status, 200);
  EXPECT_EQ(route("GET", "/metrics/").status, 404);
  EXPECT_EQ(route("GET", "/").status, 404);
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT"}) {
    const Response r = route(method, "/metrics");
    EXPECT_EQ(r.status, 405) << method;
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "Allow");
    EXPECT_EQ(r.headers[0].second, "GET, HEAD");
  }
  EXPECT_EQ(route("get", "/metrics").status, 501);  // methods are case-sensitive
  EXPECT_EQ(route("BREW", "/metrics").status, 501);
}

TEST(Message, SerializesWithFramingAndHeadWithoutBody) {
  Response response = textResponse(405, "no");
  response.headers.emplace_back("Allow", "GET, HEAD");
  const std::string date = imfFixdate(784111777);
  EXPECT_EQ(date, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(serialize(response, false, date),
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\nAllow: GET, HEAD\r\n\r\nno\n");
  const std::string head = serialize(textResponse(200, "body"), true, date);
  EXPECT_NE(head.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace tmdns::http
