// IPv4 addresses, CIDR blocks and the two allocators the generator uses.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::topology {

// Parses dotted-quad "a.b.c.d" strictly (no leading '+', no empty octets, each octet <= 255).
Result<uint32_t> ParseIpv4(std::string_view text);
std::string FormatIpv4(uint32_t addr);

// A network: base address (host bits zero) and prefix length 0..32.
struct Cidr {
  uint32_t base = 0;
  int prefix = 0;

  uint32_t Mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  uint64_t Size() const { return uint64_t{1} << (32 - prefix); }
  uint32_t Last() const { return base | ~Mask(); }
  bool Contains(uint32_t addr) const { return (addr & Mask()) == base; }
  bool Overlaps(const Cidr& o) const { return base <= o.Last() && o.base <= Last(); }
  // The conventional gateway: the first host address (.1 in a /24).
  uint32_t Gateway() const { return base + 1; }
  std::string ToString() const;
  bool operator==(const Cidr&) const = default;
  auto operator<=>(const Cidr&) const = default;
};

// Parses "a.b.c.d/n". With `strict`, host bits must be zero; otherwise they are cleared.
// Also accepts the original's two-octet shorthand "172.20" as 172.20.0.0/16.
Result<Cidr> ParseCidr(std::string_view text, bool strict = false);

// Hands out non-overlapping subnets of one prefix length from a pool, in address order, skipping
// any subnet that overlaps a reserved one (other topologies, the host's own LAN).
class SubnetAllocator {
 public:
  // REQUIRES: pool.prefix <= prefix <= 30.
  SubnetAllocator(Cidr pool, int prefix);
  void Reserve(const Cidr& taken) { reserved_.push_back(taken); }
  // kLimit when the pool is exhausted.
  Result<Cidr> Next();

 private:
  Cidr pool_;
  int prefix_;
  uint64_t cursor_ = 0;  // index of the next candidate subnet in the pool
  std::vector<Cidr> reserved_;
};

// Hands out host addresses of one subnet in order, skipping the network address, the gateway, the
// broadcast address and anything reserved.
class IpAllocator {
 public:
  // `gateway` 0 means the subnet's first host; `first` 0 means start at the bottom of the subnet.
  explicit IpAllocator(Cidr net, uint32_t gateway = 0, uint32_t first = 0);
  Status Reserve(uint32_t addr);  // kInvalidArgument outside the subnet or on the gateway
  Result<uint32_t> Next();        // kLimit when the subnet is full
  uint32_t gateway() const { return gateway_; }

 private:
  Cidr net_;
  uint32_t gateway_;
  uint32_t cursor_;
  std::set<uint32_t> taken_;
};

}  // namespace decnet::topology
