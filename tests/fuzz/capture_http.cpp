// libFuzzer target: see tests/capture/fuzz_entries.h.
#include "../capture/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::capture::fuzz::Http(data, size);
  return 0;
}
