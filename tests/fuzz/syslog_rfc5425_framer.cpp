// Fuzzes the RFC 5425 (octet counting only) framer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decnet/syslog/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace decnet::syslog;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  StreamFramer framer(128, StreamFramer::Mode::kOctetCounting);
  Frame f;
  for (size_t i = 0; i < in.size(); i += 7) {
    framer.Append(in.substr(i, 7));
    for (;;) {
      auto r = framer.Next(&f);
      if (!r) return 0;  // a framing error closes the connection
      if (!*r) break;
      if (f.data.size() > 128) __builtin_trap();
    }
  }
  return 0;
}
