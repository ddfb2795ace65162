#include "decnet/api/params.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "decnet/http/url.h"

namespace decnet::api {
namespace {

Error Bad(std::string_view name, std::string_view what) {
  return MakeError(Errc::kInvalidArgument, "parameter '" + std::string(name) + "' " + std::string(what));
}

}  // namespace

Status CheckKnownParams(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    auto key = http::PercentDecode(pair.substr(0, pair.find('=')), true);
    if (!key) return MakeError(Errc::kInvalidArgument, "malformed query string");
    bool known = false;
    for (auto a : allowed) known = known || a == *key;
    if (!known) {
      std::string shown = key->substr(0, 64);
      for (char& c : shown) if (c < 0x20 || c > 0x7e) c = '?';
      return MakeError(Errc::kInvalidArgument, "unknown parameter '" + shown + "'");
    }
  }
  return Ok();
}

Result<int64_t> IntParam(const http::Request& req, std::string_view name, int64_t def, int64_t min, int64_t max) {
  auto v = req.Query(name);
  if (!v) return def;
  char* end = nullptr;
  errno = 0;
  long long n = v->empty() ? 0 : std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || errno != 0 || *end != '\0' || n < min || n > max) {
    return Bad(name, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int64_t>(n);
}

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  if (s.size() < 19 || s.size() > 40) return std::nullopt;
  std::string str(s);
  struct tm tm = {};
  const char* rest = strptime(str.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  int64_t frac_us = 0;
  if (*rest == '.') {
    ++rest;
    int digits = 0;
    while (*rest >= '0' && *rest <= '9') {
      if (digits < 6) frac_us = frac_us * 10 + (*rest - '0');
      ++digits;
      ++rest;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 6; ++d) frac_us *= 10;
  }
  if (*rest == 'Z') ++rest;
  else if (std::string_view(rest) == "+00:00") rest += 6;
  if (*rest != '\0') return std::nullopt;
  time_t t = timegm(&tm);
  return static_cast<int64_t>(t) * 1000000 + frac_us;
}

Result<int64_t> TimeParam(const http::Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return int64_t{0};
  char* end = nullptr;
  errno = 0;
  double secs = v->empty() ? -1 : std::strtod(v->c_str(), &end);
  if (!v->empty() && errno == 0 && *end == '\0' && secs >= 0 && secs < 1e11) {
    return static_cast<int64_t>(secs * 1e6);
  }
  if (auto us = ParseIsoTime(*v)) return *us;
  return Bad(name, "must be epoch seconds or ISO 8601 UTC (2026-01-31T12:00:00Z)");
}

bool IsIp(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return false;
  std::string str(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || inet_pton(AF_INET6, str.c_str(), buf) == 1;
}

Result<std::string> IpParam(const http::Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return std::string();
  if (!IsIp(*v)) return Bad(name, "must be an IPv4 or IPv6 address");
  return *v;
}

Result<std::string> TextParam(const http::Request& req, std::string_view name, size_t max_len) {
  auto v = req.Query(name);
  if (!v) return std::string();
  if (v->size() > max_len) return Bad(name, "must be at most " + std::to_string(max_len) + " bytes");
  for (unsigned char c : *v) {
    if (c < 0x20 || c == 0x7f) return Bad(name, "must not contain control characters");
  }
  return *v;
}

Result<std::string> ChoiceParam(const http::Request& req, std::string_view name,
                                std::initializer_list<std::string_view> choices, std::string_view def) {
  auto v = req.Query(name);
  if (!v) return std::string(def);
  std::string list;
  for (auto c : choices) {
    if (*v == c) return *v;
    if (!list.empty()) list += ", ";
    list += c;
  }
  return Bad(name, "must be one of: " + list);
}

std::string IsoTime(int64_t us) {
  if (us <= 0) return {};
  time_t secs = static_cast<time_t>(us / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1000000));
  return buf;
}

}  // namespace decnet::api
