#include <cstddef>
#include <cstdint>

int IntelFuzzOne(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return IntelFuzzOne(data, size);
}
