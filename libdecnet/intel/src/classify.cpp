#include "decnet/intel/classify.h"

#include <cmath>

#include "decnet/core/json.h"

namespace decnet::intel {
namespace {

struct C2Signature {
  std::string_view name;
  double interval, interval_tol, jitter, jitter_tol;
};
constexpr C2Signature kC2[] = {
    {"cobalt_strike", 60.0, 8.0, 0.20, 0.05},
    {"sliver", 60.0, 10.0, 0.30, 0.08},
    {"havoc", 45.0, 8.0, 0.10, 0.03},
    {"mythic", 30.0, 6.0, 0.15, 0.03},
};

struct HeaderSignature {
  std::string_view name, header, pattern;
  bool prefix;  // the original's "^curl/" regex: a case-insensitive prefix
};
constexpr HeaderSignature kHeaderTools[kHeaderToolCount] = {
    {"nmap", "user-agent", "nmap scripting engine", false},
    {"gophish", "x-mailer", "gophish", false},
    {"nikto", "user-agent", "nikto", false},
    {"sqlmap", "user-agent", "sqlmap", false},
    {"nuclei", "user-agent", "nuclei", false},
    {"masscan", "user-agent", "masscan", false},
    {"zgrab", "user-agent", "zgrab", false},
    {"metasploit", "user-agent", "metasploit", false},
    {"curl", "user-agent", "curl/", true},
    {"python_requests", "user-agent", "python-requests", false},
    {"gobuster", "user-agent", "gobuster", false},
    {"dirbuster", "user-agent", "dirbuster", false},
    {"hydra", "user-agent", "hydra", false},
    {"wfuzz", "user-agent", "wfuzz", false},
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != b[i]) return false;
  }
  return true;
}

// `needle` is lower case.
bool ContainsNoCase(std::string_view hay, std::string_view needle, bool prefix_only) {
  if (needle.size() > hay.size()) return false;
  const size_t last = prefix_only ? 0 : hay.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    size_t j = 0;
    while (j < needle.size() && Lower(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

bool In(std::string_view v, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set) {
    if (s == v) return true;
  }
  return false;
}

}  // namespace

std::string_view BehaviorName(Behavior b) {
  switch (b) {
    case Behavior::kUnknown:
      return "unknown";
    case Behavior::kSlowScan:
      return "slow_scan";
    case Behavior::kScanning:
      return "scanning";
    case Behavior::kBruteForce:
      return "brute_force";
    case Behavior::kBeaconing:
      return "beaconing";
    case Behavior::kInteractive:
      return "interactive";
    case Behavior::kMixed:
      return "mixed";
  }
  return "unknown";
}

Behavior ClassifyBehavior(uint64_t n, std::optional<double> mean_opt, std::optional<double> cv,
                          size_t services) {
  if (n < 3 || !mean_opt) return Behavior::kUnknown;
  const double mean = *mean_opt;
  if (services >= 2 && mean >= 10.0 && n >= 4) return Behavior::kSlowScan;
  if ((services >= 3 && mean < 10.0) || (services >= 2 && mean < 2.0)) return Behavior::kScanning;
  if (services == 1 && n >= 8 && mean < 5.0 && cv && *cv < 0.6) return Behavior::kBruteForce;
  if (cv && *cv < 0.35 && mean >= 5.0 && n >= 4) return Behavior::kBeaconing;
  if (cv && *cv >= 0.5 && mean < 5.0 && n >= 6) return Behavior::kInteractive;
  return Behavior::kMixed;
}

std::vector<std::string_view> GuessC2Tools(std::optional<double> mean, std::optional<double> cv) {
  std::vector<std::string_view> hits;
  if (!mean || !cv) return hits;
  for (const C2Signature& s : kC2) {
    if (std::fabs(*mean - s.interval) > s.interval_tol) continue;
    if (std::fabs(*cv - s.jitter) > s.jitter_tol) continue;
    hits.push_back(s.name);
  }
  return hits;
}

std::string_view HeaderToolName(int index) {
  return index >= 0 && index < kHeaderToolCount ? kHeaderTools[index].name : std::string_view();
}

bool DetectHeaderTools(std::string_view headers_json, std::vector<uint8_t>& hits) {
  rapidjson::Document doc;
  json::ParseLimits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_depth = 8;
  if (!json::ParseObject(headers_json, doc, limits)) return false;
  for (int t = 0; t < kHeaderToolCount; ++t) {
    bool seen = false;
    for (uint8_t h : hits) seen = seen || h == t;
    if (seen) continue;
    const HeaderSignature& sig = kHeaderTools[t];
    // The original lower-cased keys into a dict: with duplicate keys the last one wins.
    const rapidjson::Value* value = nullptr;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      std::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (EqualsNoCase(key, sig.header)) value = &it->value;
    }
    if (value == nullptr) continue;
    std::string text;
    std::string_view v;
    if (value->IsString()) {
      v = std::string_view(value->GetString(), value->GetStringLength());
    } else {
      text = json::Serialize(*value);  // the original matched str(v)
      v = text;
    }
    if (ContainsNoCase(v, sig.pattern, sig.prefix)) hits.push_back(static_cast<uint8_t>(t));
  }
  return true;
}

std::optional<int64_t> ParsePythonInt(std::string_view s) {
  auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  bool neg = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  int64_t v = 0;
  bool prev_us = false;
  for (char c : s) {
    if (c == '_') {
      if (prev_us) return std::nullopt;
      prev_us = true;
      continue;
    }
    prev_us = false;
    if (c < '0' || c > '9') return std::nullopt;
    // Saturate: a 40-digit "size" is still >= 1 MiB, which is all anyone asks of it.
    if (v > (INT64_MAX - 9) / 10) {
      v = INT64_MAX;
    } else {
      v = v * 10 + (c - '0');
    }
  }
  return neg ? -v : v;
}

std::optional<std::string_view> OsFromTtl(std::string_view ttl_text) {
  const auto ttl = ParsePythonInt(ttl_text);
  if (!ttl) return std::nullopt;
  if (*ttl >= 55 && *ttl <= 70) return std::string_view("linux");
  if (*ttl >= 115 && *ttl <= 135) return std::string_view("windows");
  if (*ttl >= 235 && *ttl <= 255) return std::string_view("embedded");
  return std::nullopt;
}

bool IsReconEvent(std::string_view t) {
  return In(t, {"scan", "connection", "banner", "probe", "login_attempt", "auth", "auth_failure"});
}
bool IsExfilEvent(std::string_view t) {
  return In(t, {"download", "upload", "file_transfer", "data_exfil", "command", "exec", "query",
                "shell_input"});
}
bool IsCommandEvent(std::string_view t) {
  return In(t, {"command", "exec", "query", "input", "shell_input", "execute", "run", "sql_query",
                "redis_command"});
}

}  // namespace decnet::intel
