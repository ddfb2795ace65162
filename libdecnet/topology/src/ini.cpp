#include "decnet/topology/ini.h"
#include "decnet/core/text.h"

#include <ini.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "decnet/core/json.h"

namespace decnet::topology {
namespace {

struct Entry {
  std::string section, key, value;
  int line;
};

// Feeds inih one physical line at a time so handler calls can be tied to line numbers (Debian's
// libinih is built without INI_HANDLER_LINENO). A line too long for inih's buffer is consumed whole
// and reported.
struct LineReader {
  std::string_view text;
  size_t pos = 0;
  int line = 0;
  int last_header_line = 0;  // line of the most recent "[section]" header
  std::vector<int> too_long;
};

char* ReadLine(char* str, int num, void* stream) {
  auto* r = static_cast<LineReader*>(stream);
  if (r->pos >= r->text.size() || num < 2) return nullptr;
  size_t end = r->text.find('\n', r->pos);
  const size_t next = end == std::string_view::npos ? r->text.size() : end + 1;
  end = next;
  ++r->line;
  size_t len = end - r->pos;
  if (len > static_cast<size_t>(num - 1)) {
    r->too_long.push_back(r->line);
    len = 0;  // hand inih an empty line instead of a truncated one
  }
  std::memcpy(str, r->text.data() + r->pos, len);
  // NUL bytes inside a line would silently cut it short: replace them so the value stays visible.
  for (size_t i = 0; i < len; ++i)
    if (str[i] == '\0') str[i] = '?';
  str[len] = '\0';
  size_t first = 0;
  while (first < len && (str[first] == ' ' || str[first] == '\t')) ++first;
  if (first < len && str[first] == '[') r->last_header_line = r->line;
  r->pos = next;
  return str;
}

struct Collector {
  LineReader* reader;
  std::vector<Entry> entries;
  std::map<std::string, int> header_lines;  // section -> line of its header
  size_t max_entries;
  bool overflow = false;
};

int Handler(void* user, const char* section, const char* name, const char* value) {
  auto* c = static_cast<Collector*>(user);
  if (c->entries.size() >= c->max_entries) {
    c->overflow = true;
    return 0;
  }
  c->header_lines.emplace(section, c->reader->last_header_line);
  // A repeated key in one section is a continuation line (multi-line value): join with a newline.
  if (!c->entries.empty() && c->entries.back().section == section &&
      c->entries.back().key == name) {
    c->entries.back().value += "\n";
    c->entries.back().value += value;
    return 1;
  }
  c->entries.push_back(Entry{section, name, value, c->reader->line});
  return 1;
}

std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return std::string(s.substr(a, b - a));
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    std::string item = Trim(s.substr(start, comma - start));
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

Result<int64_t> ParseInt(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty() || t.size() > 20)
    return MakeError(Errc::kInvalidArgument, "expected an integer, got '" + t + "'");
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i == t.size())
    return MakeError(Errc::kInvalidArgument, "expected an integer, got '" + t + "'");
  for (size_t k = i; k < t.size(); ++k)
    if (t[k] < '0' || t[k] > '9')
      return MakeError(Errc::kInvalidArgument, "expected an integer, got '" + t + "'");
  errno = 0;
  const long long v = std::strtoll(t.c_str(), nullptr, 10);
  if (errno == ERANGE)
    return MakeError(Errc::kInvalidArgument, "integer out of range: '" + t + "'");
  return static_cast<int64_t>(v);
}

Result<bool> ParseBool(std::string_view s) {
  const std::string t = AsciiLower(Trim(s));
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return MakeError(Errc::kInvalidArgument,
                   "expected a boolean (true/false/yes/no/on/off/1/0), got '" + t + "'");
}

Result<std::string> Base64Decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return MakeError(Errc::kInvalidArgument, "malformed b64: payload");
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = val(c)) < 0) {
        return MakeError(Errc::kInvalidArgument, "malformed b64: payload");
      }
    }
    const uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>(n >> 16));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 255));
    if (pad < 1) out.push_back(static_cast<char>(n & 255));
  }
  return out;
}

