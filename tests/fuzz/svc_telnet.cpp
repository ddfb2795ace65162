// libFuzzer target: any bytes as a Telnet stream, through the codec alone and a whole session of
// each product (linux, busybox telnetd).
#include "telnet_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::telnet::fuzz::TelnetSessionBytes(data, size);
  return 0;
}
