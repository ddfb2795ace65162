#include "decnet/syslog/decnet.h"

#include <arpa/inet.h>

#include <cstring>

#include "decnet/core/json.h"
#include "decnet/syslog/format.h"

namespace decnet::syslog {
namespace {

constexpr std::string_view kIpFields[] = {"src_ip",      "src",       "client_ip", "remote_ip",
                                          "remote_addr", "target_ip", "ip"};

bool IsWord(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIpChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool Pton(int af, std::string_view s) {
  char buf[64];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char addr[16];
  return inet_pton(af, buf, addr) == 1;
}

bool IsIp(std::string_view s) { return Pton(AF_INET, s) || Pton(AF_INET6, s); }

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

// The IP token at msg[i]: "[v6]:port", or a run of address characters.
std::string_view IpTokenAt(std::string_view msg, size_t i) {
  if (i < msg.size() && msg[i] == '[') {
    size_t close = msg.find(']', i);
    if (close == std::string_view::npos || close - i > 64) return {};
    size_t end = close + 1;
    if (end < msg.size() && msg[end] == ':') {
      ++end;
      while (end < msg.size() && IsDigit(msg[end])) ++end;
    }
    return msg.substr(i, end - i);
  }
  size_t end = i;
  while (end < msg.size() && IsIpChar(msg[end]) && end - i < 64) ++end;
  std::string_view tok = msg.substr(i, end - i);
  // A sentence may end right after the address.
  while (!tok.empty() && (tok.back() == '.' || tok.back() == ':') && !IsIp(tok))
    tok.remove_suffix(1);
  return tok;
}

// Rule 2c: an address after from / rhost= / client= / src= (case-blind, at a word start).
bool AnchoredIp(std::string_view msg, std::string* out) {
  for (size_t i = 0; i < msg.size(); ++i) {
    if (i > 0 && IsWord(msg[i - 1])) continue;
    size_t j = i;
    while (j < msg.size() && IsWord(msg[j]) && j - i < 8) ++j;
    std::string_view word = msg.substr(i, j - i);
    bool anchor = false;
    if (EqualsNoCase(word, "from")) {
      anchor = true;
    } else if ((EqualsNoCase(word, "rhost") || EqualsNoCase(word, "client") ||
                EqualsNoCase(word, "src")) &&
               j < msg.size() && (msg[j] == '=' || msg[j] == ':')) {
      anchor = true;
      ++j;
    }
    if (!anchor) continue;
    while (j < msg.size() && IsSpace(msg[j])) ++j;
    if (NormalizeIp(IpTokenAt(msg, j), out)) return true;
  }
  return false;
}

// Rule 2d: the first bare dotted quad that is a valid IPv4 address.
bool BareIpv4(std::string_view msg, std::string* out) {
  for (size_t i = 0; i < msg.size(); ++i) {
    if (!IsDigit(msg[i]) || (i > 0 && IsWord(msg[i - 1]))) continue;
    size_t j = i;
    int groups = 0;
    while (groups < 4) {
      size_t start = j;
      while (j < msg.size() && IsDigit(msg[j]) && j - start < 3) ++j;
      if (j == start) break;
      ++groups;
      if (groups < 4) {
        if (j < msg.size() && msg[j] == '.') {
          ++j;
        } else {
          break;
        }
      }
    }
    if (groups == 4 && (j >= msg.size() || !IsWord(msg[j]))) {
      std::string_view cand = msg.substr(i, j - i);
      if (Pton(AF_INET, cand)) {
        out->assign(cand);
        return true;
      }
    }
    while (i + 1 < msg.size() && IsWord(msg[i + 1])) ++i;  // skip the rest of this word
  }
  return false;
}

constexpr size_t kMaxRawIp = 256;

void KeepRaw(std::string* raw, std::string_view v) {
  if (raw && raw->empty()) raw->assign(v.substr(0, kMaxRawIp));
}

// Rule 2b: `key=value` tokens of MSG, first key that is an IP field name with an address value.
bool MsgKeyValueIp(std::string_view msg, std::string* out, std::string* raw) {
  size_t i = 0;
  while (i < msg.size()) {
    while (i < msg.size() && IsSpace(msg[i])) ++i;
    size_t end = i;
    while (end < msg.size() && !IsSpace(msg[end])) ++end;
    std::string_view tok = msg.substr(i, end - i);
    i = end;
    size_t eq = tok.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 >= tok.size()) continue;
    size_t ks = eq;
    while (ks > 0 && IsWord(tok[ks - 1])) --ks;
    if (ks == eq) continue;
    std::string_view key = tok.substr(ks, eq - ks);
    std::string_view value = tok.substr(eq + 1);
    for (std::string_view f : kIpFields) {
      if (key == f) {
        if (NormalizeIp(value, out)) return true;
        KeepRaw(raw, value);
        break;
      }
    }
  }
  return false;
}

}  // namespace

std::string_view TrimLine(std::string_view line) {
  while (!line.empty() && (IsSpace(line.back()) || line.back() == '\0')) line.remove_suffix(1);
  return line;
}

bool NormalizeIp(std::string_view tok, std::string* out) {
  if (tok.empty() || tok.size() > 80) return false;
  if (tok.front() == '[') {
    size_t close = tok.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view inner = tok.substr(1, close - 1);
    std::string_view after = tok.substr(close + 1);
    if (!after.empty() && !(after.front() == ':' && AllDigits(after.substr(1)))) return false;
    if (!IsIp(inner)) return false;
    out->assign(inner);
    return true;
  }
  if (IsIp(tok)) {
    out->assign(tok);  // a bare IPv6 is never split at a colon
    return true;
  }
  size_t colon = tok.find(':');
  if (colon != std::string_view::npos && tok.find(':', colon + 1) == std::string_view::npos &&
      AllDigits(tok.substr(colon + 1)) && Pton(AF_INET, tok.substr(0, colon))) {
    out->assign(tok.substr(0, colon));
    return true;
  }
  return false;
}

std::string ExtractAttackerIp(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields,
    std::string_view msg, std::string* raw) {
  std::string ip;
  for (std::string_view f : kIpFields) {
    for (const auto& [k, v] : fields) {
      if (k == f && !v.empty()) {
        if (NormalizeIp(v, &ip)) return ip;
        KeepRaw(raw, v);
      }
    }
  }
  if (!msg.empty() &&
      (MsgKeyValueIp(msg, &ip, raw) || AnchoredIp(msg, &ip) || BareIpv4(msg, &ip))) {
    return ip;
  }
  return "Unknown";
}

std::string_view DecnetRecord::Field(std::string_view name) const {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

namespace {

// Rule 1: "YYYY-MM-DDT" at the head of the body.
bool LooksLikeInnerHeader(std::string_view body) {
  return body.size() > 11 && IsDigit(body[0]) && IsDigit(body[1]) && IsDigit(body[2]) &&
         IsDigit(body[3]) && body[4] == '-' && IsDigit(body[5]) && IsDigit(body[6]) &&
         body[7] == '-' && IsDigit(body[8]) && IsDigit(body[9]) && body[10] == 'T';
}

}  // namespace

Status DecnetParser::Parse(std::string_view line, DecnetRecord* r) {
  ParseOptions opts = opts_;
  if (Status st = syslog::Parse(line, &outer_, opts); !st) return st;
  const Message* m = &outer_;
  r->unwrapped = false;
  if (outer_.format == WireFormat::kRfc5424 && outer_.msgid == kNil && outer_.sd.empty() &&
      !outer_.sd_malformed) {
    std::string_view body = Trim(outer_.msg);
    if (LooksLikeInnerHeader(body)) {
      opts.mode = ParseMode::kLenient;
      inner_.facility = outer_.facility;
      inner_.severity = outer_.severity;
      if (ParseAfterVersion(body, &inner_, opts)) {
        m = &inner_;
        r->unwrapped = true;
      }
    }
  }
  r->severity = outer_.severity;
  r->has_time = outer_.has_time;
  r->time_us = outer_.time_us;
  r->timestamp.clear();
  if (outer_.has_time) {
    AppendUtcSeconds(&r->timestamp, outer_.time_us);
  } else {
    r->timestamp.assign(outer_.timestamp);
  }
  r->decky = m->hostname;
  r->service = m->app_name;
  r->event_type = m->msgid;
  r->fields.clear();
  if (const SdElement* e = m->FindElement(kDecnetSdId)) {
    for (uint32_t k = 0; k < e->param_count; ++k) {
      const SdParam& p = m->params[e->first_param + k];
      bool replaced = false;
      for (auto& kv : r->fields) {
        if (kv.first == p.name) {
          kv.second = p.value;
          replaced = true;
          break;
        }
      }
      if (!replaced) r->fields.emplace_back(p.name, p.value);
    }
  }
  r->msg = Trim(m->msg);
  r->raw_line = line;
  r->attacker_ip_raw.clear();
  r->attacker_ip = ExtractAttackerIp(r->fields, r->msg, &r->attacker_ip_raw);
  r->sender = r->attribution = r->claimed_decky = {};
  if (r->event_type == kNil && r->msg.substr(0, 4) == "CMD ") r->event_type = "command";
  r->command = {};
  if (r->event_type == "command") {
    r->command = r->Field("command");
    if (r->command.empty()) {
      size_t at = r->msg.find(" cmd=");
      if (at != std::string_view::npos) {
        r->command = r->msg.substr(at + 5);
      } else if (r->msg.substr(0, 4) == "cmd=") {
        r->command = r->msg.substr(4);
      }
    }
  }
  return Ok();
}

namespace {

// JSON string with a fast path for pure ASCII (the common case); anything else goes to
// json::AppendQuoted, which replaces invalid UTF-8 with U+FFFD.
struct SafeTable {
  bool safe[256];
  constexpr SafeTable() : safe() {
    for (int c = 0x20; c < 0x7f; ++c) safe[c] = c != '"' && c != '\\';
  }
};
constexpr SafeTable kSafe;

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  const size_t mark = out->size();
  out->push_back('"');
  size_t run = 0;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = p[i];
    if (kSafe.safe[c]) continue;
    if (c >= 0x7f) {
      out->resize(mark);
      json::AppendQuoted(*out, s);
      return;
    }
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

}  // namespace

void AppendJsonRecord(std::string* out, const DecnetRecord& r) {
  out->append("{\"timestamp\":");
  AppendJsonString(out, r.timestamp);
  out->append(",\"decky\":");
  AppendJsonString(out, r.decky);
  out->append(",\"service\":");
  AppendJsonString(out, r.service);
  out->append(",\"event_type\":");
  AppendJsonString(out, r.event_type);
  out->append(",\"attacker_ip\":");
  AppendJsonString(out, r.attacker_ip);
  out->append(",\"fields\":{");
  bool first = true;
  for (const auto& [k, v] : r.fields) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, k);
    out->push_back(':');
    AppendJsonString(out, v);
  }
  out->append("},\"msg\":");
  AppendJsonString(out, r.msg);
  out->append(",\"raw_line\":");
  AppendJsonString(out, r.raw_line);
  auto optional = [&](const char* key, std::string_view v) {
    if (v.empty()) return;
    out->append(key);
    AppendJsonString(out, v);
  };
  optional(",\"attacker_ip_raw\":", r.attacker_ip_raw);
  optional(",\"sender\":", r.sender);
  optional(",\"attribution\":", r.attribution);
  optional(",\"claimed_decky\":", r.claimed_decky);
  out->push_back('}');
}

}  // namespace decnet::syslog
