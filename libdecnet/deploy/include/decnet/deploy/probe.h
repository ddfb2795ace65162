// What is actually there, for a netns decky: its namespace, its links, the processes inside it and the
// sockets its services listen on. Core-only (no topology, no storage) so the reconciler worker stays
// small; the deploy engine and `decnet status` use the same checks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::deploy {

// A netns-runtime decky lives in the network namespace "decnet-<decky>" (decky_contract.md).
std::string NetnsName(const std::string& decky);
std::string NetnsPath(const std::string& decky);  // /run/netns/decnet-<decky>
// Where namespaces are mounted: $DECNET_NETNS_DIR (tests) or /run/netns.
std::string NetnsDir();

// Runs `fn` with this thread inside the network namespace at `path` (setns there, then back to the
// namespace we came from). /proc/sys/net and /proc/self/net opened inside `fn` are the namespace's.
// Needs CAP_SYS_ADMIN. The process must be single-threaded or accept that only this thread moves.
Status InNetns(const std::string& path, const std::function<Status()>& fn);

struct PortCheck {
  uint16_t port = 0;
  bool udp = false;
};
struct ServiceCheck {
  std::string name;
  std::vector<PortCheck> ports;  // up when the first (primary) port has a listening socket
};

enum class DeckyState { kRunning, kDegraded, kAbsent, kUnknown };
const char* DeckyStateName(DeckyState s);

struct DeckyProbe {
  DeckyState state = DeckyState::kAbsent;
  bool netns = false;     // the namespace file exists
  bool links_up = false;  // every interface but lo is UP and RUNNING (carrier)
  int processes = 0;      // processes whose network namespace is this one
  std::map<std::string, bool> services;  // name -> listening on all its ports
  std::string detail;     // why not running, for status output
};

// One scan of /proc: network namespace inode -> pids. Build once per pass, look many deckies up.
std::multimap<ino_t, pid_t> NetnsPidIndex();
std::vector<pid_t> PidsInNetns(const std::string& netns_path,
                               const std::multimap<ino_t, pid_t>& index);

// Never connects to the decky (a probe connection would be logged as an attacker): it reads the
// listening sockets from /proc/self/net/{tcp,tcp6,udp,udp6} inside the namespace.
DeckyProbe ProbeDecky(const std::string& netns_path, const std::vector<ServiceCheck>& services,
                      const std::multimap<ino_t, pid_t>& index);

// A decky as <state_dir>/fleet.json lists it.
struct FleetDecky {
  std::string name, topology, runtime, netns;
  std::vector<std::string> ips;
  std::vector<ServiceCheck> services;
};
Result<std::vector<FleetDecky>> ReadFleetJson(const std::string& path);

// The JSON of one decky's state, the payload of decky.<name>.state:
// {"decky":..,"state":"running|degraded|absent","services":{"http":"up",..},"processes":N,...}
std::string DeckyStateJson(const std::string& name, const DeckyProbe& p);

// Compares the fleet with what is there and reports each decky whose state changed since the last
// pass. Runs in the reconciler worker (bin/decnet-reconciler). Bounded by the fleet file's size.
class Reconciler {
 public:
  // `publish(topic, payload_json)` for every transition; `state_file` gets the last full snapshot
  // ({"updated_at":..,"deckies":{name:state json}}) so `decnet status` can show it without root.
  using Publish = std::function<void(const std::string& topic, const std::string& payload)>;
  Reconciler(std::string fleet_file, std::string state_file, Publish publish);

  // One pass. Returns the number of transitions published.
  Result<size_t> Tick();

  struct Stats {
    uint64_t passes = 0, transitions = 0, deckies = 0, running = 0, degraded = 0, absent = 0;
    uint64_t fleet_errors = 0, probe_denied = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  std::string fleet_file_, state_file_;
  Publish publish_;
  std::map<std::string, std::string> last_;  // decky -> last published payload (minus counters)
  Stats stats_;
};

}  // namespace decnet::deploy
