#include "decnet/http/source.h"

#include <arpa/inet.h>

#include <cstring>

namespace decnet::http {

std::string SourceKey(std::string_view ip) {
  char buf[INET6_ADDRSTRLEN + 8];
  if (ip.size() >= sizeof buf - 4) return std::string(ip);
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  in6_addr a6;
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::string(ip);
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
    in_addr a4;
    std::memcpy(&a4, a6.s6_addr + 12, 4);
    inet_ntop(AF_INET, &a4, buf, sizeof buf);
    return buf;
  }
  std::memset(a6.s6_addr + 8, 0, 8);
  inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  return std::string(buf) + "/64";
}

}  // namespace decnet::http
