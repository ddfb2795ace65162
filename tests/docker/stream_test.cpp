// The collector's Docker Engine API decoders: HTTP/1.1 responses (chunked, Content-Length) and the
// multiplexed log stream, fed at every split point.
#include "decnet/docker/stream.h"

#include <gtest/gtest.h>

#include <string>

namespace decnet::docker {
namespace {

std::string Mux(char stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = stream;
  const uint32_t n = static_cast<uint32_t>(payload.size());
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + payload;
}

TEST(SyslogCollectorDocker, ChunkedMultiplexedLogsAtEverySplit) {
  const std::string payload = Mux(1, "<14>1 - d s - e - one\n<14>1 - d s - e - tw") +
                              Mux(2, "o\n") + Mux(0, "stdin is ignored") + Mux(1, "three\n");
  // Two chunks, the second with an extension, then the last-chunk and trailer.
  const size_t half = payload.size() / 2;
  char hex[32];
  std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  snprintf(hex, sizeof(hex), "%zx", half);
  resp += std::string(hex) + "\r\n" + payload.substr(0, half) + "\r\n";
  snprintf(hex, sizeof(hex), "%zX", payload.size() - half);
  resp += std::string(hex) + ";ext=1\r\n" + payload.substr(half) + "\r\n0\r\n\r\n";
  for (size_t step = 1; step <= resp.size(); step += (step < 40 ? 1 : 37)) {
    HttpResponseReader r;
    DockerMuxDecoder mux;
    std::string body, text;
    for (size_t i = 0; i < resp.size(); i += step) {
      body.clear();
      ASSERT_TRUE(r.Feed(std::string_view(resp).substr(i, step), &body)) << step;
      mux.Feed(body, &text);
    }
    EXPECT_EQ(r.status(), 200);
    EXPECT_NE(r.content_type().find("multiplexed"), std::string::npos);
    EXPECT_TRUE(r.done());
    EXPECT_EQ(text, "<14>1 - d s - e - one\n<14>1 - d s - e - two\nthree\n") << step;
    EXPECT_EQ(mux.frames(), 4u);
  }
}

// Debian 12's engine (API 1.41) labels a multiplexed body raw-stream: the first bytes decide.
TEST(SyslogCollectorDocker, LogFramingFromContentTypeOrFirstBytes) {
  using std::string_literals::operator""s;
  EXPECT_EQ(SniffLogFraming("application/vnd.docker.multiplexed-stream", ""),
            LogFraming::kMultiplexed);
  EXPECT_EQ(SniffLogFraming("application/vnd.docker.raw-stream", "\x01\0"s), LogFraming::kUnknown);
  EXPECT_EQ(SniffLogFraming("application/vnd.docker.raw-stream", Mux(1, "<134>1 x")),
            LogFraming::kMultiplexed);
  EXPECT_EQ(SniffLogFraming("application/vnd.docker.raw-stream", Mux(2, "err")),
            LogFraming::kMultiplexed);
  EXPECT_EQ(SniffLogFraming("application/vnd.docker.raw-stream", "<134>1 2026"), LogFraming::kRaw);
}

TEST(SyslogCollectorDocker, ContentLengthAndErrors) {
  HttpResponseReader r;
  std::string body;
  ASSERT_TRUE(r.Feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[1,2]extra", &body));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(body, "[1,2]");
  HttpResponseReader bad;
  EXPECT_FALSE(bad.Feed("SSH-2.0-OpenSSH\r\n\r\n", &body));
  HttpResponseReader huge;
  Status st = Ok();
  for (int i = 0; i < 100 && st; ++i) st = huge.Feed(std::string(1024, 'a'), &body);
  EXPECT_FALSE(st);
  HttpResponseReader chunk;
  EXPECT_FALSE(chunk.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &body));
  HttpResponseReader status;
  ASSERT_TRUE(status.Feed("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", &body));
  EXPECT_EQ(status.status(), 404);
}

}  // namespace
}  // namespace decnet::docker
