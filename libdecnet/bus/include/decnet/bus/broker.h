// The bus broker: accepts local clients on a UNIX socket, matches PUB topics against every
// connection's patterns (TopicTrie) and fans out EVT frames. Contracts (DESIGN.md §5):
// - A publisher never receives its own event; a connection with several matching patterns gets one
// copy.
// - Each connection has a bounded outbound queue (queue_limit frames); when full the OLDEST frame
// is dropped
//   and counted for that connection and globally. A slow subscriber never slows a publisher.
// - A malformed or oversized frame closes that connection only, counted in bad_frames.
// - Listen() removes a stale socket file but refuses (Errc::kBusy) when a live broker answers on
// it. Single-threaded: every method runs on the loop's thread.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "decnet/bus/protocol.h"
#include "decnet/bus/topic_trie.h"
#include "decnet/core/result.h"

namespace decnet::bus {

struct BrokerOptions {
  std::string socket_path;
  size_t queue_limit = 1024;      // outbound frames per connection
  size_t max_connections = 1024;  // further connections are accepted and closed at once (counted)
  size_t max_patterns_per_conn = 4096;
  unsigned socket_mode = 0660;
  std::string group = "decnet";  // chown the socket to this group when it exists
  // Peers (by SO_PEERCRED uid) whose PUB to system.<worker>.control is honoured, beside root. Empty
  // means the broker's own uid. Anyone else who can reach the socket (a worker an attacker took
  // over through a parser) gets the frame refused and counted instead of stopping the fleet (issue
  // 14, 4).
  std::vector<uint32_t> control_uids;
};

struct BrokerStats {
  uint64_t published = 0;   // PUB frames accepted (and local publishes)
  uint64_t delivered = 0;   // EVT frames queued to subscribers
  uint64_t dropped = 0;     // EVT frames discarded by drop-oldest
  uint64_t bad_frames = 0;  // connections closed for a malformed frame
  uint64_t rejected = 0;    // connections refused over max_connections
  uint64_t accepted = 0;
  uint64_t control_refused = 0;  // PUBs to system.*.control from a peer without a control uid
};

// The uid of `user` (a name from /etc/passwd, or a number), or -1. Read directly, not through NSS,
// for the same reason as the socket group (NSS maps libnss_* into the broker for good).
long UserIdFromEtcPasswd(const std::string& user);

// True for system.<one token>.control, the topics that stop or steer workers.
bool IsControlTopic(std::string_view topic);

class Connection;

class Broker {
 public:
  Broker(uv_loop_t* loop, BrokerOptions opts);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  Status Listen();
  // Stops accepting, closes every connection (queued frames are flushed best effort), removes the
  // socket file. `done` runs when every handle is closed.
  void Close(std::function<void()> done = {});

  // Called for every PUB on system.bus.control (after fan-out) with the payload JSON.
  void OnControl(std::function<void(const std::string& payload_json)> fn) {
    on_control_ = std::move(fn);
  }

  // Fans out an event originating in the broker itself (system.bus.health).
  void PublishLocal(std::string_view topic, std::string_view type, std::string_view payload_json);

  const BrokerStats& stats() const { return stats_; }
  size_t connection_count() const { return live_; }
  size_t pattern_count() const { return trie_.pattern_count(); }

  // Internal, used by Connection.
  void OnFrameFromClient(Connection* c, Frame& f);
  void Forget(Connection* c);
  BrokerStats& mutable_stats() { return stats_; }
  const BrokerOptions& options() const { return opts_; }
  TopicTrie& trie() { return trie_; }

 private:
  void OnConnection(int status);
  void FanOut(std::string_view topic, std::shared_ptr<const std::string> frame, Connection* origin);
  void MaybeDone();
  bool MayControl(const Connection* c) const;

  uv_loop_t* loop_;
  BrokerOptions opts_;
  uv_pipe_t* server_ = nullptr;
  std::vector<Connection*> conns_;  // indexed by subscriber id; nullptr = free slot
  std::vector<uint32_t> free_ids_;
  std::vector<uint64_t> stamp_;  // per id: last fan-out that reached it (de-duplication)
  uint64_t fanout_seq_ = 0;
  size_t live_ = 0;
  TopicTrie trie_;
  BrokerStats stats_;
  bool closing_ = false;
  bool server_closed_ = false;
  std::function<void()> on_closed_;
  std::function<void(const std::string&)> on_control_;
};

}  // namespace decnet::bus
