// Fuzzes the RFC 5424 parser (strict and lenient), the DECNET dialect and the JSON record.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decnet/core/json.h"
#include "decnet/syslog/decnet.h"
#include "decnet/syslog/format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace decnet::syslog;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  Message m;
  ParseOptions strict;
  strict.mode = ParseMode::kStrict;
  strict.now_us = 1700000000000000;
  if (Parse(line, &m, strict)) {
    std::string again;
    AppendMessage(&again, m);
    Message m2;
    // A strictly valid message re-emitted must parse again.
    if (!Parse(again, &m2, strict)) __builtin_trap();
  }
  ParseOptions lenient;
  lenient.now_us = 1700000000000000;
  DecnetParser parser(lenient);
  DecnetRecord r;
  if (parser.Parse(TrimLine(line), &r)) {
    std::string json;
    AppendJsonRecord(&json, r);
    rapidjson::Document doc;
    if (!decnet::json::ParseObject(json, doc, {1 << 24, 8})) __builtin_trap();
  }
  return 0;
}
