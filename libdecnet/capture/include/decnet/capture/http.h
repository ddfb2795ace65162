// HTTP/1.x request heads: method, target, Host, User-Agent, and JA4H (FoxIO License 1.1: computed only
// when AnalyzerOptions::foxio_licensed is set).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

struct HttpRequest {
  std::string method, target, version;  // version "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
};

// True when `stream` can be the start of an HTTP request (a known method and a space, or a prefix of one).
bool LooksLikeHttpRequest(Bytes stream);

// Parses the request head when "\r\n\r\n" (or "\n\n") is present within `stream`. Returns 0 when more
// bytes are needed, SIZE_MAX when malformed, else the head's length.
size_t ParseHttpRequest(Bytes stream, HttpRequest& out);

struct Ja4h {
  std::string ja4h, ja4h_ro;
};
Ja4h ComputeJa4h(const HttpRequest& req);

}  // namespace decnet::capture
