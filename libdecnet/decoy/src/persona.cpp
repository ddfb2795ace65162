#include "decnet/decoy/persona.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "decnet/core/json.h"
#include "decnet/core/runtime.h"

namespace decnet::decoy {
namespace {

uint64_t Mix(uint64_t z) {  // splitmix64's finalizer
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return (h ^ 0xff) * 0x100000001b3ULL;  // a separator, so ("ab","c") != ("a","bc")
}

template <size_t N>
std::string_view Pick(uint64_t h, const std::string_view (&table)[N]) {
  return table[h % N];
}

constexpr std::string_view kDistros[] = {"debian", "debian", "ubuntu22", "ubuntu22", "ubuntu20",
                                         "rocky9"};
constexpr std::string_view kHostPrefixes[] = {"srv", "web", "app", "db", "files", "mail", "node",
                                              "prod", "backup", "build", "ops", "intranet"};
constexpr std::string_view kSites[] = {"", "", "-lon", "-fra", "-nyc", "-ams", "-dc1", "-eu1"};

std::string KernelFor(std::string_view distro, uint64_t h) {
  const unsigned a = static_cast<unsigned>(h % 7), b = static_cast<unsigned>((h >> 8) % 9);
  char buf[64];
  if (distro == "ubuntu22") {
    std::snprintf(buf, sizeof buf, "5.15.0-%u-generic", 88 + a * 3 + b % 3);
  } else if (distro == "ubuntu20") {
    std::snprintf(buf, sizeof buf, "5.4.0-%u-generic", 150 + a * 4 + b % 4);
  } else if (distro == "rocky9" || distro == "fedora") {
    std::snprintf(buf, sizeof buf, "5.14.0-%u.%u.1.el9_%u.x86_64", 284 + a * 13, 11 + b, 2 + a % 3);
  } else if (distro == "centos7") {
    std::snprintf(buf, sizeof buf, "3.10.0-1160.%u.1.el7.x86_64", 80 + a * 3 + b % 3);
  } else if (distro == "alpine") {
    std::snprintf(buf, sizeof buf, "6.6.%u-0-lts", 10 + a * 4 + b % 4);
  } else {
    std::snprintf(buf, sizeof buf, "6.1.0-%u-amd64", 13 + a * 2 + b % 2);
  }
  return buf;
}

Status WriteFileExclusive(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  unlink(tmp.c_str());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(Errc::kIo, "create " + tmp + ": " + std::strerror(errno));
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return MakeError(Errc::kIo, "write " + path + ": " + std::strerror(errno));
  }
  return Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return MakeError(errno == ENOENT ? Errc::kNotFound : Errc::kIo,
                               "open " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max) {
      close(fd);
      return MakeError(Errc::kLimit, path + ": larger than " + std::to_string(max) + " bytes");
    }
  }
  close(fd);
  return out;
}

}  // namespace

Persona Persona::Derive(const PersonaInputs& in, int64_t now_epoch) {
  Persona p;
  p.decky_ = in.decky;
  p.seed_ = Mix(Fnv(Fnv(0xcbf29ce484222325ULL, in.fleet_seed), in.decky));
  p.settings_ = in.settings;
  p.distro_ = in.distro.empty() ? std::string(Pick(p.Hash("host", "distro"), kDistros)) : in.distro;
  if (in.hostname.empty()) {
    const uint64_t h = p.Hash("host", "hostname");
    p.hostname_ = std::string(Pick(h, kHostPrefixes)) + std::string(Pick(h >> 16, kSites)) + "-" +
                  std::to_string(1 + (h >> 32) % 24);
    if ((h >> 40) % 2 == 0 && p.hostname_.back() >= '0' && p.hostname_.back() <= '9' &&
        p.hostname_[p.hostname_.size() - 2] == '-')
      p.hostname_.insert(p.hostname_.size() - 1, "0");  // "web-03" as often as "web-3"
  } else {
    p.hostname_ = in.hostname;
  }
  p.os_profile_ = in.os_profile.empty() ? "linux" : in.os_profile;
  p.kernel_ = KernelFor(p.distro_, p.Hash("host", "kernel"));
  // Up between 3 and 400 days: hosts that were never rebooted look as odd as hosts booted today.
  const int64_t uptime = 3 * 86400 + static_cast<int64_t>(p.Hash("host", "uptime") % (397 * 86400));
  p.boot_epoch_ = now_epoch - uptime;
  return p;
}

