// libFuzzer target: any bytes as an HTTP connection to the decky's http service (nginx and Apache).
#include "http_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::web::FuzzHttpBytes(data, size);
  return 0;
}
