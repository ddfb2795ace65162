// The RFC 5424 / RFC 3164 parser. A single forward scan over the line; no regex, no allocation once
// the Message's vectors and storage are warm.
#include "decnet/syslog/message.h"

#include <cstring>
#include <ctime>

#include "decnet/core/loop.h"
#include "decnet/core/text.h"

namespace decnet::syslog {
namespace {

Error Bad(const char* what) { return MakeError(Errc::kInvalidArgument, what); }

bool IsPrintUsAscii(char c) { return c >= 33 && c <= 126; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the line.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
};

// <PRI>: 1-3 digits, 0..191. Strict also forbids leading zeros.
bool ParsePri(Cursor& c, bool strict, int* pri) {
  if (c.peek() != '<') return false;
  size_t j = c.i + 1;
  int v = 0, n = 0;
  while (j < c.s.size() && IsDigit(c.s[j]) && n < 4) v = v * 10 + (c.s[j++] - '0'), ++n;
  if (n == 0 || n > 3 || j >= c.s.size() || c.s[j] != '>' || v > 191) return false;
  if (strict && n > 1 && c.s[c.i + 1] == '0') return false;
  *pri = v;
  c.i = j + 1;
  return true;
}

// A header token: PRINTUSASCII up to the next SP. Lenient mode then skips a run of spaces, strict
// needs exactly one. Returns false when the token is empty or the line ends before the separator.
bool Token(Cursor& c, bool strict, std::string_view* tok, bool need_sep = true) {
  size_t start = c.i;
  while (c.i < c.s.size() && c.s[c.i] != ' ') {
    if (strict && !IsPrintUsAscii(c.s[c.i])) return false;
    ++c.i;
  }
  if (c.i == start) return false;
  *tok = c.s.substr(start, c.i - start);
  if (!need_sep) return true;
  if (c.done()) return false;
  ++c.i;  // the SP
  if (!strict) {
    while (c.i < c.s.size() && c.s[c.i] == ' ') ++c.i;
  }
  return true;
}

// SD-NAME: 1..32 PRINTUSASCII except '=', SP, ']' and '"'.
bool SdNameChar(char c) { return IsPrintUsAscii(c) && c != '=' && c != ']' && c != '"'; }

// Parses STRUCTURED-DATA starting at '['. On success c.i is just past the last ']'.
Status ParseSd(Cursor& c, Message* m, const ParseOptions& opts) {
  const bool strict = opts.mode == ParseMode::kStrict;
  while (c.peek() == '[') {
    ++c.i;
    size_t start = c.i;
    while (c.i < c.s.size() && SdNameChar(c.s[c.i])) ++c.i;
    if (c.i == start || (strict && c.i - start > kMaxSdName)) return Bad("bad SD-ID");
    SdElement el;
    el.id = c.s.substr(start, c.i - start);
    el.first_param = static_cast<uint32_t>(m->params.size());
    const bool keep_element = m->sd.size() < opts.max_sd_elements;
    if (!keep_element && strict) return MakeError(Errc::kLimit, "too many SD elements");
    for (;;) {
      if (c.peek() == ']') {
        ++c.i;
        break;
      }
      if (c.peek() != ' ') return Bad("SD element not terminated");
      ++c.i;
      start = c.i;
      while (c.i < c.s.size() && SdNameChar(c.s[c.i])) ++c.i;
      if (c.i == start || (strict && c.i - start > kMaxSdName)) return Bad("bad SD-PARAM name");
      std::string_view name = c.s.substr(start, c.i - start);
      if (c.peek() != '=') return Bad("SD-PARAM without '='");
      ++c.i;
      if (c.peek() != '"') return Bad("SD-PARAM value not quoted");
      ++c.i;
      start = c.i;
      bool escaped = false;
      while (c.i < c.s.size() && c.s[c.i] != '"') {
        if (c.s[c.i] == '\\' && c.i + 1 < c.s.size()) {
          escaped = true;
          ++c.i;
        }
        ++c.i;
      }
      if (c.done()) return Bad("unterminated SD-PARAM value");
      std::string_view raw = c.s.substr(start, c.i - start);
      ++c.i;  // closing quote
      if (!keep_element) continue;
      if (m->params.size() - el.first_param >= opts.max_sd_params) {
        if (strict) return MakeError(Errc::kLimit, "too many SD-PARAMs");
        ++m->sd_params_dropped;
        continue;
      }
      std::string_view value = raw;
      if (escaped) {
        // RFC 5424 §6.3.3: only \" \\ \] are escapes; a backslash before anything else is kept.
        const size_t at = m->storage_.size();
        for (size_t k = 0; k < raw.size(); ++k) {
          if (raw[k] == '\\' && k + 1 < raw.size() &&
              (raw[k + 1] == '"' || raw[k + 1] == '\\' || raw[k + 1] == ']')) {
            ++k;
          }
          m->storage_.push_back(raw[k]);
        }
        value = std::string_view(m->storage_).substr(at);
      }
      m->params.push_back({name, value});
    }
    if (keep_element) {
      el.param_count = static_cast<uint32_t>(m->params.size()) - el.first_param;
      m->sd.push_back(el);
    }
  }
  return Ok();
}

void SetMsg(Cursor& c, Message* m, bool strict, Status* st) {
  std::string_view rest = c.s.substr(c.i);
  if (rest.size() >= 3 && std::memcmp(rest.data(), "\xEF\xBB\xBF", 3) == 0) {
    m->msg_has_bom = true;
    rest.remove_prefix(3);
    if (strict && !IsValidUtf8(rest)) *st = Bad("MSG after BOM is not UTF-8");
  }
  m->msg = rest;
}

// TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]
Status ParseRest(Cursor& c, Message* m, const ParseOptions& opts) {
  const bool strict = opts.mode == ParseMode::kStrict;
  if (!Token(c, strict, &m->timestamp)) return Bad("missing TIMESTAMP");
  if (m->timestamp != kNil) {
    m->has_time = ParseRfc3339(m->timestamp, !strict, &m->time_us);
    if (!m->has_time && strict) return Bad("bad TIMESTAMP");
  }
  if (!Token(c, strict, &m->hostname)) return Bad("missing HOSTNAME");
  if (!Token(c, strict, &m->app_name)) return Bad("missing APP-NAME");
  if (!Token(c, strict, &m->procid)) return Bad("missing PROCID");
  // MSGID: lenient accepts a line that ends right after it (no SD, no MSG).
  if (!Token(c, strict, &m->msgid, /*need_sep=*/false)) return Bad("missing MSGID");
  if (strict && (m->hostname.size() > kMaxHostname || m->app_name.size() > kMaxAppName ||
                 m->procid.size() > kMaxProcId || m->msgid.size() > kMaxMsgId)) {
    return Bad("header field too long");
  }
  if (c.done()) {
    if (strict) return Bad("missing STRUCTURED-DATA");
    return Ok();
  }
  ++c.i;  // SP after MSGID
  Status st;
  const char first = c.peek();
  const bool nil_sd = first == '-' && (c.i + 1 == c.s.size() || c.s[c.i + 1] == ' ');
  if (nil_sd) {
    ++c.i;
  } else if (first == '[') {
    const size_t sd_start = c.i;
    Status sd = ParseSd(c, m, opts);
    const bool sd_ok = sd && (c.done() || c.peek() == ' ');
    if (!sd_ok) {
      if (strict) return sd ? Status(Bad("no SP after STRUCTURED-DATA")) : sd;
      // Lenient: the SD is not usable; keep the bytes in MSG.
      m->sd.clear();
      m->params.clear();
      m->sd_malformed = true;
      c.i = sd_start;
      SetMsg(c, m, false, &st);
      return Ok();
    }
  } else {
    if (strict) return Bad("bad STRUCTURED-DATA");
    SetMsg(c, m, false, &st);  // lenient: no SD, MSG follows MSGID
    return Ok();
  }
  if (c.done()) return Ok();
  ++c.i;  // SP before MSG
  SetMsg(c, m, strict, &st);
  return st;
}

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// RFC 3164 "Mmm dd hh:mm:ss" (dd may be space-padded). Year from now_us.
bool ParseBsdTime(std::string_view s, int64_t now_us, int64_t* time_us) {
  if (s.size() < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':') return false;
  int mon = 0;
  while (mon < 12 && s.substr(0, 3) != kMonths[mon]) ++mon;
  if (mon == 12) return false;
  int day = 0, hh, mm, ss;
  if (s[4] == ' ') {
    if (!ParseDigits(s, 5, 1, &day)) return false;
  } else if (!ParseDigits(s, 4, 2, &day)) {
    return false;
  }
  if (!ParseDigits(s, 7, 2, &hh) || !ParseDigits(s, 10, 2, &mm) || !ParseDigits(s, 13, 2, &ss))
    return false;
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return false;
  if (now_us == 0) now_us = static_cast<int64_t>(NowEpoch() * 1e6);
  time_t now_s = static_cast<time_t>(now_us / 1000000);
  struct tm tmv;
  gmtime_r(&now_s, &tmv);
  int year = tmv.tm_year + 1900;
  auto at = [&](int y) {
    int d = day > DaysInMonth(y, mon + 1) ? DaysInMonth(y, mon + 1) : day;
    return (DaysFromCivil(y, mon + 1, d) * 86400 + hh * 3600 + mm * 60 + (ss > 59 ? 59 : ss)) *
           1000000;
  };
  int64_t t = at(year);
  if (t > now_us + 86400LL * 1000000) t = at(year - 1);
  *time_us = t;
  return true;
}

// <PRI>[Mmm dd hh:mm:ss SP][HOSTNAME SP]TAG[\[PID\]]: MSG
Status ParseRfc3164(Cursor& c, Message* m, const ParseOptions& opts) {
  m->format = WireFormat::kRfc3164;
  m->timestamp = kNil;
  m->hostname = kNil;
  m->app_name = kNil;
  m->procid = kNil;
  m->msgid = kNil;
  std::string_view rest = c.s.substr(c.i);
  if (ParseBsdTime(rest, opts.now_us, &m->time_us)) {
    m->has_time = true;
    m->timestamp = rest.substr(0, 15);
    c.i += 15;
    while (c.peek() == ' ') ++c.i;
  }
  // The next token is the TAG when it ends with ':' or holds '['; otherwise it is the HOSTNAME.
  auto take_word = [&](Cursor& cc) {
    size_t start = cc.i;
    while (cc.i < cc.s.size() && cc.s[cc.i] != ' ') ++cc.i;
    return cc.s.substr(start, cc.i - start);
  };
  Cursor look = c;
  std::string_view word = take_word(look);
  const bool is_tag =
      !word.empty() && (word.back() == ':' || word.find('[') != std::string_view::npos);
  if (!is_tag && m->has_time && !word.empty() && look.peek() == ' ') {
    m->hostname = word;
    c = look;
    while (c.peek() == ' ') ++c.i;
  }
  // TAG: up to '[', ':' or SP.
  size_t start = c.i;
  while (c.i < c.s.size() && c.s[c.i] != '[' && c.s[c.i] != ':' && c.s[c.i] != ' ') ++c.i;
  std::string_view tag = c.s.substr(start, c.i - start);
  size_t after_tag = c.i;
  if (c.peek() == '[') {
    size_t close = c.s.find(']', c.i);
    if (close != std::string_view::npos && close - c.i <= kMaxProcId + 1) {
      m->procid = c.s.substr(c.i + 1, close - c.i - 1);
      c.i = close + 1;
    }
  }
  if (c.peek() == ':' && !tag.empty()) {
    m->app_name = tag;
    ++c.i;
    if (c.peek() == ' ') ++c.i;
  } else {
    // No TAG: the whole remainder is MSG.
    m->procid = kNil;
    c.i = start;
    (void)after_tag;
  }
  m->msg = c.s.substr(c.i);
  return Ok();
}

}  // namespace

void Message::Clear() {
  format = WireFormat::kRfc5424;
  facility = severity = 0;
  timestamp = hostname = app_name = procid = msgid = msg = {};
  has_time = false;
  time_us = 0;
  sd.clear();
  params.clear();
  sd_params_dropped = 0;
  sd_malformed = false;
  msg_has_bom = false;
  storage_.clear();
}

const SdElement* Message::FindElement(std::string_view id) const {
  for (const SdElement& e : sd) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

bool ParseRfc3339(std::string_view s, bool allow_naive, int64_t* time_us) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || !ParseDigits(s, 0, 4, &y) || s[4] != '-' || !ParseDigits(s, 5, 2, &mo) ||
      s[7] != '-' || !ParseDigits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !ParseDigits(s, 11, 2, &h) || s[13] != ':' || !ParseDigits(s, 14, 2, &mi) || s[16] != ':' ||
      !ParseDigits(s, 17, 2, &sec)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 60) {
    return false;
  }
  size_t i = 19;
  int64_t frac_us = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t n = 0;
    int64_t scale = 100000;
    while (i < s.size() && IsDigit(s[i])) {
      if (n < 6) frac_us += (s[i] - '0') * scale, scale /= 10;
      ++n, ++i;
    }
    if (n == 0 || (n > 6 && !allow_naive)) return false;
  }
  int64_t offset_s = 0;
  if (i == s.size()) {
    if (!allow_naive) return false;
  } else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
  } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
    int oh, om;
    if (!ParseDigits(s, i + 1, 2, &oh) || !ParseDigits(s, i + 4, 2, &om) || oh > 23 || om > 59)
      return false;
    offset_s = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (sec == 60) sec = 59;  // a leap second is folded into :59
  const int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  *time_us = secs * 1000000 + frac_us;
  return true;
}

Status Parse(std::string_view line, Message* m, const ParseOptions& opts) {
  m->Clear();
  if (m->storage_.capacity() < line.size()) m->storage_.reserve(line.size());
  const bool strict = opts.mode == ParseMode::kStrict;
  Cursor c{line, 0};
  int pri = 0;
  if (!ParsePri(c, strict, &pri)) return Bad("missing or bad PRI");
  m->facility = pri / 8;
  m->severity = pri % 8;
  // VERSION "1" then SP. Anything else: RFC 3164 in lenient mode.
  if (c.i + 1 < line.size() && line[c.i] == '1' && line[c.i + 1] == ' ') {
    c.i += 2;
    return ParseRest(c, m, opts);
  }
  if (strict) return Bad("VERSION is not 1");
  return ParseRfc3164(c, m, opts);
}

Status ParseAfterVersion(std::string_view rest, Message* m, const ParseOptions& opts) {
  const int facility = m->facility, severity = m->severity;
  m->Clear();
  if (m->storage_.capacity() < rest.size()) m->storage_.reserve(rest.size());
  m->facility = facility;
  m->severity = severity;
  Cursor c{rest, 0};
  return ParseRest(c, m, opts);
}

}  // namespace decnet::syslog