Result<Persona> Persona::LoadOrCreate(const std::string& dir, const PersonaInputs& in,
                                      int64_t now_epoch) {
  Persona fresh = Derive(in, now_epoch);
  const std::string path = dir + "/persona.json";
  auto text = ReadSmallFile(path, 64 << 10);
  if (text) {
    rapidjson::Document doc;
    if (json::ParseObject(*text, doc) &&
        json::GetString(doc, "decky") == in.decky &&
        json::GetString(doc, "seed") == std::to_string(fresh.seed_)) {
      // The stored persona wins over the derivation tables; the topology's overrides win over both.
      if (in.hostname.empty()) fresh.hostname_ = std::string(json::GetString(doc, "hostname", fresh.hostname_));
      if (in.distro.empty()) fresh.distro_ = std::string(json::GetString(doc, "distro", fresh.distro_));
      if (in.os_profile.empty())
        fresh.os_profile_ = std::string(json::GetString(doc, "os_profile", fresh.os_profile_));
      fresh.kernel_ = in.distro.empty() ? std::string(json::GetString(doc, "kernel", fresh.kernel_))
                                        : KernelFor(fresh.distro_, fresh.Hash("host", "kernel"));
      fresh.boot_epoch_ = json::GetInt(doc, "boot_epoch", fresh.boot_epoch_);
      if (fresh.ToJson() == *text) return fresh;
    }
  } else if (text.error().code != Errc::kNotFound) {
    return text.error();
  }
  if (Status s = WriteFileExclusive(path, fresh.ToJson()); !s) return s.error();
  return fresh;
}

uint64_t Persona::Hash(std::string_view service, std::string_view key) const {
  return Mix(Fnv(Fnv(seed_, service), key));
}

std::string Persona::Choose(std::string_view service, std::string_view key,
                            std::span<const std::string_view> choices) const {
  if (auto set = Setting(service, key); !set.empty()) return set;
  return std::string(choices[Hash(service, key) % choices.size()]);
}

std::string Persona::Setting(std::string_view service, std::string_view key,
                             std::string_view def) const {
  auto s = settings_.find(service);
  if (s == settings_.end()) return std::string(def);
  auto k = s->second.find(key);
  return k == s->second.end() ? std::string(def) : k->second;
}

std::string Persona::ToJson() const {
  json::JsonWriter j;
  j.Str("decky", decky_)
      .Str("seed", std::to_string(seed_))
      .Str("hostname", hostname_)
      .Str("distro", distro_)
      .Str("os_profile", os_profile_)
      .Str("kernel", kernel_)
      .Int("boot_epoch", boot_epoch_);
  return j.Finish() + "\n";
}

Status LoadSettingsFile(const std::string& path, PersonaInputs* in) {
  if (path.empty()) return Ok();
  auto text = ReadSmallFile(path, 1 << 20);
  if (!text) return text.error();
  rapidjson::Document doc;
  if (Status s = json::ParseObject(*text, doc); !s)
    return MakeError(Errc::kInvalidArgument, path + ": " + s.error().message);
  for (auto svc = doc.MemberBegin(); svc != doc.MemberEnd(); ++svc) {
    if (!svc->value.IsObject()) continue;
    auto& out = in->settings[svc->name.GetString()];
    for (auto kv = svc->value.MemberBegin(); kv != svc->value.MemberEnd(); ++kv) {
      const rapidjson::Value& v = kv->value;
      std::string text_value;
      if (v.IsString()) {
        text_value = v.GetString();
      } else if (v.IsBool()) {
        text_value = v.GetBool() ? "true" : "false";
      } else if (v.IsArray()) {
        for (const auto& item : v.GetArray()) {
          if (!item.IsString()) continue;
          if (!text_value.empty()) text_value += ",";
          text_value += item.GetString();
        }
      } else if (v.IsNumber()) {
        text_value = json::Serialize(v);
      } else {
        continue;
      }
      out[kv->name.GetString()] = std::move(text_value);
    }
  }
  return Ok();
}

bool IsDebianLike(std::string_view distro) {
  return distro == "debian" || distro.substr(0, 6) == "ubuntu" || distro == "kali";
}

}  // namespace decnet::decoy
