// libFuzzer target: mysql packets, logins and whole sessions (mysql_fuzz_entry.h).
#include "mysql_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::db::fuzz::MysqlBytes(data, size);
  return 0;
}
