// libFuzzer target: redis requests through the parser and whole sessions (redis_fuzz_entry.h).
#include "redis_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::db::fuzz::RedisBytes(data, size);
  return 0;
}
