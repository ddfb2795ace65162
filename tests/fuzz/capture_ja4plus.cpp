// libFuzzer target: see tests/capture/fuzz_entries.h (JA4X DER walker, certificate chain, JA4L/JA4SSH).
#include "../capture/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::capture::fuzz::Ja4Plus(data, size);
  return 0;
}
