// capture_bench: (1) builds a large capture from the shared captures with the addresses rewritten so
// every copy is a distinct set of flows, (2) runs our decoder + analyzer over it on one core, and tshark
// (-T fields -e tls.handshake.ja3) and p0f (-r) over the same file in the same run, (3) feeds a SYN
// flood of distinct sources through the analyzer + dedup cache with the worker's bounds and prints PSS
// as it goes (it must plateau), and (4) reads the idle PSS of decnet-sniffer.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/dedup.h"
#include "decnet/capture/offline.h"
#include "decnet/capture/pcap_source.h"

using namespace decnet::capture;

namespace {

const std::string kCaptures = std::string(DECNET_SOURCE_DIR) + "/tests/data/captures";

struct RawPacket {
  double ts;
  std::vector<uint8_t> ip;
};

// Offset of the outermost IP header for the link types in the shared captures, or -1.
int IpOffset(int link, Bytes f) {
  switch (link) {
    case kLinkEthernet: {
      size_t off = 12;
      while (f.size() >= off + 2 && (Load16(&f[off]) == 0x8100 || Load16(&f[off]) == 0x88A8)) off += 4;
      if (f.size() < off + 2) return -1;
      uint16_t t = Load16(&f[off]);
      return (t == 0x0800 || t == 0x86DD) ? int(off + 2) : -1;
    }
    case kLinkRaw: case kLinkRaw101: return 0;
    case kLinkNull: case kLinkLoop: return 4;
    case kLinkLinuxSll: return 16;
    case kLinkLinuxSll2: return 20;
    default: return -1;
  }
}

std::vector<RawPacket> LoadSeed() {
  std::vector<RawPacket> out;
  for (const char* dir : {"/ja3", "/ja4"}) {
    DIR* d = opendir((kCaptures + dir).c_str());
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.find(".pcap") == std::string::npos || n.find(".json") != std::string::npos) continue;
      auto r = OfflineReader::Open(kCaptures + dir + "/" + n);
      if (!r) continue;
      Frame f;
      while ((*r)->Next(f)) {
        int off = IpOffset((*r)->link_type(), f.data);
        if (off < 0 || size_t(off) >= f.data.size()) continue;
        out.push_back({f.ts, std::vector<uint8_t>(f.data.begin() + off, f.data.end())});
      }
    }
    closedir(d);
  }
  return out;
}

// Rewrites the source and destination so copy `i` is a distinct set of flows (checksums are not
// fixed: none of the three tools verifies them).
void Rewrite(std::vector<uint8_t>& ip, uint32_t i) {
  if (ip.empty()) return;
  if ((ip[0] >> 4) == 4 && ip.size() >= 20) {
    for (int base : {12, 16}) {
      ip[base + 1] ^= uint8_t(i >> 16);
      ip[base + 2] ^= uint8_t(i >> 8);
      ip[base + 3] ^= uint8_t(i);
    }
  } else if ((ip[0] >> 4) == 6 && ip.size() >= 40) {
    for (int base : {8, 24}) {
      ip[base + 13] ^= uint8_t(i >> 16);
      ip[base + 14] ^= uint8_t(i >> 8);
      ip[base + 15] ^= uint8_t(i);
    }
  }
}

// Appends one raw-IP record stamped `ts` (epoch seconds).
void DumpRaw(pcap_dumper_t* d, double ts, const std::vector<uint8_t>& ip) {
  pcap_pkthdr h{};
  h.ts.tv_sec = time_t(ts);
  h.ts.tv_usec = suseconds_t((ts - double(h.ts.tv_sec)) * 1e6);
  h.caplen = h.len = uint32_t(ip.size());
  pcap_dump(reinterpret_cast<u_char*>(d), &h, ip.data());
}

size_t WriteBig(const std::string& path, const std::vector<RawPacket>& seed, uint32_t copies) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  size_t n = 0;
  double t0 = 1.7e9;
  for (uint32_t c = 0; c < copies; ++c) {
    for (const RawPacket& p : seed) {
      std::vector<uint8_t> ip = p.ip;
      Rewrite(ip, c + 1);
      DumpRaw(d, t0 + c * 0.01 + double(n % 1000) * 1e-6, ip);
      ++n;
    }
  }
  pcap_dump_close(d);
  pcap_close(dead);
  return n;
}

