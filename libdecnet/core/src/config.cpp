#include "decnet/core/config.h"
#include "decnet/core/text.h"

#include <ini.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// Positional arguments may be JSON with commas: never split them.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

namespace decnet {
namespace {

std::string NormalizeKey(std::string_view s) {
  std::string out = AsciiLower(s);
  for (char& c : out) {
    if (c == '-') c = '_';
  }
  return out;
}

bool ParseBoolText(std::string_view t, bool* out) {
  const std::string v = AsciiLower(t);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return *out = true, true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return *out = false, true;
  return false;
}

struct IniState {
  IniMap* map;
  int line = 0;
  FILE* file = nullptr;
  std::string_view text;
  size_t pos = 0;
};

char* ReadLineFromFile(char* buf, int size, void* stream) {
  auto* st = static_cast<IniState*>(stream);
  char* r = std::fgets(buf, size, st->file);
  if (r) ++st->line;
  return r;
}

char* ReadLineFromString(char* buf, int size, void* stream) {
  auto* st = static_cast<IniState*>(stream);
  if (st->pos >= st->text.size() || size < 2) return nullptr;
  size_t end = st->text.find('\n', st->pos);
  size_t n = (end == std::string_view::npos ? st->text.size() : end + 1) - st->pos;
  if (n > static_cast<size_t>(size - 1)) n = static_cast<size_t>(size - 1);
  std::memcpy(buf, st->text.data() + st->pos, n);
  buf[n] = '\0';
  st->pos += n;
  ++st->line;
  return buf;
}

int IniHandler(void* user, const char* section, const char* name, const char* value) {
  auto* st = static_cast<IniState*>(user);
  (*st->map)[{AsciiLower(section), NormalizeKey(name)}] = IniValue{value, st->line};
  return 1;
}

Result<IniMap> ParseWith(ini_reader reader, IniState& st, const std::string& name) {
  IniMap map;
  st.map = &map;
  int rc = ini_parse_stream(reader, &st, IniHandler, &st);
  if (rc > 0) {
    return MakeError(Errc::kInvalidArgument,
                     name + ":" + std::to_string(rc) + ": malformed INI line (expected key = value)");
  }
  if (rc < 0) return MakeError(Errc::kIo, name + ": cannot parse INI file");
  return map;
}

}  // namespace

std::vector<std::string> SplitCommaList(std::string_view csv) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= csv.size()) {
    size_t comma = csv.find(',', i);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string_view item = csv.substr(i, comma - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    i = comma + 1;
  }
  return out;
}

Result<IniMap> ReadIniFile(const std::string& path) {
  IniState st;
  st.file = std::fopen(path.c_str(), "re");
  if (!st.file) return MakeError(Errc::kNotFound, path + ": " + std::strerror(errno));
  auto r = ParseWith(ReadLineFromFile, st, path);
  std::fclose(st.file);
  return r;
}

Result<IniMap> ParseIniString(std::string_view text, const std::string& name_for_errors) {
  IniState st;
  st.text = text;
  return ParseWith(ReadLineFromString, st, name_for_errors);
}

Config::Config(std::string worker, std::string summary)
    : worker_(std::move(worker)), summary_(std::move(summary)) {}

std::string Config::FlagName(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

std::string Config::EnvName(std::string_view key) {
  std::string out = "DECNET_";
  for (char c : key) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

void Config::AddString(std::string key, std::string def, std::string help) {
  Entry e;
  e.type = Type::kString;
  e.help = std::move(help);
  e.def_text = def;
  e.text = std::move(def);
  e.source = "default";
  order_.push_back(key);
  entries_[std::move(key)] = std::move(e);
}

void Config::AddInt(std::string key, int64_t def, int64_t min, int64_t max, std::string help) {
  Entry e;
  e.type = Type::kInt;
  e.help = std::move(help);
  e.def_text = std::to_string(def);
  e.imin = min;
  e.imax = max;
  e.ival = def;
  e.text = e.def_text;
  e.source = "default";
  order_.push_back(key);
  entries_[std::move(key)] = std::move(e);
}

void Config::AddDouble(std::string key, double def, double min, double max, std::string help) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", def);
  Entry e;
  e.type = Type::kDouble;
  e.help = std::move(help);
  e.def_text = buf;
  e.dmin = min;
  e.dmax = max;
  e.dval = def;
  e.text = e.def_text;
  e.source = "default";
  order_.push_back(key);
  entries_[std::move(key)] = std::move(e);
}

void Config::AddBool(std::string key, bool def, std::string help) {
  Entry e;
  e.type = Type::kBool;
  e.help = std::move(help);
  e.def_text = def ? "true" : "false";
  e.bval = def;
  e.text = e.def_text;
  e.source = "default";
  order_.push_back(key);
  entries_[std::move(key)] = std::move(e);
}

Status Config::Set(Entry& e, const std::string& key, std::string text, std::string source) {
  const auto bad = [&](const std::string& expected) {
    return MakeError(Errc::kInvalidArgument, "invalid value '" + text + "' for " + key + " (from " +
                                                 source + "): expected " + expected);
  };
  switch (e.type) {
    case Type::kString:
      break;
    case Type::kInt: {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno == ERANGE || v < e.imin || v > e.imax) {
        return bad("an integer from " + std::to_string(e.imin) + " to " + std::to_string(e.imax));
      }
      e.ival = v;
      break;
    }
    case Type::kDouble: {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(v >= e.dmin && v <= e.dmax)) {
        char range[96];
        std::snprintf(range, sizeof range, "a number from %g to %g", e.dmin, e.dmax);
        return bad(range);
      }
      e.dval = v;
      break;
    }
    case Type::kBool:
      if (!ParseBoolText(text, &e.bval)) return bad("true or false");
      break;
  }
  e.text = std::move(text);
  e.source = std::move(source);
  return Ok();
}