bool InChoices(const ConfigField& f, std::string_view v) {
  for (std::string_view c : f.choices)
    if (c == v) return true;
  return false;
}

std::string Quoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(out, s);
  return out;
}

std::string Choices(const ConfigField& f) {
  std::string out;
  for (std::string_view c : f.choices) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

Result<uint16_t> ParseHostPort(std::string_view s) {
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return MakeError(Errc::kInvalidArgument, "expected host:port, got '" + std::string(s) + "'");
  }
  auto port = ParseInt(s.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) {
    return MakeError(Errc::kInvalidArgument, "bad port in '" + std::string(s) + "'");
  }
  return static_cast<uint16_t>(*port);
}

// Builds the IniConfig from the collected entries (second pass, so subsections may come first).
class Builder {
 public:
  Builder(IniResult& r, const IniLimits& limits) : r_(r), limits_(limits) {}

  void Run(const std::vector<Entry>& entries, const std::map<std::string, int>& header_lines) {
    std::vector<std::string> order;  // decky sections in first-seen order
    std::map<std::string, std::vector<const Entry*>> by_section;
    std::map<std::string, int> first_line;
    for (const Entry& e : entries) {
      if (!by_section.count(e.section)) {
        order.push_back(e.section);
        auto h = header_lines.find(e.section);
        first_line[e.section] = h != header_lines.end() && h->second > 0 ? h->second : e.line;
      }
      by_section[e.section].push_back(&e);
    }
    for (const std::string& s : order) {
      if (s == "general")
        General(by_section[s]);
      else if (s.rfind("custom-", 0) == 0)
        Warn(first_line[s],
             "[" + s + "]: custom (bring-your-own) services are not supported; section ignored");
      else if (s.find('.') == std::string::npos)
        DeckySection(s, by_section[s]);
    }
    for (const std::string& s : order)
      if (s.find('.') != std::string::npos) ServiceSection(s, by_section[s], first_line[s]);
  }

 private:
  void Err(int line, std::string m) { r_.errors.push_back({line, std::move(m)}); }
  void Warn(int line, std::string m) { r_.warnings.push_back({line, std::move(m)}); }
  // Stores a parsed value in *dst, or reports "<what>: <why>" at `line`.
  template <typename T, typename Dst>
  void Take(int line, const char* what, const Result<T>& parsed, Dst& dst) {
    if (parsed)
      dst = *parsed;
    else
      Err(line, std::string(what) + ": " + parsed.error().message);
  }

  void General(const std::vector<const Entry*>& es) {
    IniConfig& c = r_.config;
    for (const Entry* e : es) {
      const std::string k = AsciiLower(e->key);
      const std::string v = Trim(e->value);
      if (k == "net") {
        Take(e->line, "[general] net", ParseCidr(v, false), c.subnet);
      } else if (k == "gw") {
        Take(e->line, "[general] gw", ParseIpv4(v), c.gateway);
      } else if (k == "interface") {
        c.interface = v;
      } else if (k == "log_target" || k == "log-target") {
        if (auto p = ParseHostPort(v); !p)
          Err(e->line, "[general] log_target: " + p.error().message);
        else
          c.log_target = v;
      } else if (k == "ipvlan") {
        Take(e->line, "[general] ipvlan", ParseBool(v), c.ipvlan);
      } else if (k == "distro") {
        if (FindDistro(v) == nullptr)
          Err(e->line, "[general] distro: unknown distro '" + v + "'. Available: " + DistroNames());
        else
          c.distro = v;
      } else {
        Warn(e->line, "[general]: unknown key '" + e->key + "'");
      }
    }
  }

