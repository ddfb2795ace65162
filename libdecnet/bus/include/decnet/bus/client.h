// Bus client on a libuv loop: publish, subscribe with callbacks, reconnect with backoff.
//
// Delivery is at-most-once (DESIGN.md §4.7: the DB is the truth). Publish() never blocks the caller's loop:
// frames go to a bounded outbound queue that drops the oldest when full (counted). While the broker is away
// the client keeps retrying (backoff from 100 ms doubling to 5 s) and, once connected again, sends HELLO and
// re-subscribes every pattern before anything else.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/bus/protocol.h"
#include "decnet/core/loop.h"

namespace decnet::bus {

// An event as delivered to a subscriber. `payload_json` is the payload object serialized.
struct Event {
  std::string topic;
  std::string type;
  std::string id;
  double ts = 0;
  std::string payload_json;
  // Who published it, as the broker attests (control topics only): "name (uid U, pid P)"; else "".
  std::string sender;
};

struct ClientOptions {
  size_t max_queued_frames = 1024;  // outbound queue bound (drop-oldest)
  uint64_t backoff_min_ms = 100;
  uint64_t backoff_max_ms = 5000;
};

struct ClientStats {
  uint64_t published = 0;  // frames handed to the socket
  uint64_t dropped = 0;    // frames the outbound bound discarded
  uint64_t received = 0;   // EVT frames delivered to callbacks
  uint64_t bad_frames = 0; // malformed frames from the broker (connection reset)
  uint64_t reconnects = 0;
};

class Client {
 public:
  using Callback = std::function<void(const Event&)>;
  using SubId = uint64_t;

  // `name` goes into HELLO. The client does nothing until Start().
  Client(uv_loop_t* loop, std::string socket_path, std::string name, ClientOptions opts = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void Start();
  // Sends what is queued (best effort, bounded by the socket), says BYE, closes. `done` runs once the
  // handles are closed. After Close() the client does not reconnect.
  void Close(std::function<void()> done = {});

  // `payload_json` must be a JSON object serialized (e.g. from json::JsonWriter). Topic is validated;
  // an invalid topic is counted as dropped and logged once.
  void Publish(std::string_view topic, std::string_view type, std::string_view payload_json);

  // NATS-style pattern (`*` one token, `>` the rest). The callback runs on the loop thread.
  SubId Subscribe(std::string pattern, Callback cb);
  void Unsubscribe(SubId id);

  bool connected() const { return state_ == State::kConnected; }
  const ClientStats& stats() const { return stats_; }
  // Called after every (re)connection, once HELLO and the subscriptions are queued.
  void OnConnected(std::function<void()> fn) { on_connected_ = std::move(fn); }

 private:
  enum class State { kIdle, kConnecting, kConnected, kBackoff, kClosing, kClosed };
  struct Sub {
    SubId id;
    std::string pattern;
    Callback cb;
  };
  void Connect();
  void OnConnect(int status);
  void ScheduleReconnect();
  void Disconnect();
  void Enqueue(std::string frame, bool control);
  void ClosePipe();
  void Flush();
  void OnRead(ssize_t nread, const uv_buf_t* buf);
  void Dispatch(const Frame& f);
  void MaybeFinishClose();

  uv_loop_t* loop_;
  std::string path_, name_;
  ClientOptions opts_;
  State state_ = State::kIdle;
  uv_pipe_t* pipe_ = nullptr;
  uint64_t pipe_gen_ = 0;
  Timer retry_timer_;
  uint64_t backoff_ms_;
  struct Queued {
    bool control;  // HELLO/SUB/UNSUB/BYE: never dropped by the bound
    std::string frame;
  };
  std::deque<Queued> queue_;  // frames not yet written
  size_t writes_in_flight_ = 0;
  FrameReader reader_;
  std::vector<Sub> subs_;
  SubId next_id_ = 1;
  ClientStats stats_;
  std::function<void()> on_connected_;
  std::function<void()> on_closed_;
  std::shared_ptr<bool> alive_;
  friend struct ClientAccess;
};

}  // namespace decnet::bus