// A bulk mix: `flows` TCP connections of `per_flow` packets each (SYN, a real ClientHello from the seed,
// then 600-byte data segments), interleaved round-robin as a busy link would carry them.
size_t WriteBulk(const std::string& path, const std::vector<uint8_t>& hello_ip, uint32_t flows,
                 uint32_t per_flow) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  size_t n = 0;
  std::vector<uint8_t> data_pkt(20 + 20 + 600, 0x5A);
  for (uint32_t k = 0; k < per_flow; ++k) {
    for (uint32_t f = 0; f < flows; ++f) {
      std::vector<uint8_t> ip;
      if (k == 1 && !hello_ip.empty()) {
        ip = hello_ip;
      } else {
        ip = data_pkt;
        ip[0] = 0x45;
        ip[2] = uint8_t(ip.size() >> 8), ip[3] = uint8_t(ip.size());
        ip[8] = 64, ip[9] = 6;
        ip[12] = 10, ip[13] = 1, ip[14] = 2, ip[15] = 3;
        ip[16] = 10, ip[17] = 9, ip[18] = 9, ip[19] = 9;
        ip[20] = 0xC0, ip[21] = 0x00, ip[22] = 0x01, ip[23] = 0xBB;
        uint32_t seq = 1000 + k * 600;
        ip[24] = uint8_t(seq >> 24), ip[25] = uint8_t(seq >> 16), ip[26] = uint8_t(seq >> 8), ip[27] = uint8_t(seq);
        ip[32] = 0x50;
        ip[33] = k == 0 ? 0x02 : 0x18;
        if (k == 0) ip.resize(40), ip[3] = 40;
      }
      Rewrite(ip, f + 1);
      DumpRaw(d, 1.7e9 + double(n) * 1e-5, ip);
      ++n;
    }
  }
  pcap_dump_close(d);
  pcap_close(dead);
  return n;
}

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// Runs a shell command pinned to CPU 0 and returns its wall time, or -1 when it failed.
double TimeCommand(const std::string& cmd) {
  auto t = std::chrono::steady_clock::now();
  int rc = std::system(("taskset -c 0 " + cmd + " >/dev/null 2>&1").c_str());
  return rc == 0 ? Seconds(t) : -1;
}

long ReadKib(pid_t pid, const char* key) {
  std::string path = "/proc/" + (pid ? std::to_string(pid) : std::string("self")) + "/smaps_rollup";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  size_t kl = std::strlen(key);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, key, kl) == 0 && line[kl] == ':') v = std::atol(line + kl + 1);
  std::fclose(f);
  return v;
}

std::vector<uint8_t> Syn(uint32_t src, uint16_t sport) {
  std::vector<uint8_t> p = {0x45, 0, 0, 44, 0x12, 0x34, 0x40, 0, 57, 6, 0, 0,
                            uint8_t(src >> 24), uint8_t(src >> 16), uint8_t(src >> 8), uint8_t(src),
                            10, 0, 0, 2,
                            uint8_t(sport >> 8), uint8_t(sport), 0, 22, 1, 2, 3, 4, 0, 0, 0, 0,
                            0x60, 0x02, 0xfa, 0xf0, 0, 0, 0, 0, 2, 4, 5, 0xb4};
  return p;
}

