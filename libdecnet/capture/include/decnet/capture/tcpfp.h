// Passive TCP fingerprints of SYN and SYN-ACK packets: p0f v3 signatures
// (ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass) and DECNET's own fields, with option values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decnet/capture/decode.h"

namespace decnet::capture {

struct TcpOptionsInfo {
  int mss = -1;      // -1: absent
  int wscale = -1;   // -1: absent
  bool sack_ok = false;
  bool timestamps = false;
  uint32_t ts_val = 0, ts_ecr = 0;
  std::string layout;        // p0f olayout: "mss,sok,ts,nop,ws"
  std::string with_values;   // "mss=1460,sok,ts=123/0,nop,ws=7"
  bool bad = false;          // an option ran past the header
  bool trailing_data = false;  // non-zero bytes after EOL (p0f opt+)
};

TcpOptionsInfo ParseTcpOptions(Bytes options);

// Smallest of 32, 64, 128, 255 that is >= ttl.
int InitialTtl(int ttl);

struct TcpFingerprint {
  int ttl = 0, initial_ttl = 0, hops = 0;
  int window = 0;
  TcpOptionsInfo opts;
  std::string quirks;  // p0f quirks, comma-separated
  std::string p0f;     // the p0f v3 raw signature
  int tos = 0;
  int olen = 0;         // IPv4 options bytes
  bool payload = false;  // p0f pclass
};

// REQUIRES: p.proto == 6 and p has SYN set.
TcpFingerprint FingerprintSyn(const DecodedPacket& p);

// Classifies a sequence of IP-IDs or ISNs (wrap-aware): "constant", "zero", "incremental",
// "incremental_by_256" (byte-swapped counters), "random" or "unknown" (fewer than 3 samples).
std::string ClassifySequence(const std::vector<uint32_t>& samples, uint32_t modulus_bits);

// The p0f database (/etc/p0f/p0f.fp format): [tcp:request] / [tcp:response] signatures with labels.
class P0fDatabase {
 public:
  // Loads the file; returns false (with *error set) when unreadable. Unparseable lines are skipped and
  // counted.
  bool Load(const std::string& path, std::string* error);
  // The label ("s:unix:Linux:3.11 and newer") of the first signature that matches, or "".
  std::string Match(const TcpFingerprint& fp, int ip_version, bool response) const;
  size_t size() const { return sigs_.size(); }
  size_t skipped() const { return skipped_; }

  struct Sig {
    bool response = false;
    std::string label;
    int ver = -1;         // -1: any
    int ittl = 0;
    int olen = 0;
    int mss = -1;         // -1: any
    char wsize_kind = 0;  // '*', '=', 'm' (mss*N), 't' (mtu*N), '%' (modulo)
    int wsize = 0;
    int scale = -1;       // -1: any
    std::string olayout, quirks;
    int pclass = -1;      // -1 any, 0 zero, 1 non-zero
  };

 private:
  std::vector<Sig> sigs_;
  size_t skipped_ = 0;
};

}  // namespace decnet::capture
