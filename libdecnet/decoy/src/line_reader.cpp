#include "decnet/decoy/line_reader.h"

#include <cstring>

namespace decnet::decoy {

void LineReader::Feed(std::string_view bytes,
                      const std::function<bool(Verdict, std::string_view)>& fn) {
  while (!bytes.empty()) {
    const size_t lf = bytes.find('\n');
    if (skipping_) {
      if (lf == std::string_view::npos) return;  // still inside the over-long line
      skipping_ = false;
      bytes.remove_prefix(lf + 1);
      continue;
    }
    if (lf == std::string_view::npos) {
      if (buf_.size() + bytes.size() > max_) {
        // Report once, keep nothing, skip to the next LF.
        buf_.clear();
        skipping_ = true;
        if (!fn(Verdict::kTooLong, {})) return;
        return;
      }
      buf_.append(bytes);
      return;
    }
    std::string_view piece = bytes.substr(0, lf);
    bytes.remove_prefix(lf + 1);
    bool keep_going;
    if (buf_.size() + piece.size() > max_) {
      buf_.clear();
      keep_going = fn(Verdict::kTooLong, {});
    } else if (buf_.empty()) {
      if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
      keep_going = fn(Verdict::kLine, piece);
    } else {
      buf_.append(piece);
      std::string line = std::move(buf_);
      buf_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      keep_going = fn(Verdict::kLine, line);
    }
    if (!keep_going) return;
  }
}

}  // namespace decnet::decoy
