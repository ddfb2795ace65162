#include "decnet/core/procmem.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace decnet {
namespace {

// Reads "Key:   1234 kB" lines of a /proc file, calling fn(key, value).
template <typename Fn>
bool ScanKibFile(const std::string& path, Fn fn) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return false;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    char* colon = std::strchr(line, ':');
    if (!colon) continue;
    *colon = '\0';
    unsigned long long v = 0;
    if (std::sscanf(colon + 1, " %llu", &v) == 1) fn(line, static_cast<uint64_t>(v));
  }
  std::fclose(f);
  return true;
}

}  // namespace

Result<ProcMem> ReadProcMem(pid_t pid) {
  const std::string base = pid == 0 ? "/proc/self" : "/proc/" + std::to_string(pid);
  ProcMem m;
  uint64_t priv_clean = 0, priv_dirty = 0;
  bool ok = ScanKibFile(base + "/smaps_rollup", [&](const char* k, uint64_t v) {
    if (!std::strcmp(k, "Rss")) m.rss_kib = v;
    else if (!std::strcmp(k, "Pss")) m.pss_kib = v;
    else if (!std::strcmp(k, "Pss_Anon")) m.pss_anon_kib = v;
    else if (!std::strcmp(k, "Pss_File")) m.pss_file_kib = v;
    else if (!std::strcmp(k, "Private_Clean")) priv_clean = v;
    else if (!std::strcmp(k, "Private_Dirty")) priv_dirty = v;
    else if (!std::strcmp(k, "Swap")) m.swap_kib = v;
  });
  if (!ok) {
    return MakeError(Errc::kIo, base + "/smaps_rollup: " + std::strerror(errno));
  }
  m.uss_kib = priv_clean + priv_dirty;
  ScanKibFile(base + "/status", [&](const char* k, uint64_t v) {
    if (!std::strcmp(k, "Threads")) m.threads = static_cast<int>(v);
  });
  return m;
}

}  // namespace decnet
