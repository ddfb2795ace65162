// libFuzzer target: postgres startup packets, authentication and queries (postgres_fuzz_entry.h).
#include "postgres_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::db::fuzz::PostgresBytes(data, size);
  return 0;
}
