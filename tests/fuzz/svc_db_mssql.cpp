// libFuzzer target: TDS messages, LOGIN7 / TDS 4.2 logins and whole sessions (mssql_fuzz_entry.h).
#include "mssql_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::db::fuzz::MssqlBytes(data, size);
  return 0;
}
