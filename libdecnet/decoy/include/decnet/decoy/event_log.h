// Events of a decky, in the DECNET RFC 5424 dialect (DESIGN.md §5):
//   <PRI>1 TIMESTAMP <decky> <service> - <event_type> [relay@55555 k="v" ...] msg
// with src_ip/src_port/dst_port from the connection, and secrets in the universal credential shape
// the ingester stores exactly: principal, secret_printable, secret_b64, secret_kind.
//
// Sinks: the collector's UNIX datagram socket (native deckies; the collector attributes the sender by
// its peer credentials), stdout (Docker: the collector follows container logs), or UDP syslog. A sink
// that is away keeps a bounded queue of lines and retries; what the bound drops is counted.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/decoy/limits.h"

namespace decnet::decoy {

struct Endpoint;
class Connection;

// Where lines go. Implementations: UnixDatagramSink, StdoutSink, UdpSink (event_log.cpp), and a
// MemorySink for tests.
class LineSink {
 public:
  virtual ~LineSink() = default;
  // `line` has no trailing newline. Never blocks; may queue (bounded) or drop (counted by the caller
  // when it returns false).
  virtual bool Send(std::string_view line) = 0;
  // Opens what the sink needs (its socket) now, before the privilege drop; later reconnects need
  // access to the path again.
  virtual void Prepare() {}
};

// "unix:/path" | "stdout" | "udp:HOST:PORT" | "memory" (tests). kInvalidArgument names the bad spec.
Result<std::unique_ptr<LineSink>> OpenSink(uv_loop_t* loop, std::string_view spec,
                                           size_t max_queued_lines);

// Keeps the lines a test wants to read.
class MemorySink : public LineSink {
 public:
  bool Send(std::string_view line) override;
  std::vector<std::string> lines;
};

class EventLog {
 public:
  EventLog(std::string decky, std::unique_ptr<LineSink> sink, const Limits& limits,
           Counters& counters);
  const std::string& decky() const { return decky_; }
  LineSink& sink() { return *sink_; }

  // One event under construction. Values are copied and bounded (Limits::max_field_bytes: a longer
  // value is cut and `truncated` names the fields that were). Emit() formats and sends the line.
  class Event {
   public:
    Event(EventLog& log, std::string_view service, std::string_view type);
    // src_ip, src_port, dst_port and session (the connection id).
    Event& From(const Connection& c);
    Event& From(const Endpoint& remote, uint16_t local_port);
    Event& Add(std::string_view key, std::string_view value);
    Event& Add(std::string_view key, int64_t value);
    // The universal credential shape; `secret` is the exact bytes the attacker sent.
    Event& Secret(std::string_view principal, std::string_view secret, std::string_view kind);
    Event& Msg(std::string_view msg);
    void Emit();

   private:
    EventLog& log_;
    std::string service_, type_, msg_, truncated_;
    std::vector<std::pair<std::string, std::string>> params_;
  };
  Event New(std::string_view service, std::string_view type) { return Event(*this, service, type); }

  // For tests: override the clock (µs since the epoch); 0 = real time.
  void SetClockForTest(int64_t fixed_us) { fixed_us_ = fixed_us; }

 private:
  std::string decky_;
  std::unique_ptr<LineSink> sink_;
  const Limits& limits_;
  Counters& counters_;
  int64_t fixed_us_ = 0;
};

// The printable form of a secret: printable ASCII kept, every other byte (and each byte of a
// multi-byte UTF-8 sequence) as '?', which is what the Python original's auth helper writes.
std::string PrintableSecret(std::string_view secret);

}  // namespace decnet::decoy
