// The unit a client is counted in for per-source bounds (connections, login attempts): an IPv4
// address, or the /64 of an IPv6 address, because one IPv6 host is routinely given a whole /64 and
// could otherwise take a fresh budget from every address in it.
#pragma once

#include <string>
#include <string_view>

namespace decnet::http {

// "192.0.2.7" -> "192.0.2.7"; "2001:db8:1:2:3:4:5:6" -> "2001:db8:1:2::/64"; an IPv4-mapped IPv6
// address counts as its IPv4 address. Anything that is not an IP literal is returned unchanged.
std::string SourceKey(std::string_view ip);

}  // namespace decnet::http
