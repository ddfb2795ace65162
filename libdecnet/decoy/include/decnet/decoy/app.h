// decnet-decky's start-up, as a library so the floor harness and tests run the same code: the config
// keys, the persona, the event sink, the network namespace, the service ports, and the privilege drop.
#pragma once

#include <uv.h>

#include <memory>
#include <string>

#include "decnet/core/config.h"
#include "decnet/core/result.h"
#include "decnet/decoy/decky.h"

namespace decnet::decoy {

// Declares decky, services, hostname, distro, os_profile, fleet_seed, log_target, netns, bind, ports,
// settings, run_as and the Limits keys.
void DeclareDeckyConfig(Config& c);

// True for a decky name that is safe in a path, a syslog HOSTNAME and a unit instance:
// [A-Za-z0-9][A-Za-z0-9._-]{0,62}.
bool IsValidDeckyName(std::string_view name);

// Parses `ports` ("http=8080,ftp:21=2121,tftp=0") against the registry defaults of `service`.
// kInvalidArgument names the bad item.
Result<std::vector<PortBinding>> PortsFor(std::string_view service,
                                          const std::vector<PortBinding>& defaults,
                                          std::string_view overrides);

class DeckyApp {
 public:
  // Builds the whole decky from `c` (after Config::Load). kInvalidArgument for bad config (exit 2),
  // other codes for runtime failures (a port that cannot be bound, an unwritable state dir).
  // `bus_socket` is only used to keep its group across the privilege drop.
  static Result<std::unique_ptr<DeckyApp>> Start(uv_loop_t* loop, const Config& c,
                                                 const ServiceRegistry& registry,
                                                 const std::string& bus_socket = {});
  ~DeckyApp();

  const Persona& persona() const { return persona_; }
  Decky& decky() { return *decky_; }
  // {"accepted":..., ...}
  std::string HealthJson() const { return "{" + decky_->HealthMembers() + "}"; }
  // "http tcp/80, tftp udp/69" for the start-up log line.
  std::string Describe() const;
  void Stop() { decky_->Stop(); }

 private:
  DeckyApp() = default;
  Limits limits_;
  Counters counters_;
  Persona persona_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<ArtifactStore> artifacts_;
  std::unique_ptr<Decky> decky_;
};

}  // namespace decnet::decoy