  void DeckySection(const std::string& name, const std::vector<const Entry*>& es) {
    DeckySpec spec;
    spec.name = name;
    int64_t amount = 1;
    int ip_line = 0, amount_line = es.empty() ? 0 : es[0]->line;
    for (const Entry* e : es) {
      const std::string k = AsciiLower(e->key);
      const std::string v = Trim(e->value);
      const std::string where = "[" + name + "] " + k + ": ";
      if (k == "ip") {
        auto ip = ParseIpv4(v);
        if (ip)
          spec.ip = *ip;
        else
          Err(e->line, where + ip.error().message);
        ip_line = e->line;
      } else if (k == "services") {
        for (const std::string& s : SplitList(v)) {
          if (FindService(s) == nullptr)
            Err(e->line, where + "unknown service '" + s + "'. Available: " + ServiceNames());
          else
            spec.services.explicit_services.push_back(s);
        }
        if (SplitList(v).empty()) Err(e->line, where + "empty service list");
      } else if (k == "archetype") {
        if (FindArchetype(v) == nullptr)
          Err(e->line, where + "unknown archetype '" + v + "'. Available: " + ArchetypeNames());
        else
          spec.services.archetype = v;
      } else if (k == "distro") {
        if (FindDistro(v) == nullptr)
          Err(e->line, where + "unknown distro '" + v + "'. Available: " + DistroNames());
        else
          spec.distro = v;
      } else if (k == "nmap_os" || k == "nmap-os") {
        if (FindOsProfile(v) == nullptr)
          Err(e->line, where + "unknown OS profile '" + v + "'. Available: " + OsProfileNames());
        else
          spec.os_profile = v;
      } else if (k == "amount") {
        auto n = ParseInt(v);
        amount_line = e->line;
        if (!n || *n < 1 || *n > static_cast<int64_t>(limits_.max_deckies)) {
          Err(e->line, where + "must be an integer in 1.." + std::to_string(limits_.max_deckies) +
                           ", got '" + v + "'");
        } else {
          amount = *n;
        }
      } else {
        Warn(e->line, "[" + name + "]: unknown key '" + e->key + "'");
      }
    }
    if (amount > 1 && spec.ip) {
      Err(ip_line, "[" + name + "]: ip= cannot be combined with amount=" + std::to_string(amount));
      return;
    }
    if (r_.config.deckies.size() + static_cast<size_t>(amount) > limits_.max_deckies) {
      Err(amount_line, "[" + name + "]: more than " + std::to_string(limits_.max_deckies) +
                           " deckies in one file");
      return;
    }
    groups_[name] = {};
    if (amount == 1) {
      groups_[name].push_back(r_.config.deckies.size());
      r_.config.deckies.push_back(std::move(spec));
      return;
    }
    for (int64_t i = 1; i <= amount; ++i) {
      DeckySpec one = spec;
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, "-%02lld", static_cast<long long>(i));
      one.name = name + suffix;
      groups_[name].push_back(r_.config.deckies.size());
      r_.config.deckies.push_back(std::move(one));
    }
  }

  void ServiceSection(const std::string& section, const std::vector<const Entry*>& es, int line) {
    const size_t dot = section.find('.');
    const std::string decky = section.substr(0, dot), svc = section.substr(dot + 1);
    const ServiceDef* def = FindService(svc);
    if (def == nullptr) {
      Err(line, "[" + section + "]: unknown service '" + svc + "'. Available: " + ServiceNames());
      return;
    }
    auto group = groups_.find(decky);
    if (group == groups_.end()) {
      Warn(line, "[" + section + "]: no decky section [" + decky + "]; settings ignored");
      return;
    }
    std::vector<Setting> settings;
    for (const Entry* e : es) {
      const ConfigField* f = FindField(*def, e->key);
      if (f == nullptr) {
        Warn(e->line, "[" + section + "]: unknown key '" + e->key + "' for service " + svc);
        continue;
      }
      if (Trim(e->value).empty()) continue;  // empty means "not set", as in the original
      auto s = CoerceSetting(*f, e->value);
      if (!s)
        Err(e->line, "[" + section + "] " + s.error().message);
      else
        settings.push_back(std::move(*s));
    }
    for (size_t idx : group->second) r_.config.deckies[idx].settings[svc] = settings;
  }

  IniResult& r_;
  const IniLimits& limits_;
  std::map<std::string, std::vector<size_t>> groups_;  // section -> expanded decky indexes
};

}  // namespace

