// Test doubles for protocol tests: a whole decky on a real loop with events kept in memory
// (TestDecky), and a Connection that records what a session writes (FakeConnection), so a protocol
// is tested alone, byte for byte, without sockets. Not for production code.
#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "decnet/decoy/decky.h"

namespace decnet::decoy::testing {

// A decky named "test-decky" (fixed fleet seed, persona derived, events in `sink`, artifacts under a
// fresh temp dir), bound to 127.0.0.1. REQUIRES: one per thread at a time.
struct TestDecky {
  explicit TestDecky(PersonaInputs inputs = {});
  ~TestDecky();
  // Runs the loop until `done()` or `max_ms` passed (for tests with real sockets).
  void RunUntil(const std::function<bool()>& done, uint64_t max_ms = 5000);
  // The logged events whose MSGID is `type` (whole lines).
  std::vector<std::string> Events(std::string_view type) const;

  uv_loop_t loop;
  Limits limits;
  Counters counters;
  Persona persona;
  MemorySink* sink;  // owned by log
  std::unique_ptr<EventLog> log;
  std::string artifact_dir;
  std::unique_ptr<ArtifactStore> artifacts;
  std::unique_ptr<Decky> decky;
};

class FakeConnection final : public Connection {
 public:
  explicit FakeConnection(Host& host, uint16_t local_port = 0);
  const Endpoint& remote() const override { return remote_; }
  const Endpoint& local() const override { return local_; }
  uint64_t id() const override { return 7; }
  void Write(std::string_view bytes) override;
  void Close() override { closed = true; }
  void SetReading(bool on) override { reading = on; }
  void SetTimer(uint64_t ms, std::function<void()> fn) override;
  Host& host() override { return host_; }
  // Runs the armed timer (if any) as if it had expired.
  void FireTimer();
  // Returns and clears what the session wrote so far.
  std::string Take();

  std::string output;
  bool closed = false;
  bool reading = true;
  uint64_t timer_ms = 0;
  Endpoint remote_{"203.0.113.7", 40123};
  Endpoint local_{"127.0.0.1", 0};

 private:
  Host& host_;
  std::function<void()> timer_fn_;
};

// A whole line of `sink` parsed back: the value of SD-PARAM `key` ("" when absent), unescaped.
std::string ParamOf(const std::string& line, std::string_view key);

}  // namespace decnet::decoy::testing
