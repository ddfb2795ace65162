// The decky runtime: one libuv loop serving every service of one decky, with the bounds of Limits on
// every connection. It implements Host for the services and owns every socket they use.
//
//   Decky d(loop, persona, log, artifacts, limits);
//   d.AddService(maker(d), {{80, kTcp}});   // binds now; errors name the port
//   ... loop runs ...
//   d.Stop();                                // closes listeners and connections (kShutdown)
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/event_log.h"
#include "decnet/decoy/limits.h"
#include "decnet/decoy/persona.h"
#include "decnet/decoy/service.h"

namespace decnet::decoy {

class Decky final : public Host {
 public:
  // Every reference must outlive the Decky. `bind_ip` is where the service ports listen.
  Decky(uv_loop_t* loop, const Persona& persona, EventLog& log, ArtifactStore& artifacts,
        const Limits& limits, Counters& counters, std::string bind_ip);
  ~Decky() override;
  Decky(const Decky&) = delete;
  Decky& operator=(const Decky&) = delete;

  // Takes the service and binds its ports. kIo names the port on failure (nothing of this service
  // stays bound then).
  Status AddService(std::unique_ptr<Service> service, const std::vector<PortBinding>& ports);
  // Closes every listener and connection. Idempotent. The loop ends once the closes complete.
  void Stop();

  // Health members ("accepted":1,...) without braces, for the worker's health event.
  std::string HealthMembers() const;
  size_t open_connections() const { return open_; }
  // The ports actually bound (after port 0 was resolved), per service name.
  const std::vector<std::pair<std::string, PortBinding>>& bound() const { return bound_; }

  // Host
  const Persona& persona() const override { return persona_; }
  EventLog& log() override { return log_; }
  ArtifactStore& artifacts() override { return artifacts_; }
  const Limits& limits() const override { return limits_; }
  Counters& counters() override { return counters_; }
  uint64_t NowMs() const override { return uv_now(loop_); }
  int64_t WallUs() const override;
  uv_loop_t* loop() override { return loop_; }
  Result<std::unique_ptr<ExtraSocket>> ListenTcp(const std::string& ip, uint16_t port,
                                                 size_t max_accepts,
                                                 SessionFactory factory) override;
  Result<std::unique_ptr<ExtraSocket>> OpenUdp(const std::string& ip, uint16_t port,
                                               DatagramHandler handler) override;

  // Internal plumbing shared with the socket classes in decky.cpp.
  struct Listener;
  struct Conn;
  struct Udp;
  bool Admit(const std::string& ip);  // applies the connection caps; counts refusals
  void Release(const std::string& ip);
  Result<Listener*> BindTcp(const std::string& ip, uint16_t port, std::string service_name,
                            SessionFactory factory, size_t max_accepts);
  void MaybeReleaseServices();
  Result<Udp*> BindUdp(const std::string& ip, uint16_t port, DatagramHandler handler);

 private:
  uv_loop_t* loop_;
  const Persona& persona_;
  EventLog& log_;
  ArtifactStore& artifacts_;
  const Limits& limits_;
  Counters& counters_;
  std::string bind_ip_;
  std::vector<std::unique_ptr<Service>> services_;
  std::vector<Listener*> listeners_;  // owned; freed in their close callbacks
  std::vector<Udp*> udps_;            // owned likewise
  std::vector<std::pair<std::string, PortBinding>> bound_;
  std::map<std::string, uint32_t, std::less<>> per_ip_;
  size_t open_ = 0;
  size_t extra_udp_ = 0;  // sockets opened through OpenUdp, bounded by max_udp_peers
  uint64_t next_conn_id_ = 0;
  bool stopped_ = false;
  friend struct Listener;
  friend struct Conn;
  friend struct Udp;
 public:
  // Every open connection (for Stop); maintained by Conn.
  std::vector<Conn*> conns_;
};

// Formats a sockaddr as an Endpoint (v4-mapped IPv6 as IPv4).
Endpoint ToEndpoint(const struct sockaddr* sa);
// Parses "ip" + port into a sockaddr_storage; false on a bad address.
bool ToSockaddr(const std::string& ip, uint16_t port, struct sockaddr_storage* out);

}  // namespace decnet::decoy
