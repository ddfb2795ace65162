// RESP2 requests, read the way redis-server's processMultibulkBuffer()/processInlineBuffer() read
// them, so that every malformed input gets redis's own words (and an attacker's scanner cannot tell
// the difference by probing the parser).
#include <cctype>
#include <climits>
#include <cstring>

#include "decnet/services/db/redis.h"

namespace decnet::services::db {
namespace {

// string2ll(): optional '-', no leading zeros, no '+', no spaces, fits in a long long.
bool String2ll(std::string_view s, long long* v) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    *v = 0;
    return true;
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    if (++i == s.size()) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  unsigned long long u = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const unsigned d = static_cast<unsigned>(s[i] - '0');
    if (u > (ULLONG_MAX - d) / 10) return false;
    u = u * 10 + d;
  }
  if (neg) {
    if (u > static_cast<unsigned long long>(LLONG_MAX) + 1) return false;
    *v = u == static_cast<unsigned long long>(LLONG_MAX) + 1 ? LLONG_MIN : -static_cast<long long>(u);
  } else {
    if (u > static_cast<unsigned long long>(LLONG_MAX)) return false;
    *v = static_cast<long long>(u);
  }
  return true;
}

// strchr() on redis's NUL-terminated query buffer: a NUL ends the search.
size_t FindC(const std::string& b, size_t from, char c) {
  for (size_t i = from; i < b.size(); ++i) {
    if (b[i] == c) return i;
    if (b[i] == '\0') return std::string::npos;
  }
  return std::string::npos;
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
int HexVal(char c) {
  return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

bool ClassMatch(std::string_view p, size_t* pi, unsigned char c, bool nocase) {
  // p[*pi] == '['; leaves *pi after the closing ']' (or at the end, as redis does).
  size_t i = *pi + 1;
  const bool negate = i < p.size() && p[i] == '^';
  if (negate) ++i;
  bool match = false;
  auto low = [nocase](unsigned char x) {
    return nocase ? static_cast<unsigned char>(std::tolower(x)) : x;
  };
  while (i < p.size() && p[i] != ']') {
    if (p[i] == '\\' && i + 1 < p.size()) {
      ++i;
      if (low(static_cast<unsigned char>(p[i])) == low(c)) match = true;
      ++i;
    } else if (i + 2 < p.size() && p[i + 1] == '-') {
      unsigned char a = low(static_cast<unsigned char>(p[i])), z = low(static_cast<unsigned char>(p[i + 2]));
      if (a > z) std::swap(a, z);
      if (low(c) >= a && low(c) <= z) match = true;
      i += 3;
    } else {
      if (low(static_cast<unsigned char>(p[i])) == low(c)) match = true;
      ++i;
    }
  }
  *pi = i < p.size() ? i + 1 : i;
  return negate ? !match : match;
}

// One pattern element against one byte; `*next` is the element after it.
bool MatchOne(std::string_view p, size_t pi, unsigned char c, bool nocase, size_t* next) {
  if (p[pi] == '?') {
    *next = pi + 1;
    return true;
  }
  if (p[pi] == '[') {
    *next = pi;
    return ClassMatch(p, next, c, nocase);
  }
  if (p[pi] == '\\' && pi + 1 < p.size()) ++pi;
  *next = pi + 1;
  const unsigned char pc = static_cast<unsigned char>(p[pi]);
  return nocase ? std::tolower(pc) == std::tolower(c) : pc == c;
}

}  // namespace

bool GlobMatch(std::string_view p, std::string_view s, bool nocase) {
  // Iterative, backtracking only to the last '*': O(|p|*|s|) where redis's recursion is exponential.
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      if (pi == p.size()) return true;
      star_p = pi;
      star_s = si;
      continue;
    }
    size_t next = 0;
    if (pi < p.size() && MatchOne(p, pi, static_cast<unsigned char>(s[si]), nocase, &next)) {
      pi = next;
      ++si;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  // sdssplitargs() reads a C string: a NUL ends the line.
  if (size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
  size_t i = 0;
  const size_t n = line.size();
  auto at = [&](size_t k) { return k < n ? line[k] : '\0'; };
  while (true) {
    while (i < n && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= n) return true;
    bool inq = false, insq = false, done = false;
    std::string cur;
    while (!done) {
      const char c = at(i);
      if (inq) {
        if (c == '\\' && at(i + 1) == 'x' && IsHex(at(i + 2)) && IsHex(at(i + 3))) {
          cur.push_back(static_cast<char>(HexVal(at(i + 2)) * 16 + HexVal(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          char e = at(i);
          switch (e) {
            case 'n': e = '\n'; break;
            case 'r': e = '\r'; break;
            case 't': e = '\t'; break;
            case 'b': e = '\b'; break;
            case 'a': e = '\a'; break;
            default: break;
          }
          cur.push_back(e);
        } else if (c == '"') {
          // The closing quote must be followed by a space or nothing at all.
          if (at(i + 1) != '\0' && !std::isspace(static_cast<unsigned char>(at(i + 1)))) return false;
          done = true;
        } else if (c == '\0') {
          return false;  // unterminated quotes
        } else {
          cur.push_back(c);
        }
      } else if (insq) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !std::isspace(static_cast<unsigned char>(at(i + 1)))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          cur.push_back(c);
        }
      } else {
        switch (c) {
          case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
          case '"': inq = true; break;
          case '\'': insq = true; break;
          default: cur.push_back(c); break;
        }
      }
      if (at(i) != '\0') ++i;
    }
    out->push_back(std::move(cur));
  }
}

RespParser::Step RespParser::Fail(std::string msg, bool by_bound) {
  failed_ = true;
  by_bound_ = by_bound;
  error_ = std::move(msg);
  buf_.clear();
  argv_.clear();
  argv_bytes_ = 0;
  return Step::kError;
}

RespParser::Step RespParser::ParseOne(size_t* pos, std::vector<std::string>* out) {
  size_t p = *pos;
  if (multibulk_left_ == 0) {
    if (buf_[p] != '*') {
      // Inline: one line up to LF (CR LF stripped).
      const size_t lf = FindC(buf_, p, '\n');
      if (lf == std::string::npos) {
        if (buf_.size() - p > b_.max_inline) return Fail("Protocol error: too big inline request");
        return Step::kMore;
      }
      size_t end = lf;
      if (end > p && buf_[end - 1] == '\r') --end;
      if (!SplitInlineArgs(std::string_view(buf_).substr(p, end - p), out))
        return Fail("Protocol error: unbalanced quotes in request");
      *pos = lf + 1;
      return Step::kDone;
    }
    const size_t cr = FindC(buf_, p, '\r');
    if (cr == std::string::npos) {
      if (buf_.size() - p > b_.max_inline) return Fail("Protocol error: too big mbulk count string");
      return Step::kMore;
    }
    if (cr + 2 > buf_.size()) return Step::kMore;  // the LF must be there too
    long long ll = 0;
    const bool ok = String2ll(std::string_view(buf_).substr(p + 1, cr - p - 1), &ll);
    if (!ok || ll > INT_MAX) return Fail("Protocol error: invalid multibulk length");
    if (ll > 10 && unauth_) return Fail("Protocol error: unauthenticated multibulk length");
    if (ll > static_cast<long long>(b_.max_args))
      return Fail("Protocol error: invalid multibulk length", true);
    *pos = p = cr + 2;
    if (ll <= 0) {
      out->clear();  // "*0" / "*-1": an empty command, skipped without a reply
      return Step::kDone;
    }
    multibulk_left_ = ll;
    bulk_len_ = -1;
    argv_.clear();
    argv_bytes_ = 0;
  }
  while (multibulk_left_ > 0) {
    if (bulk_len_ == -1) {
      const size_t cr = FindC(buf_, p, '\r');
      if (cr == std::string::npos) {
        if (buf_.size() - p > b_.max_inline) return Fail("Protocol error: too big bulk count string");
        return Step::kMore;
      }
      if (cr + 2 > buf_.size()) return Step::kMore;
      if (buf_[p] != '$') {
        // "%c" of a NUL ends redis's formatted string there.
        std::string msg = "Protocol error: expected '$', got '";
        if (buf_[p] != '\0') msg.push_back(buf_[p]), msg.push_back('\'');
        return Fail(std::move(msg));
      }
      long long ll = 0;
      const bool ok = String2ll(std::string_view(buf_).substr(p + 1, cr - p - 1), &ll);
      if (!ok || ll < 0 || ll > 512LL * 1024 * 1024) return Fail("Protocol error: invalid bulk length");
      if (ll > 16384 && unauth_) return Fail("Protocol error: unauthenticated bulk length");
      if (ll > static_cast<long long>(b_.max_bulk)) return Fail("Protocol error: invalid bulk length", true);
      // Past the whole command's budget redis would close at its query buffer limit, silently.
      if (argv_bytes_ + static_cast<size_t>(ll) > b_.max_command_bytes) return Fail("", true);
      bulk_len_ = ll;
      *pos = p = cr + 2;
    }
    const size_t need = static_cast<size_t>(bulk_len_) + 2;  // the CR LF after it is not checked
    if (buf_.size() - p < need) return Step::kMore;
    argv_.emplace_back(buf_, p, static_cast<size_t>(bulk_len_));
    argv_bytes_ += static_cast<size_t>(bulk_len_);
    *pos = p = p + need;
    bulk_len_ = -1;
    --multibulk_left_;
  }
  out->swap(argv_);
  argv_.clear();
  argv_bytes_ = 0;
  return Step::kDone;
}

bool RespParser::Feed(std::string_view bytes,
                      const std::function<bool(std::vector<std::string>&)>& fn) {
  if (failed_) return false;
  buf_.append(bytes);
  size_t pos = 0;
  std::vector<std::string> argv;
  bool stop = false;
  while (pos < buf_.size() && !stop) {
    const Step s = ParseOne(&pos, &argv);
    if (s == Step::kError) return false;
    if (s == Step::kMore) break;
    if (!argv.empty() && !fn(argv)) stop = true;
    argv.clear();
  }
  if (stop) {
    buf_.clear();
    return true;
  }
  buf_.erase(0, pos);
  return true;
}

}  // namespace decnet::services::db
