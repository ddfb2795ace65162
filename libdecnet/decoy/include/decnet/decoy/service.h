// The seam between the decky runtime and the protocols it serves (DESIGN.md §5b).
//
// A protocol is a Service (one per decky per protocol) that hands out a Session per TCP connection
// and/or answers datagrams. The runtime owns every socket, every bound and every counter; a protocol
// only sees Connection (write, close, a timer) and Host (persona, events, artifacts, extra sockets),
// so it can be written once and tested alone through decoy::testing::FakeConnection.
//
// Lifetimes: the runtime creates a Session when a connection is accepted and destroys it after
// OnClose(); a Session never outlives its Connection. Everything runs on the decky's one loop thread.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/decoy/event_log.h"
#include "decnet/decoy/limits.h"

namespace decnet::decoy {

class ArtifactStore;
class Persona;

enum class Transport : uint8_t { kTcp, kUdp };

struct PortBinding {
  uint16_t port = 0;
  Transport transport = Transport::kTcp;
};

// An address as text (IPv6 unbracketed; v4-mapped IPv6 shown as IPv4) and a port.
struct Endpoint {
  std::string ip;
  uint16_t port = 0;
};

enum class CloseReason : uint8_t {
  kPeer,         // the peer closed or reset
  kService,      // the session called Close()
  kIdle,         // Limits::idle_timeout_ms without input
  kDuration,     // Limits::max_session_ms reached
  kOutputLimit,  // the peer does not read: Limits::max_output_bytes queued
  kShutdown,     // the decky is stopping
  kError,        // a socket error
};
const char* CloseReasonName(CloseReason r);

class Host;

// One TCP connection as a session sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Endpoint& remote() const = 0;
  virtual const Endpoint& local() const = 0;
  // A per-decky sequence number, for logs that tie a session's events together.
  virtual uint64_t id() const = 0;
  // Queues bytes for the peer. When more than Limits::max_output_bytes are waiting, the connection is
  // closed with kOutputLimit (counted) instead of buffering without bound.
  virtual void Write(std::string_view bytes) = 0;
  // Flushes what is queued, then closes. No OnData after this; OnClose follows.
  virtual void Close() = 0;
  // Stops (false) or resumes (true) delivering input (e.g. while a response is pending).
  virtual void SetReading(bool on) = 0;
  // One timer per connection: fires once after `ms` (replacing any armed one). 0 cancels.
  virtual void SetTimer(uint64_t ms, std::function<void()> fn) = 0;
  virtual Host& host() = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  // The connection is up: send a banner here if the protocol speaks first.
  virtual void OnOpen() {}
  // Bytes from the peer (any split; a session buffers what it needs, within its own bounds).
  virtual void OnData(std::string_view bytes) = 0;
  // The connection is gone; the session is destroyed right after.
  virtual void OnClose(CloseReason /*reason*/) {}
};

using SessionFactory = std::function<std::unique_ptr<Session>(Connection&)>;

// A UDP socket owned by the runtime (the service's listening port, or one opened through Host).
class Datagrams {
 public:
  virtual ~Datagrams() = default;
  virtual const Endpoint& local() const = 0;
  // Sends one datagram; false (counted) when the socket refuses it.
  virtual bool SendTo(const Endpoint& to, std::string_view bytes) = 0;
};
using DatagramHandler =
    std::function<void(Datagrams& socket, const Endpoint& from, std::string_view bytes)>;

// A listener or socket opened by a service at run time; closed when the handle is destroyed.
class ExtraSocket {
 public:
  virtual ~ExtraSocket() = default;
  virtual const Endpoint& local() const = 0;
  // For UDP sockets; nullptr for TCP listeners.
  virtual Datagrams* datagrams() = 0;
};

// The decky as a service sees it.
class Host {
 public:
  virtual ~Host() = default;
  virtual const Persona& persona() const = 0;
  virtual EventLog& log() = 0;
  virtual ArtifactStore& artifacts() = 0;
  virtual const Limits& limits() const = 0;
  virtual Counters& counters() = 0;
  // The monotonic loop clock in ms, and wall time in µs since the epoch.
  virtual uint64_t NowMs() const = 0;
  virtual int64_t WallUs() const = 0;
  // Opens a TCP listener on `ip`:`port` (0 = ephemeral) whose connections run sessions from
  // `factory` under the usual bounds; it stops accepting after `max_accepts` connections (FTP data).
  virtual Result<std::unique_ptr<ExtraSocket>> ListenTcp(const std::string& ip, uint16_t port,
                                                         size_t max_accepts,
                                                         SessionFactory factory) = 0;
  // Opens a UDP socket (e.g. a TFTP transfer's own port).
  virtual Result<std::unique_ptr<ExtraSocket>> OpenUdp(const std::string& ip, uint16_t port,
                                                       DatagramHandler handler) = 0;
  // The decky's loop, for timers not tied to a connection (decnet::Timer, e.g. UDP retransmits).
  virtual uv_loop_t* loop() = 0;
};

// A protocol on one decky.
class Service {
 public:
  virtual ~Service() = default;
  // The service name of the topology registry ("http"); APP-NAME of its events.
  virtual std::string_view name() const = 0;
  // TCP: a session for a new connection on one of this service's TCP ports.
  virtual std::unique_ptr<Session> NewSession(Connection& /*conn*/) { return nullptr; }
  // UDP: one datagram on one of this service's UDP ports.
  virtual void OnDatagram(Datagrams& /*socket*/, const Endpoint& /*from*/,
                          std::string_view /*bytes*/) {}
  // Extra health fields (counters of this protocol).
  virtual void AddHealth(std::string* /*json_members*/) const {}
};

// Builds a service for a decky. Ports come from the topology registry (overridable by the runtime).
using ServiceMaker = std::function<std::unique_ptr<Service>(Host& host)>;

// The protocols this executable knows: name -> maker. main() registers each family explicitly (a
// self-registering object in a static archive is dropped by the linker).
class ServiceRegistry {
 public:
  struct Entry {
    std::string name;
    ServiceMaker maker;
    std::vector<PortBinding> ports;  // the ports this protocol speaks on by default
  };
  // `ports` empty: the service's ports in the topology registry.
  void Add(std::string name, ServiceMaker maker, std::vector<PortBinding> ports = {});
  const Entry* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::vector<Entry> entries_;
};

}  // namespace decnet::decoy
