// The persona of one decky: who the host pretends to be. Derived deterministically from (fleet seed,
// decky name), so a restart or a redeploy shows an attacker the same host, and kept in the decky's state
// dir (persona.json) so that a change to the derivation tables never changes a running persona.
//
// Every service reads its banners, versions and quirks through one Persona, so `uname -a`, an HTTP
// Server header and an FTP banner tell the same story (Cowrie's lesson).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "decnet/core/result.h"

namespace decnet::decoy {

struct PersonaInputs {
  std::string decky;       // the decky name (required)
  std::string fleet_seed;  // opaque string, the same for every decky of a fleet
  // Overrides from the topology; empty = derive.
  std::string hostname, distro, os_profile;
  // Per-service settings from the topology: service -> key -> value (as text).
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> settings;
};

class Persona {
 public:
  // Derives a persona from `in` without touching the disk (tests, first start).
  static Persona Derive(const PersonaInputs& in, int64_t now_epoch);
  // Loads <dir>/persona.json if present and consistent with `in` (same decky and seed; overrides
  // re-applied), else derives one and writes it there (0600, atomic). kIo on an unwritable dir.
  // REQUIRES: `dir` exists.
  static Result<Persona> LoadOrCreate(const std::string& dir, const PersonaInputs& in,
                                      int64_t now_epoch);

  const std::string& decky() const { return decky_; }
  const std::string& hostname() const { return hostname_; }
  // A distro slug of the topology registry: debian, ubuntu22, ubuntu20, rocky9, centos7, alpine, ...
  const std::string& distro() const { return distro_; }
  const std::string& os_profile() const { return os_profile_; }
  const std::string& kernel() const { return kernel_; }  // "6.1.0-18-amd64"
  int64_t boot_epoch() const { return boot_epoch_; }
  int64_t UptimeSeconds(int64_t now_epoch) const { return now_epoch - boot_epoch_; }

  // A stable 64-bit value for (service, key): the same on every start of this decky, different across
  // deckies and keys. Services derive every choice they make from it.
  uint64_t Hash(std::string_view service, std::string_view key) const;
  // One of `choices`, picked by Hash(service, key), unless the topology set service.key, in which case
  // that setting wins (even when it is not among the choices). REQUIRES: !choices.empty().
  std::string Choose(std::string_view service, std::string_view key,
                     std::span<const std::string_view> choices) const;
  // The topology's setting service.key, or `def`.
  std::string Setting(std::string_view service, std::string_view key,
                      std::string_view def = {}) const;

  // The persona as JSON (what persona.json holds).
  std::string ToJson() const;

 private:
  std::string decky_, hostname_, distro_, os_profile_, kernel_;
  uint64_t seed_ = 0;
  int64_t boot_epoch_ = 0;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> settings_;
};

// Reads the topology's settings file {"<service>": {"<key>": <string|number|bool|array>}} into
// `settings` (arrays become comma lists). An absent path is an error; an empty path is no settings.
Status LoadSettingsFile(const std::string& path, PersonaInputs* in);

// True for distro slugs whose userland is Debian-like (apt, /etc/debian_version).
bool IsDebianLike(std::string_view distro);

}  // namespace decnet::decoy
