#include "decnet/syslog/format.h"

#include <cstdio>

namespace decnet::syslog {
namespace {

struct Civil {
  int64_t y;
  unsigned m, d, hh, mm, ss, us;
};

// Inverse of DaysFromCivil (H. Hinnant's algorithm).
Civil ToCivil(int64_t time_us) {
  int64_t secs = time_us / 1000000;
  int64_t us = time_us % 1000000;
  if (us < 0) us += 1000000, --secs;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) rem += 86400, --days;
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Civil c;
  c.d = doy - (153 * mp + 2) / 5 + 1;
  c.m = mp < 10 ? mp + 3 : mp - 9;
  c.y = static_cast<int64_t>(yoe) + era * 400 + (c.m <= 2);
  c.hh = static_cast<unsigned>(rem / 3600);
  c.mm = static_cast<unsigned>(rem % 3600 / 60);
  c.ss = static_cast<unsigned>(rem % 60);
  c.us = static_cast<unsigned>(us);
  return c;
}

void Put(std::string* out, unsigned v, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) buf[i] = static_cast<char>('0' + v % 10), v /= 10;
  out->append(buf, width);
}

void AppendDate(std::string* out, const Civil& c, char sep) {
  Put(out, static_cast<unsigned>(c.y < 0 ? 0 : c.y > 9999 ? 9999 : c.y), 4);
  out->push_back('-');
  Put(out, c.m, 2);
  out->push_back('-');
  Put(out, c.d, 2);
  out->push_back(sep);
  Put(out, c.hh, 2);
  out->push_back(':');
  Put(out, c.mm, 2);
  out->push_back(':');
  Put(out, c.ss, 2);
}

std::string_view Truncated(std::string_view v, size_t max) {
  if (v.empty()) return kNil;
  return v.size() > max ? v.substr(0, max) : v;
}

}  // namespace

void AppendRfc3339(std::string* out, int64_t time_us) {
  const Civil c = ToCivil(time_us);
  AppendDate(out, c, 'T');
  out->push_back('.');
  Put(out, c.us, 6);
  out->append("+00:00");
}

void AppendUtcSeconds(std::string* out, int64_t time_us) { AppendDate(out, ToCivil(time_us), ' '); }

void AppendSdEscaped(std::string* out, std::string_view value) {
  for (char ch : value) {
    if (ch == '\\' || ch == '"' || ch == ']') out->push_back('\\');
    out->push_back(ch);
  }
}

void AppendMessage(std::string* out, const Message& m) {
  out->push_back('<');
  out->append(std::to_string(m.facility * 8 + m.severity));
  out->append(">1 ");
  if (m.has_time) {
    AppendRfc3339(out, m.time_us);
  } else {
    out->append(kNil);
  }
  for (std::string_view f : {m.hostname, m.app_name, m.procid, m.msgid}) {
    out->push_back(' ');
    out->append(f.empty() ? kNil : f);
  }
  out->push_back(' ');
  if (m.sd.empty()) out->append(kNil);
  for (const SdElement& e : m.sd) {
    out->push_back('[');
    out->append(e.id);
    for (uint32_t k = 0; k < e.param_count; ++k) {
      const SdParam& p = m.params[e.first_param + k];
      out->push_back(' ');
      out->append(p.name);
      out->append("=\"");
      AppendSdEscaped(out, p.value);
      out->push_back('"');
    }
    out->push_back(']');
  }
  if (!m.msg.empty() || m.msg_has_bom) {
    out->push_back(' ');
    if (m.msg_has_bom) out->append("\xEF\xBB\xBF");
    out->append(m.msg);
  }
}

std::string FormatDecnetLine(int severity, int64_t time_us, std::string_view decky,
                             std::string_view service, std::string_view event_type,
                             const ParamList& params, std::string_view msg) {
  std::string out;
  out.reserve(96 + msg.size() + params.size() * 24);
  out.push_back('<');
  out.append(std::to_string(16 * 8 + (severity & 7)));
  out.append(">1 ");
  AppendRfc3339(&out, time_us);
  out.push_back(' ');
  out.append(Truncated(decky, kMaxHostname));
  out.push_back(' ');
  out.append(Truncated(service, kMaxAppName));
  out.append(" - ");
  out.append(Truncated(event_type, kMaxMsgId));
  out.push_back(' ');
  if (params.empty()) {
    out.append(kNil);
  } else {
    out.append("[relay@55555");
    for (const auto& [k, v] : params) {
      out.push_back(' ');
      out.append(k);
      out.append("=\"");
      AppendSdEscaped(&out, v);
      out.push_back('"');
    }
    out.push_back(']');
  }
  if (!msg.empty()) {
    out.push_back(' ');
    out.append(msg);
  }
  return out;
}

}  // namespace decnet::syslog
