// libFuzzer target: the bus frame reader and the broker's body handling on attacker-shaped bytes, fed in
// chunks whose sizes come from the input itself (frames split at every boundary).
#include <cstddef>
#include <cstdint>
#include <string>

#include "decnet/bus/protocol.h"
#include "decnet/core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  decnet::bus::FrameReader reader;
  for (size_t pos = 0; pos < in.size(); pos += chunk) {
    if (!reader.Feed(in.substr(pos, chunk))) return 0;
    decnet::bus::Frame f;
    decnet::Error e;
    while (reader.Next(&f, &e)) {
      if (f.body.size() > decnet::bus::kMaxBodyBytes) __builtin_trap();
      decnet::bus::ValidTopic(f.args);
      decnet::bus::ValidPattern(f.args);
      rapidjson::Document doc;
      if (decnet::json::ParseObject(f.body, doc)) decnet::json::Serialize(doc);
    }
    if (!e.message.empty()) return 0;
  }
  return 0;
}
