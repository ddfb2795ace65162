#include "decnet/capture/http.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "decnet/capture/hash.h"
#include "decnet/core/ja4h.h"

namespace decnet::capture {
namespace {

constexpr size_t kMaxHeaders = 128;
constexpr const char* kMethods[] = {"GET ",     "POST ",  "HEAD ",    "PUT ",  "DELETE ",
                                    "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool LooksLikeHttpRequest(Bytes stream) {
  std::string_view s = AsChars(stream);
  for (const char* m : kMethods) {
    std::string_view mv(m);
    size_t n = std::min(s.size(), mv.size());
    if (n > 0 && s.substr(0, n) == mv.substr(0, n)) return true;
  }
  return false;
}

size_t ParseHttpRequest(Bytes stream, HttpRequest& out) {
  std::string_view s = AsChars(stream);
  size_t end = s.find("\r\n\r\n");
  size_t term = 4;
  if (end == std::string_view::npos) {
    end = s.find("\n\n");
    term = 2;
  }
  if (end == std::string_view::npos) return 0;
  std::string_view head = s.substr(0, end);
  size_t line_end = head.find('\n');
  std::string_view request_line = Trim(head.substr(0, line_end));
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return SIZE_MAX;
  out.method = std::string(request_line.substr(0, sp1));
  out.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  out.version = std::string(request_line.substr(sp2 + 1));
  if (out.version.rfind("HTTP/", 0) != 0) return SIZE_MAX;
  while (line_end != std::string_view::npos && out.headers.size() < kMaxHeaders) {
    size_t next = head.find('\n', line_end + 1);
    std::string_view line = Trim(head.substr(line_end + 1, next == std::string_view::npos
                                                              ? std::string_view::npos
                                                              : next - line_end - 1));
    line_end = next;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return SIZE_MAX;
    out.headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(Trim(line.substr(colon + 1))));
  }
  return end + term;
}

Ja4h ComputeJa4h(const HttpRequest& req) {
  // One implementation (decnet/core/ja4h.h), shared with the decky's http service; libcrypto here.
  Ja4hResult r = ::decnet::ComputeJa4h(req.method, req.version, req.headers, &Sha256Hex);
  return Ja4h{std::move(r.ja4h), std::move(r.ja4h_ro)};
}

}  // namespace decnet::capture
