#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decnet/services/udp/tftp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::udp::TftpRequest req;
  if (decnet::services::udp::ParseTftpRequest(
          std::string_view(reinterpret_cast<const char*>(data), size), &req)) {
    // Whatever parses must be what the bytes said: the filename ends at the first NUL.
    if (req.filename.find('\0') != std::string::npos) __builtin_trap();
  }
  return 0;
}
