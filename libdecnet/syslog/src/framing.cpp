#include "decnet/syslog/framing.h"

namespace decnet::syslog {

StreamFramer::StreamFramer(size_t max_frame, Mode mode)
    : max_frame_(max_frame == 0 ? 1 : max_frame), mode_(mode) {}

void StreamFramer::Append(std::string_view data) {
  // Drop what was consumed, then take the new bytes. Bytes of a frame being discarded never enter.
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  if (state_ == State::kDiscardToLf && buf_.empty()) {
    size_t lf = data.find('\n');
    if (lf == std::string_view::npos) return;
    data.remove_prefix(lf + 1);
    state_ = State::kFrameStart;
  } else if (state_ == State::kDiscardCount && buf_.empty()) {
    const size_t n = data.size() < discard_left_ ? data.size() : discard_left_;
    data.remove_prefix(n);
    discard_left_ -= n;
    if (discard_left_ > 0) return;
    state_ = State::kFrameStart;
  }
  buf_.append(data);
}

Result<bool> StreamFramer::Next(Frame* out) {
  for (;;) {
    std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
    if (state_ == State::kDiscardToLf) {
      size_t lf = avail.find('\n');
      if (lf == std::string_view::npos) {
        pos_ = buf_.size();
        return false;
      }
      pos_ += lf + 1;
      state_ = State::kFrameStart;
      continue;
    }
    if (state_ == State::kDiscardCount) {
      const size_t n = avail.size() < discard_left_ ? avail.size() : discard_left_;
      pos_ += n;
      discard_left_ -= n;
      if (discard_left_ > 0) return false;
      state_ = State::kFrameStart;
      continue;
    }
    // Between frames: stray LF/CR/NUL (some senders end octet-counted frames with LF).
    size_t skip = 0;
    while (skip < avail.size() &&
           (avail[skip] == '\n' || avail[skip] == '\r' || avail[skip] == '\0')) {
      ++skip;
    }
    pos_ += skip;
    avail.remove_prefix(skip);
    if (avail.empty()) return false;

    if (mode_ != Mode::kLf && avail[0] >= '1' && avail[0] <= '9') {
      // Octet counting: MSG-LEN SP MSG, MSG-LEN = NONZERO-DIGIT *DIGIT (at most 10 digits here).
      size_t i = 0;
      uint64_t len = 0;
      while (i < avail.size() && i < 11 && avail[i] >= '0' && avail[i] <= '9') {
        len = len * 10 + static_cast<uint64_t>(avail[i] - '0');
        ++i;
      }
      if (i == avail.size() && i <= 10) return false;  // length not complete yet
      if (i <= 10 && avail[i] == ' ') {
        const size_t header = i + 1;
        if (len > max_frame_) {
          if (avail.size() < header + max_frame_) return false;
          out->data = avail.substr(header, max_frame_);
          out->truncated = true;
          ++truncated_;
          pos_ += header + max_frame_;
          discard_left_ = len - max_frame_;
          state_ = State::kDiscardCount;
          return true;
        }
        if (avail.size() < header + len) return false;
        out->data = avail.substr(header, len);
        out->truncated = false;
        pos_ += header + len;
        return true;
      }
      if (mode_ == Mode::kOctetCounting) {
        return MakeError(Errc::kInvalidArgument, "bad RFC 5425 MSG-LEN");
      }
      // Not a length after all: an LF-framed line that starts with a digit.
    } else if (mode_ == Mode::kOctetCounting) {
      return MakeError(Errc::kInvalidArgument, "RFC 5425 frame does not start with MSG-LEN");
    }
    // LF (non-transparent) framing.
    const size_t window = avail.size() < max_frame_ + 1 ? avail.size() : max_frame_ + 1;
    size_t lf = avail.substr(0, window).find('\n');
    if (lf != std::string_view::npos) {
      std::string_view frame = avail.substr(0, lf);
      if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
      out->data = frame;
      out->truncated = false;
      pos_ += lf + 1;
      return true;
    }
    if (avail.size() <= max_frame_) return false;
    out->data = avail.substr(0, max_frame_);
    out->truncated = true;
    ++truncated_;
    pos_ += max_frame_;
    state_ = State::kDiscardToLf;
    return true;
  }
}

bool StreamFramer::Finish(Frame* out) {
  if (state_ != State::kFrameStart || pos_ >= buf_.size()) return false;
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  pos_ = buf_.size();
  rest = TrimDatagram(rest);
  if (rest.empty() || mode_ == Mode::kOctetCounting) return false;
  out->data = rest;
  out->truncated = false;
  return true;
}

std::string_view TrimDatagram(std::string_view d) {
  while (!d.empty() && (d.back() == '\n' || d.back() == '\r' || d.back() == '\0'))
    d.remove_suffix(1);
  return d;
}

void AppendOctetCounted(std::string* out, std::string_view msg) {
  out->append(std::to_string(msg.size()));
  out->push_back(' ');
  out->append(msg);
}

}  // namespace decnet::syslog
