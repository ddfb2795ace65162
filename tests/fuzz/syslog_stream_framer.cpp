// Fuzzes the RFC 6587 stream framer (octet counting + LF). The input is split at the first byte's
// value to exercise frames crossing Append() boundaries.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decnet/syslog/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace decnet::syslog;
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  StreamFramer framer(64, StreamFramer::Mode::kAuto);
  Frame f;
  for (size_t i = 0; i < in.size(); i += chunk) {
    framer.Append(in.substr(i, chunk));
    for (;;) {
      auto r = framer.Next(&f);
      if (!r || !*r) break;
      if (f.data.size() > 64) __builtin_trap();
    }
    if (framer.buffered() > 64 + chunk + 12) __builtin_trap();
  }
  framer.Finish(&f);
  return 0;
}
