// libFuzzer target: BSON, OP_MSG/OP_QUERY and whole mongodb sessions (mongodb_fuzz_entry.h).
#include "mongodb_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::db::fuzz::MongodbBytes(data, size);
  return 0;
}
