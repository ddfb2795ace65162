// The bus wire protocol, compatible with the Python DECNET broker (DESIGN.md §5):
//   "VERB [args]\n" (ASCII, at most 4096 bytes with the LF), a 4-byte big-endian body length, then a body
//   of at most 1 MiB that is a JSON object or empty.
// PUB body: {"type": "...", "payload": {...}}. EVT body: {"v":1,"id":hex,"topic","type","ts","payload"}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "decnet/core/result.h"

namespace decnet::bus {

inline constexpr size_t kMaxHeaderBytes = 4096;
inline constexpr size_t kMaxBodyBytes = 1 << 20;

enum class Verb { kHello, kPub, kSub, kUnsub, kEvt, kBye };

struct Frame {
  Verb verb;
  std::string args;  // the header after the verb, trimmed
  std::string body;  // raw body bytes; the receiver parses them (PUB and EVT bodies are JSON objects)
};

std::string_view VerbName(Verb v);

// Serializes a frame. REQUIRES: args without CR/LF; body empty or a JSON object within the limit.
std::string EncodeFrame(Verb verb, std::string_view args, std::string_view body = {});

// Incremental frame reader: feed bytes as they arrive, take complete frames out. After an error the reader
// stays failed (the connection must be closed). Memory is bounded by one header plus one body.
class FrameReader {
 public:
  // Appends bytes. Returns an error as soon as the buffered data can no longer become a valid frame
  // (header too long, unknown verb, body too long).
  Status Feed(std::string_view bytes);
  // Takes the next complete frame. Returns false when none is complete yet, or, setting *err, when the
  // buffered bytes are malformed (the connection must then be closed).
  bool Next(Frame* out, Error* err);
  // True when the peer closed in the middle of a frame.
  bool HasPartial() const { return pos_ < buf_.size(); }
  void Reset() { buf_.clear(); pos_ = 0; failed_ = false; }

 private:
  Status Check();
  std::string buf_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Topic and pattern validity: non-empty dot-separated tokens of printable ASCII without spaces; in patterns
// a token may be `*`, and `>` only as the last token.
bool ValidTopic(std::string_view topic);
bool ValidPattern(std::string_view pattern);
// NATS semantics; same result as TopicTrie for a single pattern.
bool PatternMatches(std::string_view pattern, std::string_view topic);

// Builds the EVT body for an event (new uuid4-hex id, ts now) from a PUB body's type and payload.
// `sender_json`, when given, is a JSON object the broker attests about the publisher (control topics:
// {"name","uid","pid"} from SO_PEERCRED); it goes into the envelope as "sender".
std::string MakeEventBody(std::string_view topic, std::string_view type, std::string_view payload_json,
                          double ts, std::string_view sender_json = {});
// A random uuid4 as 32 lowercase hex characters.
std::string NewEventId();

}  // namespace decnet::bus
