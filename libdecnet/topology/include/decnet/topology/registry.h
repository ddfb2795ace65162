// The fixed catalogues a fleet is built from: honeypot services (with their ports and protocols and
// the schema of their persona settings), machine archetypes, distros and OS fingerprint profiles.
// Facts follow the Python original (decnet/services, archetypes.py, distros.py, os_fingerprint.py).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::topology {

enum class Proto : uint8_t { kTcp, kUdp };
const char* ProtoName(Proto p);

struct PortSpec {
  uint16_t port;
  Proto proto;
};

// The type of one persona setting; values from INI files are coerced through it.
enum class FieldType : uint8_t { kString, kPassword, kInt, kBool, kTextarea, kEnum, kMultiEnum };
const char* FieldTypeName(FieldType t);

struct ConfigField {
  const char* key;
  FieldType type;
  std::vector<std::string_view> choices;  // kEnum / kMultiEnum only
  const char* help;
};

struct ServiceDef {
  const char* name;
  const char* description;
  std::vector<PortSpec> ports;  // what the service binds inside the decky
  std::vector<ConfigField> schema;
  bool fleet_singleton = false;  // runs once per host, never on a decky
  bool randomizable = true;      // eligible for --randomize-services
};

struct Archetype {
  const char* slug;
  const char* display_name;
  const char* description;
  std::vector<std::string_view> services;
  std::vector<std::string_view> preferred_distros;
  const char* os_profile;
};

struct Distro {
  const char* slug;
  const char* image;
  const char* display_name;
  const char* hostname_style;  // generic | rhel | minimal | rolling
};

struct OsProfile {
  const char* slug;
  std::vector<std::pair<std::string_view, std::string_view>> sysctls;  // sorted by key
};

// The catalogues, in a fixed order (the generator depends on it for reproducibility).
std::span<const ServiceDef> Services();
std::span<const Archetype> Archetypes();
std::span<const Distro> Distros();
std::span<const OsProfile> OsProfiles();

// Lookups by name; nullptr when absent.
const ServiceDef* FindService(std::string_view name);
const Archetype* FindArchetype(std::string_view slug);
const Distro* FindDistro(std::string_view slug);
const OsProfile* FindOsProfile(std::string_view slug);
const ConfigField* FindField(const ServiceDef& svc, std::string_view key);

// Comma-joined names, for error messages ("Available: a, b, c").
std::string ServiceNames();
std::string ArchetypeNames();
std::string DistroNames();
std::string OsProfileNames();

}  // namespace decnet::topology
