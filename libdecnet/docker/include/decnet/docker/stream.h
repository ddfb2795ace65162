// Decoders for the Docker Engine API responses (the log follower's and any other client's) (no I/O,
// unit-tested): an incremental HTTP/1.1 response reader (chunked, Content-Length or until EOF) and
// the demultiplexer of Docker's log stream (8-byte frame headers on non-TTY containers).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "decnet/core/result.h"

namespace decnet::docker {

class HttpResponseReader {
 public:
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;

  // Feeds received bytes; decoded body bytes are appended to *body. Errors (kInvalidArgument) on a
  // bad status line, headers over kMaxHeaderBytes, or a bad chunk size.
  Status Feed(std::string_view data, std::string* body);

  bool headers_done() const { return headers_done_; }
  int status() const { return status_; }
  const std::string& content_type() const { return content_type_; }
  // True once a chunked or Content-Length body is complete.
  bool done() const { return done_; }

 private:
  Status ParseHeaders();
  enum class Body { kUntilEof, kLength, kChunked };
  std::string head_;
  bool headers_done_ = false, done_ = false;
  int status_ = 0;
  std::string content_type_;
  Body body_ = Body::kUntilEof;
  uint64_t left_ = 0;  // bytes left in the body (kLength) or in the chunk (kChunked)
  enum class Chunk { kSize, kData, kDataCrlf, kTrailer } chunk_ = Chunk::kSize;
  std::string size_line_;
};

// Docker's multiplexed stream: frames of {stream(1 byte: 0 stdin, 1 stdout, 2 stderr), 0, 0, 0,
// size (u32 big-endian)} + payload. Payloads of stdout and stderr are appended to *out in order.
// Whether a /containers/{id}/logs body is multiplexed. Engines from API 1.42 say so in the
// Content-Type (application/vnd.docker.multiplexed-stream); older ones (Debian 12's 20.10, API
// 1.41) answer application/vnd.docker.raw-stream for both kinds, so the first bytes decide: a frame
// header is {0|1|2, 0, 0, 0, size}, which no text log line starts with. kUnknown until 4 bytes.
enum class LogFraming { kUnknown, kRaw, kMultiplexed };
LogFraming SniffLogFraming(std::string_view content_type, std::string_view first_bytes);

class DockerMuxDecoder {
 public:
  void Feed(std::string_view data, std::string* out);
  uint64_t frames() const { return frames_; }

 private:
  unsigned char header_[8];
  size_t have_ = 0;    // header bytes collected
  uint64_t left_ = 0;  // payload bytes left in the current frame
  uint64_t frames_ = 0;
};

}  // namespace decnet::docker
