// A process's memory as the kernel accounts it: /proc/PID/smaps_rollup and /proc/PID/status.
// PSS divides shared pages among their users, so the PSS of a fleet adds up; RSS does not.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "decnet/core/result.h"

namespace decnet {

struct ProcMem {
  uint64_t rss_kib = 0;
  uint64_t pss_kib = 0;
  uint64_t pss_anon_kib = 0;
  uint64_t pss_file_kib = 0;
  uint64_t uss_kib = 0;  // Private_Clean + Private_Dirty
  uint64_t swap_kib = 0;
  int threads = 0;
};

// pid 0 means this process.
Result<ProcMem> ReadProcMem(pid_t pid = 0);

}  // namespace decnet
