// Worker configuration: flag > environment (DECNET_*) > INI file > built-in default.
//
// A key "db_path" is the flag --db-path, the variable DECNET_DB_PATH, and the INI key db_path in the
// worker's own section [<worker>] or, failing that, in [decnet]. The INI file is $DECNET_CONFIG, else
// /etc/decnet/decnet.ini (a missing default file is fine; a missing $DECNET_CONFIG file is an error).
// Every value is validated when loaded; a bad one is an error that names the key and where it came from.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"

namespace decnet {

class Config {
 public:
  // `worker` names the INI section and the usage line; `summary` is one line for --help.
  Config(std::string worker, std::string summary);

  // Declaring keys: call before Load(). Keys are lower_snake_case.
  void AddString(std::string key, std::string def, std::string help);
  void AddInt(std::string key, int64_t def, int64_t min, int64_t max, std::string help);
  void AddDouble(std::string key, double def, double min, double max, std::string help);
  void AddBool(std::string key, bool def, std::string help);

  // Parses argv, the environment and the INI file. On success, help_requested() tells whether --help was
  // given (the usage text is then in Usage()). Errors name the key, the value and its source.
  Status Load(int argc, char** argv);

  // REQUIRES: the key was declared with the matching type (aborts otherwise: a programming error).
  const std::string& String(std::string_view key) const;
  int64_t Int(std::string_view key) const;
  double Double(std::string_view key) const;
  bool Bool(std::string_view key) const;
  // Where the key's value came from: "flag", "env DECNET_X", "FILE:LINE" or "default".
  const std::string& Source(std::string_view key) const;

  bool help_requested() const { return help_requested_; }
  const std::string& worker() const { return worker_; }
  std::string Usage() const;
  // Positional arguments left after the flags (for CLIs).
  const std::vector<std::string>& positional() const { return positional_; }

  static std::string FlagName(std::string_view key);  // db_path -> db-path
  static std::string EnvName(std::string_view key);   // db_path -> DECNET_DB_PATH

 private:
  enum class Type { kString, kInt, kDouble, kBool };
  struct Entry {
    Type type;
    std::string help;
    std::string def_text;
    int64_t imin = 0, imax = 0;
    double dmin = 0, dmax = 0;
    std::string text;  // the raw value chosen by precedence
    std::string source;
    int64_t ival = 0;
    double dval = 0;
    bool bval = false;
  };
  Status Set(Entry& e, const std::string& key, std::string text, std::string source);
  const Entry& Get(std::string_view key, Type type) const;

  std::string worker_, summary_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::string> order_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

// Splits a comma-separated config value ("a, b,,c") into its items: spaces around items trimmed, empty
// items dropped. Every list-valued key (listen addresses, worker names, origins, services) uses it.
std::vector<std::string> SplitCommaList(std::string_view csv);

// Reads an INI file with inih into (section, key) -> (value, line). Errors name the file and line.
struct IniValue {
  std::string value;
  int line = 0;
};
using IniMap = std::map<std::pair<std::string, std::string>, IniValue>;
Result<IniMap> ReadIniFile(const std::string& path);
Result<IniMap> ParseIniString(std::string_view text, const std::string& name_for_errors);

}  // namespace decnet
