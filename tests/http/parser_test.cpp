#include <gtest/gtest.h>

#include <string>

#include "decnet/http/request_parser.h"
#include "decnet/http/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace decnet::http {
namespace {

using State = RequestParser::State;

// Feeds everything; returns the parser state after the first complete request or error.
State FeedAll(RequestParser& p, const std::string& s, size_t* consumed = nullptr) {
  size_t n = p.Feed(s.data(), s.size());
  if (consumed) *consumed = n;
  return p.state();
}

TEST(HttpParser, SimpleGetWithQueryAndHeaders) {
  RequestParser p;
  ASSERT_EQ(FeedAll(p, "GET /api/v1/logs?limit=5&q=a%20b+c HTTP/1.1\r\nHost: x\r\nX-Thing: Y\r\n\r\n"),
            State::kComplete);
  Request& r = p.request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/api/v1/logs");
  EXPECT_EQ(r.Query("limit").value(), "5");
  EXPECT_EQ(r.Query("q").value(), "a b c");
  EXPECT_FALSE(r.Query("nope").has_value());
  EXPECT_EQ(r.Header("x-thing"), "Y");
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpParser, ByteByByteAndPipelining) {
  std::string two = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.0\r\n\r\n";
  RequestParser p;
  size_t i = 0;
  while (p.state() == State::kNeedMore && i < two.size()) i += p.Feed(two.data() + i, 1);
  ASSERT_EQ(p.state(), State::kComplete);
  EXPECT_EQ(p.request().body, "abc");
  p.Reset();
  size_t n = p.Feed(two.data() + i, two.size() - i);
  EXPECT_EQ(i + n, two.size());
  ASSERT_EQ(p.state(), State::kComplete);
  EXPECT_EQ(p.request().path, "/b");
  EXPECT_FALSE(p.request().keep_alive);  // HTTP/1.0 without keep-alive
}

TEST(HttpParser, ChunkedBodyIsDecoded) {
  RequestParser p;
  ASSERT_EQ(FeedAll(p, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
            State::kComplete);
  EXPECT_EQ(p.request().body, "abcde");
}

TEST(HttpParser, InvalidChunkingIs400) {
  for (const char* bad : {"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                          "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX\r\n",
                          "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"}) {
    RequestParser p;
    EXPECT_EQ(FeedAll(p, bad), State::kError) << bad;
    EXPECT_EQ(p.error_status(), 400) << bad;
  }
}

TEST(HttpParser, ChunkedBodyOverLimitIs413) {
  ParserLimits l;
  l.max_body_bytes = 4;
  RequestParser p(l);
  EXPECT_EQ(FeedAll(p, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n"),
            State::kError);
  EXPECT_EQ(p.error_status(), 413);
}

TEST(HttpParser, ContentLengthOverLimitIs413BeforeBody) {
  ParserLimits l;
  l.max_body_bytes = 10;
  RequestParser p(l);
  EXPECT_EQ(FeedAll(p, "POST /x HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n"), State::kError);
  EXPECT_EQ(p.error_status(), 413);
}

TEST(HttpParser, OversizedHeadersAre431) {
  ParserLimits l;
  l.max_header_bytes = 1024;
  RequestParser p(l);
  std::string req = "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(FeedAll(p, req), State::kError);
  EXPECT_EQ(p.error_status(), 431);
}

TEST(HttpParser, TooManyHeadersAre431) {
  RequestParser p;
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) req += "H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(FeedAll(p, req + "\r\n"), State::kError);
  EXPECT_EQ(p.error_status(), 431);
}

TEST(HttpParser, LongUrlIs414) {
  RequestParser p;
  EXPECT_EQ(FeedAll(p, "GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n"), State::kError);
  EXPECT_EQ(p.error_status(), 414);
}

TEST(HttpParser, GarbageAndBadPathsAre400) {
  for (const char* bad : {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "GET\r\n\r\n", "GET x HTTP/1.1\r\n\r\n",
                          "GET /%zz HTTP/1.1\r\n\r\n", "GET /a%00b HTTP/1.1\r\n\r\n",
                          "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
    RequestParser p;
    EXPECT_EQ(FeedAll(p, bad), State::kError) << bad;
    EXPECT_GE(p.error_status(), 400) << bad;
  }
}

TEST(HttpParser, UpgradeIsRefused) {
  RequestParser p;
  EXPECT_EQ(FeedAll(p, "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"), State::kError);
  EXPECT_EQ(p.error_status(), 501);
}

TEST(HttpUrl, PercentDecoding) {
  EXPECT_EQ(PercentDecode("a%2Fb", false).value(), "a/b");
  EXPECT_EQ(PercentDecode("a+b", true).value(), "a b");
  EXPECT_EQ(PercentDecode("a+b", false).value(), "a+b");
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%4", false));
  EXPECT_FALSE(PercentDecode("%00", false));
  EXPECT_EQ(QueryParam("a=1&b=&c", "b").value(), "");
  EXPECT_EQ(QueryParam("a=1&b=&c", "c").value(), "");
  EXPECT_EQ(PercentEncode("a b/é"), "a%20b%2F%C3%A9");
}

TEST(HttpParser, FuzzEntrySurvivesHostileInputs) {
  std::vector<std::string> inputs = {
      "", "\0", std::string(10000, 'A'), "GET / HTTP/1.1\r\n" + std::string(5000, 'X') + ":y\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(100, 'f') + "\r\n",
      "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET /%%% HTTP/1.1\r\n\r\n",
      "GET /?a=%ff%fe%00 HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n", "CONNECT a:443 HTTP/1.1\r\n\r\n"};
  for (auto& s : inputs) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
}

}  // namespace
}  // namespace decnet::http