Status Config::Load(int argc, char** argv) {
  cxxopts::Options opts(argc > 0 ? argv[0] : worker_, summary_);
  opts.allow_unrecognised_options();
  auto add = opts.add_options();
  add("h,help", "show this help");
  for (const auto& key : order_) {
    const Entry& e = entries_.find(key)->second;
    if (e.type == Type::kBool) {
      add(FlagName(key), e.help, cxxopts::value<std::string>()->implicit_value("true"));
    } else {
      add(FlagName(key), e.help, cxxopts::value<std::string>());
    }
  }
  add("positional", "", cxxopts::value<std::vector<std::string>>());
  opts.parse_positional({"positional"});

  cxxopts::ParseResult parsed;
  try {
    parsed = opts.parse(argc, argv);
  } catch (const std::exception& ex) {
    return MakeError(Errc::kInvalidArgument, ex.what());
  }
  if (!parsed.unmatched().empty()) {
    return MakeError(Errc::kInvalidArgument, "unknown option '" + parsed.unmatched().front() +
                                                 "' (see --help)");
  }
  help_requested_ = parsed.count("help") > 0;
  if (parsed.count("positional")) positional_ = parsed["positional"].as<std::vector<std::string>>();
  if (help_requested_) return Ok();

  // INI file: $DECNET_CONFIG must exist if set; the default path may be absent.
  const char* cfg_env = std::getenv("DECNET_CONFIG");
  const std::string ini_path = cfg_env && *cfg_env ? cfg_env : "/etc/decnet/decnet.ini";
  IniMap ini;
  if (auto r = ReadIniFile(ini_path)) {
    ini = std::move(*r);
  } else if (r.error().code != Errc::kNotFound || (cfg_env && *cfg_env)) {
    return MakeError(r.error().code, "config file " + r.error().message);
  }
  const std::string section = AsciiLower(worker_);

  for (const auto& key : order_) {
    Entry& e = entries_.find(key)->second;
    const std::string flag = FlagName(key);
    if (parsed.count(flag)) {
      if (auto st = Set(e, key, parsed[flag].as<std::string>(), "flag --" + flag); !st) return st;
      continue;
    }
    const std::string env = EnvName(key);
    if (const char* v = std::getenv(env.c_str())) {
      if (auto st = Set(e, key, v, "env " + env); !st) return st;
      continue;
    }
    for (const std::string& sec : {section, std::string("decnet")}) {
      auto it = ini.find({sec, key});
      if (it != ini.end()) {
        std::string src = ini_path + ":" + std::to_string(it->second.line) + " [" + sec + "] " + key;
        if (auto st = Set(e, key, it->second.value, std::move(src)); !st) return st;
        break;
      }
    }
  }
  return Ok();
}

const Config::Entry& Config::Get(std::string_view key, Type type) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.type != type) {
    std::fprintf(stderr, "BUG: config key '%.*s' not declared with this type\n",
                 static_cast<int>(key.size()), key.data());
    std::abort();
  }
  return it->second;
}

const std::string& Config::String(std::string_view key) const { return Get(key, Type::kString).text; }
int64_t Config::Int(std::string_view key) const { return Get(key, Type::kInt).ival; }
double Config::Double(std::string_view key) const { return Get(key, Type::kDouble).dval; }
bool Config::Bool(std::string_view key) const { return Get(key, Type::kBool).bval; }

const std::string& Config::Source(std::string_view key) const {
  auto it = entries_.find(key);
  static const std::string kNone = "undeclared";
  return it == entries_.end() ? kNone : it->second.source;
}

std::string Config::Usage() const {
  std::string out = "Usage: decnet-" + worker_ + " [options]\n" + summary_ + "\n\nOptions (flag > " +
                    "environment > INI [" + worker_ + "]/[decnet] in $DECNET_CONFIG or " +
                    "/etc/decnet/decnet.ini > default):\n";
  out += "  -h, --help\n      show this help\n";
  for (const auto& key : order_) {
    const Entry& e = entries_.find(key)->second;
    out += "  --" + FlagName(key) + (e.type == Type::kBool ? "[=BOOL]" : "=VALUE") + "\n      " +
           e.help + "\n      (default: " + (e.def_text.empty() ? "\"\"" : e.def_text) +
           "; env " + EnvName(key) + "; ini " + key + ")\n";
  }
  return out;
}

}  // namespace decnet
