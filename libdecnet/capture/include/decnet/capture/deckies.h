// Which IPs are deckies: the sniffer keeps only traffic to or from them, keyed to the decky's name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "decnet/capture/decode.h"
#include "decnet/core/result.h"

namespace decnet::capture {

std::optional<IpAddr> ParseIp(std::string_view text);

struct IpAddrHash {
  size_t operator()(const IpAddr& a) const;
};

class DeckyMap {
 public:
  // Parses a fleet file: a JSON object mapping each decky name to an IP string or an array of IP
  // strings, e.g. {"decky-01": ["10.0.0.5", "fd00::5"]}. Invalid IPs are an error naming the decky.
  static Result<DeckyMap> ParseJson(std::string_view text);
  static Result<DeckyMap> LoadFile(const std::string& path);

  void Add(const IpAddr& ip, std::string name) { by_ip_[ip] = std::move(name); }
  // The decky that owns `ip`, or nullptr.
  const std::string* Find(const IpAddr& ip) const {
    auto it = by_ip_.find(ip);
    return it == by_ip_.end() ? nullptr : &it->second;
  }
  size_t size() const { return by_ip_.size(); }
  bool empty() const { return by_ip_.empty(); }

 private:
  std::unordered_map<IpAddr, std::string, IpAddrHash> by_ip_;
};

}  // namespace decnet::capture
