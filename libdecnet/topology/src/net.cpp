#include "decnet/topology/net.h"

#include <cstdio>

namespace decnet::topology {

Result<uint32_t> ParseIpv4(std::string_view text) {
  uint32_t addr = 0;
  int octets = 0;
  size_t i = 0;
  while (octets < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') break;
    uint32_t v = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
      v = v * 10 + static_cast<uint32_t>(text[i] - '0');
      ++i;
      ++digits;
    }
    if (v > 255 || digits > 3) break;
    addr = (addr << 8) | v;
    ++octets;
    if (octets < 4) {
      if (i >= text.size() || text[i] != '.') break;
      ++i;
    }
  }
  if (octets != 4 || i != text.size()) {
    return MakeError(Errc::kInvalidArgument, "not an IPv4 address: '" + std::string(text) + "'");
  }
  return addr;
}

std::string FormatIpv4(uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

std::string Cidr::ToString() const { return FormatIpv4(base) + "/" + std::to_string(prefix); }

Result<Cidr> ParseCidr(std::string_view text, bool strict) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    // The original's shorthand: two octets mean a /16.
    auto short_form = ParseIpv4(std::string(text) + ".0.0");
    if (short_form && text.find('.') != std::string_view::npos &&
        text.find('.') == text.rfind('.')) {
      return Cidr{*short_form, 16};
    }
    return MakeError(Errc::kInvalidArgument,
                     "not a CIDR block (a.b.c.d/n): '" + std::string(text) + "'");
  }
  auto addr = ParseIpv4(text.substr(0, slash));
  if (!addr) return addr.error();
  std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 2 ||
      len.find_first_not_of("0123456789") != std::string_view::npos) {
    return MakeError(Errc::kInvalidArgument, "bad prefix length in '" + std::string(text) + "'");
  }
  const int prefix = std::stoi(std::string(len));
  if (prefix > 32)
    return MakeError(Errc::kInvalidArgument,
                     "prefix length over 32 in '" + std::string(text) + "'");
  Cidr c{*addr, prefix};
  if ((c.base & c.Mask()) != c.base) {
    if (strict) {
      return MakeError(Errc::kInvalidArgument, "host bits set in '" + std::string(text) + "'");
    }
    c.base &= c.Mask();
  }
  return c;
}

SubnetAllocator::SubnetAllocator(Cidr pool, int prefix) : pool_(pool), prefix_(prefix) {}

Result<Cidr> SubnetAllocator::Next() {
  const uint64_t count = uint64_t{1} << (prefix_ - pool_.prefix);
  const uint64_t step = uint64_t{1} << (32 - prefix_);
  while (cursor_ < count) {
    Cidr candidate{static_cast<uint32_t>(pool_.base + cursor_ * step), prefix_};
    ++cursor_;
    bool clash = false;
    for (const Cidr& r : reserved_) {
      if (r.Overlaps(candidate)) {
        clash = true;
        break;
      }
    }
    if (!clash) {
      reserved_.push_back(candidate);
      return candidate;
    }
  }
  return MakeError(Errc::kLimit,
                   "no free /" + std::to_string(prefix_) + " left in " + pool_.ToString());
}

IpAllocator::IpAllocator(Cidr net, uint32_t gateway, uint32_t first)
    : net_(net), gateway_(gateway != 0 ? gateway : net.Gateway()) {
  cursor_ = (first != 0 && net.Contains(first)) ? first : net.base + 1;
}

Status IpAllocator::Reserve(uint32_t addr) {
  if (!net_.Contains(addr)) {
    return MakeError(Errc::kInvalidArgument, FormatIpv4(addr) + " is not in " + net_.ToString());
  }
  if (addr == gateway_) {
    return MakeError(Errc::kInvalidArgument,
                     FormatIpv4(addr) + " is the gateway of " + net_.ToString());
  }
  taken_.insert(addr);
  return Ok();
}

Result<uint32_t> IpAllocator::Next() {
  // Usable hosts exclude the network and broadcast addresses (for prefixes up to /30).
  const uint32_t last_host = net_.Last() - 1;
  while (cursor_ <= last_host && cursor_ >= net_.base) {
    const uint32_t candidate = cursor_++;
    if (candidate == net_.base || candidate == gateway_ || taken_.count(candidate)) continue;
    taken_.insert(candidate);
    return candidate;
  }
  return MakeError(Errc::kLimit, "no free addresses left in " + net_.ToString());
}

}  // namespace decnet::topology
