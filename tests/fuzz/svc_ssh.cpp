// libFuzzer target: any bytes as an SSH client stream, before and after the key exchange.
#include "ssh_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::ssh::fuzz::SshSessionBytes(data, size);
  return 0;
}
