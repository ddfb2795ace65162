// One parsed HTTP/1.1 request and the response a handler builds for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query, still percent-encoded
  std::string path;    // percent-decoded path (no query)
  std::string query;   // raw query string after '?', percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased (see ParserLimits)
  std::string body;    // de-chunked (at most ParserLimits::max_body_kept_bytes)
  uint64_t body_bytes = 0;  // every body byte received, kept or not
  unsigned short http_major = 1, http_minor = 1;
  bool keep_alive = true;
  std::string peer_ip;  // filled by the server

  // First header with this lower-case name, or empty.
  std::string_view Header(std::string_view lower_name) const;
  // Value of the first query parameter `name`, percent-decoded ('+' is a space); nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // When true the server answers with text/event-stream headers and keeps the connection as a
  // Server-Sent Events stream (see Server::SseBroadcast); body is sent as the first chunk.
  bool sse = false;
  std::string sse_tag;           // for Server::CloseSseStreams (the API: the user's uuid)
  uint64_t sse_lifetime_ms = 0;  // the stream is closed this long after it opened; 0: never

  static Response Json(int status, std::string body);
  // {"error": message} with the given status.
  static Response Error(int status, std::string_view message);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

// Reason phrase for a status code ("OK", "Not Found", ...).
const char* StatusReason(int status);

}  // namespace decnet::http
