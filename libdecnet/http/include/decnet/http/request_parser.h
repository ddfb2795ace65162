// Incremental HTTP/1.1 request parser with bounds, over Debian's http_parser 2.9.
//
// Feed bytes as they arrive; when state() is kComplete, take request(), then Reset() and feed the bytes
// Feed() did not consume (pipelining). Every bound breach is an error with the status to answer
// (400 malformed, 413 body too large, 414 URL too long, 431 headers too large, 501 not implemented).
// After an error the connection must be closed: the byte stream can no longer be trusted.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "decnet/http/request.h"

namespace decnet::http {

struct ParserLimits {
  size_t max_url_bytes = 4096;
  size_t max_header_bytes = 16 * 1024;  // request line + all header names and values
  size_t max_headers = 64;
  size_t max_body_bytes = 64 * 1024;
  // Body bytes kept in Request::body; the rest (up to max_body_bytes) is counted in body_bytes and
  // dropped, so a large accepted body costs no memory (the decky's http service).
  size_t max_body_kept_bytes = SIZE_MAX;
  // Header names as sent instead of lower-cased (logging and fingerprints need the client's case).
  bool keep_header_case = false;
  // Parse an Upgrade request as an ordinary one (a static web server ignores Upgrade) instead of 501.
  bool ignore_upgrade = false;
};

class RequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit RequestParser(ParserLimits limits = {});
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Consumes bytes up to the end of one request. Returns how many were consumed.
  // REQUIRES: state() == kNeedMore.
  size_t Feed(const char* data, size_t len);
  State state() const { return state_; }
  // True once any byte of the current request has been seen (for timeouts: idle vs mid-request).
  bool started() const { return started_; }
  // REQUIRES: state() == kComplete.
  Request& request() { return req_; }
  // Status to answer and a short reason, when state() == kError.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // Ready for the next request on the same connection.
  void Reset();

 private:
  friend struct ParserCallbacks;
  int Fail(int status, std::string message);
  http_parser parser_;
  ParserLimits limits_;
  State state_ = State::kNeedMore;
  Request req_;
  std::string field_, value_;
  bool in_value_ = false;
  bool started_ = false;
  size_t header_bytes_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace decnet::http
