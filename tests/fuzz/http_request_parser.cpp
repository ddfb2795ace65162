// libFuzzer target: arbitrary bytes into RequestParser, split at a data-chosen point to exercise
// incremental feeding and pipelining. Also linked into http_parser_test, which feeds it hostile inputs.
#include <cstddef>
#include <cstdint>

#include "decnet/http/request_parser.h"
#include "decnet/http/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::http::ParserLimits limits;
  limits.max_header_bytes = 2048;
  limits.max_body_bytes = 4096;
  decnet::http::RequestParser parser(limits);
  size_t split = size > 0 ? data[0] % (size + 1) : 0;
  const char* p = reinterpret_cast<const char*>(data);
  size_t pieces[2] = {split, size - split};
  for (size_t piece : pieces) {
    while (piece > 0) {
      if (parser.state() != decnet::http::RequestParser::State::kNeedMore) break;
      size_t n = parser.Feed(p, piece);
      p += n;
      piece -= n;
      if (parser.state() == decnet::http::RequestParser::State::kComplete) {
        auto& req = parser.request();
        (void)req.Query("limit");
        (void)req.Header("host");
        parser.Reset();
      } else if (n == 0) {
        break;
      }
    }
  }
  (void)decnet::http::PercentDecode(std::string_view(reinterpret_cast<const char*>(data), size), true);
  return 0;
}
