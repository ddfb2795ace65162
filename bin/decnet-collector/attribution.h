// Attribution of native deckies by the kernel's word rather than their own (issue 14, finding 10).
//
// A native decky writes to the collector's UNIX datagram socket from inside its own network
// namespace. The socket has SO_PASSCRED, so every datagram carries the sender's pid; the pid's
// /proc/<pid>/ns/net names its network namespace, and <state_dir>/fleet.json says which decky owns
// which namespace ("netns": "/run/netns/decnet-<decky>"). The HOSTNAME a decky writes is attacker
// influenced (the decky parses attacker bytes); the namespace is not.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>

namespace decnet::collector {

struct AttributionStats {
  uint64_t attested = 0;      // senders whose namespace is a fleet decky's
  uint64_t unattributed = 0;  // no pid, pid gone, or a namespace no decky owns
  uint64_t reloads = 0;       // fleet.json (re)read
  uint64_t reload_errors = 0;
  uint64_t netns_dropped = 0;  // deckies beyond max_deckies
};

class NetnsAttributor {
 public:
  // `fleet_path`: <state_dir>/fleet.json. `proc`: the proc mount (tests may point elsewhere).
  explicit NetnsAttributor(std::string fleet_path, size_t max_deckies = 100000,
                           std::string proc = "/proc");
  // The decky whose namespace `pid` is in, or "" when none. `now_s` is a monotonic clock: the
  // fleet file is checked for changes at most once per second, and on a miss the namespaces are
  // re-resolved at most once per second (a redeploy recreates them under the same path).
  std::string_view DeckyOf(pid_t pid, double now_s);
  const AttributionStats& stats() const { return stats_; }
  size_t namespaces() const { return by_ns_.size(); }

 private:
  struct NsKey {
    uint64_t dev, ino;
    bool operator==(const NsKey& o) const { return dev == o.dev && ino == o.ino; }
  };
  struct NsHash {
    size_t operator()(const NsKey& k) const { return std::hash<uint64_t>()(k.ino ^ (k.dev << 32)); }
  };
  void MaybeReload(double now_s, bool missed);
  void Load();

  std::string fleet_path_, proc_;
  size_t max_deckies_;
  std::unordered_map<std::string, std::string> netns_of_;  // decky -> netns path (from the file)
  std::unordered_map<NsKey, std::string, NsHash> by_ns_;   // resolved namespace -> decky
  double next_check_s_ = 0, next_resolve_s_ = 0;
  timespec mtime_{};
  ino_t ino_ = 0;
  off_t size_ = -1;
  AttributionStats stats_;
};

}  // namespace decnet::collector
