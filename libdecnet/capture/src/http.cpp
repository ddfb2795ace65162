#include "decnet/capture/http.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "decnet/capture/hash.h"

namespace decnet::capture {
namespace {

constexpr size_t kMaxHeaders = 128;
constexpr const char* kMethods[] = {"GET ",     "POST ",  "HEAD ",    "PUT ",  "DELETE ",
                                    "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s.push_back(sep);
    s += x;
  }
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
  std::string a = Lower(req.method.substr(0, 2));
  while (a.size() < 2) a.push_back('0');
  std::string v = req.version.substr(std::min<size_t>(5, req.version.size()));
  v.erase(std::remove(v.begin(), v.end(), '.'), v.end());
  if (v.size() == 1) v.push_back('0');
  a += v.substr(0, 2);
  std::vector<std::string> names, cookie_names, cookie_pairs;
  bool cookie = false, referer = false;
  std::string lang;
  for (const auto& [name, value] : req.headers) {
    std::string ln = Lower(name);
    if (ln == "cookie") {
      cookie = true;
      std::string_view rest = value;
      while (!rest.empty()) {
        size_t semi = rest.find(';');
        std::string_view item = Trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
        if (item.empty()) continue;
        cookie_pairs.emplace_back(item);
        cookie_names.emplace_back(item.substr(0, item.find('=')));
      }
      continue;
    }
    if (ln == "referer") {
      referer = true;
      continue;
    }
    if (ln == "accept-language" && lang.empty()) {
      for (char c : Lower(value)) {
        if (c == '-') continue;
        if (c == ',' || c == ';') break;
        lang.push_back(c);
      }
    }
    names.push_back(name);
  }
  lang = lang.substr(0, 4);
  while (lang.size() < 4) lang.push_back('0');
  char count[3];
  std::snprintf(count, sizeof count, "%02zu", std::min<size_t>(names.size(), 99));
  a += std::string(cookie ? "c" : "n") + (referer ? "r" : "n") + count + lang;

  std::string headers = Join(names, ',');
  // Names sort as strings; the pairs follow the sorted names (not a string sort of "k=v", which would
  // put "a-b=1" before "a=2"), as FoxIO's reference does.
  std::vector<size_t> order(cookie_names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return cookie_names[x] < cookie_names[y]; });
  std::vector<std::string> sn, sp;
  for (size_t i : order) {
    sn.push_back(cookie_names[i]);
    sp.push_back(cookie_pairs[i]);
  }
  Ja4h j;
  j.ja4h = a + '_' + Sha256Hex12(headers) + '_' + Sha256Hex12(Join(sn, ',')) + '_' +
           Sha256Hex12(Join(sp, ','));
  j.ja4h_ro = a + '_' + headers + '_' + Join(cookie_names, ',');
  if (!cookie_pairs.empty()) j.ja4h_ro += '_' + Join(cookie_pairs, ',');
  return j;
}

}  // namespace decnet::capture
