// libFuzzer target: the ingest-line decoder (attacker-influenced JSON lines) with small limits so
// deep and long inputs hit the bounds quickly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decnet/core/text.h"
#include "decnet/storage/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::storage::IngestLimits limits;
  limits.max_line_bytes = 64 * 1024;
  limits.max_depth = 16;
  decnet::storage::IngestRecord rec;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  (void)decnet::storage::DecodeIngestLine(line, limits, &rec);
  int64_t us = 0;
  (void)decnet::storage::ParseIsoTimestamp(line.substr(0, 64), &us);
  (void)decnet::IsValidUtf8(line);
  return 0;
}
