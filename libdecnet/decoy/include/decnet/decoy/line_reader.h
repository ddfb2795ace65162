// Splits a byte stream into lines for text protocols (FTP, Redis inline, SMTP...), within a bound.
// A line longer than the bound is not buffered: it is reported once as too long (the protocol answers
// it as the real product does) and its bytes are skipped up to the next LF.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace decnet::decoy {

class LineReader {
 public:
  explicit LineReader(size_t max_line_bytes) : max_(max_line_bytes) {}

  enum class Verdict { kLine, kTooLong };
  // Calls `fn` for each complete line (without CR LF / LF) in the order received. `fn` returns false
  // to stop (the session closed): the rest of `bytes` is then dropped.
  void Feed(std::string_view bytes,
            const std::function<bool(Verdict verdict, std::string_view line)>& fn);
  // Bytes of an unfinished line held now.
  size_t pending() const { return buf_.size(); }

 private:
  size_t max_;
  std::string buf_;
  bool skipping_ = false;  // inside an over-long line, waiting for its LF
};

}  // namespace decnet::decoy
