// INI deploy files in the original's format, read with inih:
//
//   [general]            net=192.168.1.0/24  gw=192.168.1.1  interface=eth0
//   log_target=10.0.0.5:5140
//                        ipvlan=false  distro=debian
//   [web-1]              ip=192.168.1.82  services=ssh,http  archetype=linux-server distro=ubuntu22
//                        nmap_os=linux  amount=3 (expands to web-1-01 .. web-1-03; not with ip=)
//   [web-1.http]         per-service persona settings, coerced through the service's schema
//
// Every value is coerced to its declared type (bool "false" stays false; the original made it
// true). Bad values are errors and unknown keys are warnings, each with its line number. The input
// is attacker- reachable (uploaded through the API), so it is bounded and fuzzed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/topology/generator.h"
#include "decnet/topology/registry.h"

namespace decnet::topology {

struct IniDiagnostic {
  int line = 0;  // 1-based; 0 when not tied to a line
  std::string message;
};

struct IniConfig {
  std::optional<Cidr> subnet;
  std::optional<uint32_t> gateway;
  std::string interface;
  std::string log_target;
  std::optional<bool> ipvlan;
  std::string distro;
  std::vector<DeckySpec> deckies;  // in file order, groups expanded
};

struct IniLimits {
  size_t max_bytes = 1 << 20;
  size_t max_deckies = 10000;  // after amount= expansion
  size_t max_entries = 100000;
};

struct IniResult {
  IniConfig config;
  std::vector<IniDiagnostic> errors;    // bad values, syntax errors: the file must not be used
  std::vector<IniDiagnostic> warnings;  // unknown keys and sections
  bool ok() const { return errors.empty(); }
};

// Parses INI text. Never fails outright: problems are in the result's errors/warnings.
IniResult ParseIni(std::string_view text, const IniLimits& limits = {});
// Reads and parses a file; a missing file is one error with line 0.
IniResult LoadIniFile(const std::string& path, const IniLimits& limits = {});

// Coerces one raw value through a schema field. kInvalidArgument names the key and the expected
// type.
Result<Setting> CoerceSetting(const ConfigField& field, std::string_view raw);

// "path:line: message" lines.
std::string FormatDiagnostics(const std::string& path, const std::vector<IniDiagnostic>& diags);

}  // namespace decnet::topology