void Compare(const char* title, const std::string& file, size_t n, bool ours_only) {
  double best = 1e9;
  uint64_t events = 0;
  AnalyzerStats last{};
  for (int run = 0; run < 3; ++run) {
    uint64_t ev = 0;
    Analyzer a(AnalyzerOptions{}, [&](const Event&) { ++ev; });
    auto t = std::chrono::steady_clock::now();
    auto st = RunOffline(file, a);
    double s = Seconds(t);
    if (!st) return;
    if (s < best) best = s;
    events = ev;
    last = a.stats();
  }
  double ours = double(n) / best;
  std::printf("%s: %zu packets\n", title, n);
  std::printf("  %-44s %12s %12s %10s\n", "tool (one core)", "seconds", "pkt/s", "x/ours");
  std::printf("  %-44s %12.3f %12.0f %10s\n", "decnet capture (decode+analyze, best of 3)", best,
              ours, "1.0");
  std::printf("  events %llu, flows %llu, evicted %llu\n", (unsigned long long)events,
              (unsigned long long)last.flows_created, (unsigned long long)last.flows_evicted);
  if (ours_only) return;
  double tshark = TimeCommand("tshark -n -r " + file + " -T fields -e tls.handshake.ja3");
  std::string log = file + ".p0f.log";
  double p0f = TimeCommand("p0f -r " + file + " -o " + log);
  unlink(log.c_str());
  if (tshark > 0)
    std::printf("  %-44s %12.3f %12.0f %10.1f\n", "tshark -T fields -e tls.handshake.ja3", tshark,
                double(n) / tshark, tshark / best);
  else
    std::printf("  tshark: not installed or failed\n");
  if (p0f > 0)
    std::printf("  %-44s %12.3f %12.0f %10.1f\n", "p0f -r", p0f, double(n) / p0f, p0f / best);
  else
    std::printf("  p0f: not installed or failed\n");
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t copies = 500, flood = 1000000;
  bool ours_only = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ours-only")) ours_only = true;
    if (i + 1 >= argc) continue;
    if (!std::strcmp(argv[i], "--copies")) copies = uint32_t(std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--flood")) flood = uint32_t(std::atoi(argv[i + 1]));
  }
  std::vector<RawPacket> seed = LoadSeed();
  if (seed.empty()) {
    std::fprintf(stderr, "no shared captures under %s\n", kCaptures.c_str());
    return 1;
  }
  char tmpl[] = "/tmp/capture-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string big = dir + "/big.pcap";
  size_t n = WriteBig(big, seed, copies);

  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  sched_setaffinity(0, sizeof one, &one);
  Compare("fingerprint-dense mix: the shared captures", big, n, ours_only);
  unlink(big.c_str());
  // The ClientHello of ssl-curl as the bulk flows' second packet.
  std::vector<uint8_t> hello;
  for (const RawPacket& p : seed) {
    DecodedPacket d;
    if (Decode(kLinkRaw, p.ip, d) == DecodeStatus::kOk && d.proto == 6 && d.payload.size() > 100 &&
        d.payload[0] == 22 && d.payload[5] == 1 && d.ip_version == 4) {
      hello = p.ip;
      break;
    }
  }
  std::string bulk = dir + "/bulk.pcap";
  size_t nb = WriteBulk(bulk, hello, 1000, copies / 2 ? copies / 2 : 1);
  Compare("bulk mix: 1000 TLS flows of 600-byte segments", bulk, nb, ours_only);
  unlink(bulk.c_str());
  if (ours_only) {
    rmdir(dir.c_str());
    return 0;
  }

  // (3) SYN flood of distinct sources, worker bounds: PSS must plateau.
  std::printf("\nSYN flood, %u distinct sources, default bounds (4096 flows, 4096 sources, dedup 4096)\n",
              flood);
  std::printf("  %12s %10s %12s %8s %10s %10s\n", "packets", "pss_kib", "pss_anon_kib", "flows",
              "evicted", "dedup_ev");
  AnalyzerOptions o;
  DedupCache dedup(4096, 300);
  Analyzer a(o, [&](const Event& e) { dedup.Seen(e.src.ToString() + e.type, e.ts); });
  DecodedPacket p;
  for (uint32_t i = 0; i < flood; ++i) {
    std::vector<uint8_t> pkt = Syn(0x0B000000u + i, uint16_t(1024 + i % 60000));
    if (Decode(kLinkRaw, pkt, p) == DecodeStatus::kOk) a.OnPacket(1.7e9 + i * 1e-5, p);
    if ((i + 1) % (flood / 10 ? flood / 10 : 1) == 0) {
      AnalyzerStats s = a.stats();
      std::printf("  %12u %10ld %12ld %8zu %10llu %10llu\n", i + 1, ReadKib(0, "Pss"),
                  ReadKib(0, "Pss_Anon"), s.flows, (unsigned long long)s.flows_evicted,
                  (unsigned long long)dedup.evicted());
    }
  }

  // (4) decnet-sniffer idle (waiting for an interface), PSS after 2 s.
  std::string sniffer = std::string(DECNET_BINARY_DIR) + "/bin/decnet-sniffer";
  if (access(sniffer.c_str(), X_OK) == 0) {
    pid_t pid = fork();
    if (pid == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 2);
      execl(sniffer.c_str(), sniffer.c_str(), "--state-dir", dir.c_str(), (char*)nullptr);
      _exit(127);
    }
    sleep(2);
    std::printf("\ndecnet-sniffer idle (no interface): pss %ld KiB, pss_anon %ld KiB\n",
                ReadKib(pid, "Pss"), ReadKib(pid, "Pss_Anon"));
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
  rmdir(dir.c_str());
  return 0;
}
