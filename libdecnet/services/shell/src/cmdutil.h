// Small helpers the command implementations share: option splitting, numbers, padding.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "state.h"

namespace decnet::services::shell {

// getopt-ish: "-la" sets l and a; letters in `with_value` take the next word (or the rest of this
// one) as their value; "--x" long options are kept by name; "--" ends options.
struct Args {
  std::string flags;
  std::map<char, std::string> values;
  std::vector<std::string> longs;
  std::vector<std::string> operands;
  bool Has(char c) const { return flags.find(c) != std::string::npos; }
  bool HasLong(std::string_view name) const {
    for (const auto& l : longs)
      if (l == name || l.starts_with(std::string(name) + "=")) return true;
    return false;
  }
};

inline Args ParseArgs(const std::vector<std::string>& argv, std::string_view with_value = {},
                      size_t first = 1) {
  Args a;
  bool options = true;
  for (size_t i = first; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (options && w == "--") {
      options = false;
    } else if (options && w.starts_with("--")) {
      a.longs.push_back(w.substr(2));
    } else if (options && w.size() > 1 && w[0] == '-') {
      for (size_t k = 1; k < w.size(); ++k) {
        const char f = w[k];
        a.flags.push_back(f);
        if (with_value.find(f) != std::string_view::npos) {
          if (k + 1 < w.size()) {
            a.values[f] = w.substr(k + 1);
          } else if (i + 1 < argv.size()) {
            a.values[f] = argv[++i];
          }
          break;
        }
      }
    } else {
      a.operands.push_back(w);
    }
  }
  return a;
}

inline std::string Pad(std::string_view s, size_t width, bool right = false) {
  std::string out;
  if (s.size() < width && right) out.append(width - s.size(), ' ');
  out.append(s);
  if (s.size() < width && !right) out.append(width - s.size(), ' ');
  return out;
}

inline std::string Fmt(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// "1.5G", "512M", "40K" as GNU's -h prints sizes (powers of 1024, one decimal under 10).
inline std::string HumanSize(uint64_t bytes) {
  const char* units = "BKMGTP";
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return std::to_string(bytes);
  if (v < 10) return Fmt("%.1f%c", v + 0.05 > 10 ? 10.0 : v, units[u]);
  return Fmt("%.0f%c", v, units[u]);
}

inline bool IsRoot(const ShellState& sh) { return sh.user == "root"; }

// "cmd: " prefix errors as GNU tools print them; busybox adds nothing different for these.
inline void Fail(Ctx& c, std::string_view text) {
  c.Error(std::string(c.argv[0]) + ": " + std::string(text) + "\n");
}

std::string FileText(ShellState& sh, const Node& n, std::string_view path);  // /proc/uptime is live
std::string LsLong(ShellState& sh, const std::string& name, const Node& n, bool human);

}  // namespace decnet::services::shell
