#include "decnet/capture/event_format.h"

#include <cstdio>
#include <ctime>

#include "decnet/core/json.h"

namespace decnet::capture {
namespace {

constexpr int kPriLocal0Info = 16 * 8 + 6;
constexpr size_t kMaxHost = 255;
constexpr size_t kMaxMsgId = 32;

std::string Iso8601(double ts, bool rfc5424) {
  time_t sec = time_t(ts);
  long usec = long((ts - double(sec)) * 1e6 + 0.5);
  if (usec >= 1000000) ++sec, usec -= 1000000;
  struct tm tm;
  gmtime_r(&sec, &tm);
  char b[64];
  if (rfc5424) {
    std::snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
  } else {
    std::snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return b;
}

// HOSTNAME/MSGID are PRINTUSASCII without spaces; anything else becomes '_'.
std::string HeaderToken(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) out.push_back(c > 32 && c < 127 ? c : '_');
  return out.empty() ? "-" : out;
}

}  // namespace

void AppendSdEscaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"' || c == ']') out.push_back('\\');
    // A line break would split the log line: replace it.
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
}

std::string EventToJson(const Event& e) {
  std::string out = "{\"ts\":";
  json::AppendDouble(out, e.ts);
  out += ",\"event_type\":";
  json::AppendQuoted(out, e.type);
  for (const auto& [k, v] : e.fields) {
    out.push_back(',');
    json::AppendQuoted(out, k);
    out.push_back(':');
    json::AppendQuoted(out, v);
  }
  out.push_back('}');
  return out;
}

std::string FormatRfc5424(const Event& e, std::string_view decky, double ts) {
  std::string line = "<" + std::to_string(kPriLocal0Info) + ">1 " + Iso8601(ts, true) + ' ' +
                     HeaderToken(decky, kMaxHost) + " sniffer - " + HeaderToken(e.type, kMaxMsgId);
  if (e.fields.empty()) return line + " -";
  line += " [relay@55555";
  for (const auto& [k, v] : e.fields) {
    line += ' ';
    line += k;
    line += "=\"";
    AppendSdEscaped(line, v);
    line += '"';
  }
  line += ']';
  return line;
}

std::string CollectorRecord(const Event& e, std::string_view decky, double ts,
                            std::string_view raw_line) {
  const std::string* ip = e.Get("src_ip");
  std::string fields = "{";
  for (const auto& [k, v] : e.fields) {
    if (fields.size() > 1) fields.push_back(',');
    json::AppendQuoted(fields, k);
    fields.push_back(':');
    json::AppendQuoted(fields, v);
  }
  fields.push_back('}');
  json::JsonWriter w;
  w.Str("timestamp", Iso8601(ts, false))
      .Str("decky", decky)
      .Str("service", "sniffer")
      .Str("event_type", e.type)
      .Str("attacker_ip", ip ? *ip : "Unknown")
      .Raw("fields", fields)
      .Str("msg", "")
      .Str("raw_line", raw_line);
  return w.Finish();
}

}  // namespace decnet::capture
