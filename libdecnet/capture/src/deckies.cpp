#include "decnet/capture/deckies.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "decnet/core/json.h"

namespace decnet::capture {

std::optional<IpAddr> ParseIp(std::string_view text) {
  char buf[64];
  if (text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddr a;
  if (inet_pton(AF_INET, buf, &a.b[12]) == 1) {
    a.v4 = true;
    a.b[10] = a.b[11] = 0xFF;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.b.data()) == 1) return a;
  return std::nullopt;
}

size_t IpAddrHash::operator()(const IpAddr& a) const {
  size_t h = 1469598103934665603ULL;
  for (uint8_t c : a.b) h = (h ^ c) * 1099511628211ULL;
  return h;
}

Result<DeckyMap> DeckyMap::ParseJson(std::string_view text) {
  rapidjson::Document doc;
  if (Status s = json::ParseObject(text, doc); !s) return s.error();
  DeckyMap m;
  for (const auto& member : doc.GetObject()) {
    const auto* it = &member;
    std::string name(it->name.GetString(), it->name.GetStringLength());
    auto add = [&](const rapidjson::Value& v) -> Status {
      if (!v.IsString()) return MakeError(Errc::kInvalidArgument, "decky " + name + ": IP is not a string");
      auto ip = ParseIp({v.GetString(), v.GetStringLength()});
      if (!ip) return MakeError(Errc::kInvalidArgument, "decky " + name + ": bad IP " + v.GetString());
      m.Add(*ip, name);
      return Ok();
    };
    if (it->value.IsArray()) {
      for (const auto& v : it->value.GetArray())
        if (Status s = add(v); !s) return s.error();
    } else if (Status s = add(it->value); !s) {
      return s.error();
    }
  }
  return m;
}

Result<DeckyMap> DeckyMap::LoadFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return MakeError(Errc::kNotFound, path + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < (4u << 20)) text.append(buf, n);
  std::fclose(f);
  auto m = ParseJson(text);
  if (!m) return MakeError(m.error().code, path + ": " + m.error().message);
  return m;
}

}  // namespace decnet::capture