Result<Setting> CoerceSetting(const ConfigField& f, std::string_view raw_in) {
  Setting s;
  s.key = f.key;
  s.type = f.type;
  const std::string raw = Trim(raw_in);
  auto bad = [&](std::string why) {
    return MakeError(Errc::kInvalidArgument, std::string(f.key) + ": " + why);
  };
  switch (f.type) {
    case FieldType::kString:
    case FieldType::kPassword:
      s.env = raw;
      break;
    case FieldType::kTextarea: {
      s.env = raw;
      if (raw.rfind("b64:", 0) == 0) {
        auto dec = Base64Decode(std::string_view(raw).substr(4));
        if (!dec) return bad(dec.error().message);
        s.env = *dec;
      }
      break;
    }
    case FieldType::kInt: {
      auto v = ParseInt(raw);
      if (!v) return bad(v.error().message);
      s.env = std::to_string(*v);
      s.json = s.env;
      return s;
    }
    case FieldType::kBool: {
      auto v = ParseBool(raw);
      if (!v) return bad(v.error().message);
      s.env = *v ? "true" : "false";
      s.json = s.env;
      return s;
    }
    case FieldType::kEnum:
      if (!InChoices(f, raw)) return bad("'" + raw + "' is not one of: " + Choices(f));
      s.env = raw;
      break;
    case FieldType::kMultiEnum: {
      std::vector<std::string> items;
      for (const std::string& item : SplitList(raw)) {
        if (!InChoices(f, item)) return bad("'" + item + "' is not one of: " + Choices(f));
        bool dup = false;
        for (const std::string& seen : items) dup = dup || seen == item;
        if (!dup) items.push_back(item);
      }
      if (items.empty()) return bad("list must not be empty");
      s.json = "[";
      for (size_t i = 0; i < items.size(); ++i) s.json += (i ? "," : "") + Quoted(items[i]);
      s.json += "]";
      s.env = s.json;
      return s;
    }
  }
  s.json = Quoted(s.env);
  return s;
}

IniResult ParseIni(std::string_view text, const IniLimits& limits) {
  IniResult result;
  if (text.size() > limits.max_bytes) {
    result.errors.push_back({0, "file larger than " + std::to_string(limits.max_bytes) + " bytes"});
    return result;
  }
  LineReader reader;
  reader.text = text;
  Collector collector{&reader, {}, {}, limits.max_entries};
  const int rc = ini_parse_stream(ReadLine, &reader, Handler, &collector);
  for (int line : reader.too_long)
    result.errors.push_back({line, "line too long for the INI reader"});
  if (collector.overflow) {
    result.errors.push_back(
        {reader.line, "more than " + std::to_string(limits.max_entries) + " entries"});
    return result;
  }
  if (rc > 0)
    result.errors.push_back({rc, "syntax error (expected [section] or key=value)"});
  else if (rc < 0)
    result.errors.push_back({0, "the INI reader failed (" + std::to_string(rc) + ")"});
  if (!result.errors.empty()) return result;
  Builder(result, limits).Run(collector.entries, collector.header_lines);
  return result;
}

IniResult LoadIniFile(const std::string& path, const IniLimits& limits) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    IniResult r;
    r.errors.push_back({0, "cannot open: " + std::string(std::strerror(errno))});
    return r;
  }
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() <= limits.max_bytes)
    text.append(buf, n);
  std::fclose(f);
  return ParseIni(text, limits);
}

std::string FormatDiagnostics(const std::string& path, const std::vector<IniDiagnostic>& diags) {
  std::string out;
  for (const IniDiagnostic& d : diags)
    out += path + ":" + std::to_string(d.line) + ": " + d.message + "\n";
  return out;
}

}  // namespace decnet::topology
