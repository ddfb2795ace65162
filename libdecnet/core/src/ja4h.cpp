#include "decnet/core/ja4h.h"
#include "decnet/core/text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

namespace decnet {
namespace {

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

// The first 12 hex digits of SHA-256; an empty list is twelve zeros (the specification's value).
std::string Hex12(Sha256HexFn fn, std::string_view data) {
  if (data.empty()) return "000000000000";
  return fn(data).substr(0, 12);
}

}  // namespace

Ja4hResult ComputeJa4h(std::string_view method, std::string_view version,
                       std::span<const std::pair<std::string, std::string>> headers,
                       Sha256HexFn sha256_hex) {
  std::string a = AsciiLower(method.substr(0, 2));
  while (a.size() < 2) a.push_back('0');
  std::string v(version.substr(std::min<size_t>(5, version.size())));
  v.erase(std::remove(v.begin(), v.end(), '.'), v.end());
  if (v.size() == 1) v.push_back('0');
  a += v.substr(0, 2);
  std::vector<std::string> names, cookie_names, cookie_pairs;
  bool cookie = false, referer = false;
  std::string lang;
  for (const auto& [name, value] : headers) {
    std::string ln = AsciiLower(name);
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
      for (char c : AsciiLower(value)) {
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

  std::string joined = Join(names, ',');
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
  Ja4hResult j;
  j.ja4h = a + '_' + Hex12(sha256_hex, joined) + '_' + Hex12(sha256_hex, Join(sn, ',')) + '_' +
           Hex12(sha256_hex, Join(sp, ','));
  j.ja4h_ro = a + '_' + joined + '_' + Join(cookie_names, ',');
  if (!cookie_pairs.empty()) j.ja4h_ro += '_' + Join(cookie_pairs, ',');
  return j;
}

}  // namespace decnet
