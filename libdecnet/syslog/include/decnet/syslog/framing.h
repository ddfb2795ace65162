// Syslog transport framing.
//   UDP (RFC 5426) and UNIX datagrams: one message per datagram (TrimDatagram()).
//   TCP (RFC 6587): per frame, octet counting ("LEN SP MSG") when the frame starts with a digit,
//   else
//     LF-terminated ("non-transparent") framing. StreamFramer in Mode::kAuto.
//   TLS (RFC 5425): octet counting only; anything else is a framing error. StreamFramer in
//     Mode::kOctetCounting.
//   Plain LF-separated lines (Docker container logs): Mode::kLf, no octet-count detection.
// Bounded: a frame longer than max_frame is delivered truncated to max_frame bytes
// (Frame::truncated) and the rest of it is discarded as it arrives; the buffer never holds more
// than max_frame + the last Append() (+ a 10-digit length). Not thread-safe; one framer per
// connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decnet/core/result.h"

namespace decnet::syslog {

struct Frame {
  std::string_view data;   // valid until the next Append()/Next()/Finish()
  bool truncated = false;  // the frame was longer than max_frame and was cut
};

class StreamFramer {
 public:
  enum class Mode { kAuto, kOctetCounting, kLf };
  explicit StreamFramer(size_t max_frame = 64 * 1024, Mode mode = Mode::kAuto);

  // Adds received bytes. Invalidates the views of frames returned before.
  void Append(std::string_view data);
  // Takes the next complete frame. Returns false when more input is needed; an error
  // (kInvalidArgument) in kOctetCounting mode when the stream is not octet-counted (the connection
  // should be closed).
  Result<bool> Next(Frame* out);
  // At end of stream: an unterminated LF frame still buffered is returned (true) once.
  bool Finish(Frame* out);

  size_t buffered() const { return buf_.size() - pos_; }
  uint64_t truncated_frames() const { return truncated_; }

 private:
  enum class State { kFrameStart, kDiscardToLf, kDiscardCount };
  size_t max_frame_;
  Mode mode_;
  State state_ = State::kFrameStart;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t discard_left_ = 0;
  uint64_t truncated_ = 0;
};

// A datagram without its trailing LF/CR/NUL bytes.
std::string_view TrimDatagram(std::string_view datagram);

// Appends `msg` as an RFC 5425 / RFC 6587 octet-counted frame ("LEN SP MSG").
void AppendOctetCounted(std::string* out, std::string_view msg);

}  // namespace decnet::syslog
