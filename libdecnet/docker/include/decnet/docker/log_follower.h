// LogFollower: container logs through the Docker Engine API on a UNIX socket (HTTP/1.1, libuv
// pipes). The collector's Docker input is this class plus wiring (bin/decnet-collector/main.cpp).
//
// On start (and again after a reconnect, and every reconcile_s): GET /containers/json, follow the
// logs of every container whose labels include one of `labels` ("key=value"; the Python original's
// decnet.fleet.service=true / decnet.topology.service=true). Containers that start later are picked
// up from GET /events (type=container, event=start). A log stream is GET
// /containers/{id}/logs?follow=1&stdout=1&stderr=1&since=T: T is the follower's start time for
// containers found running (no replay of old history on restart), 0 for containers that start
// later. When the events stream breaks (Docker restarts) everything is retried with a backoff from
// 1 s doubling to 30 s. Bounded: max_containers log streams at once (refusals counted), max_line
// per line.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decnet/core/loop.h"

namespace decnet::docker {

struct FollowOptions {
  std::string socket_path = "/var/run/docker.sock";
  std::vector<std::string> labels = {"decnet.fleet.service=true", "decnet.topology.service=true"};
  size_t max_containers = 512;
  size_t max_line = 16 * 1024;
  uint64_t reconcile_s = 30;
};

struct FollowStats {
  uint64_t streams_started = 0;
  uint64_t streams_refused = 0;  // over max_containers
  uint64_t lines = 0;
  uint64_t truncated = 0;
  uint64_t reconnects = 0;
  uint64_t errors = 0;
};

class LogFollower {
 public:
  using LineFn = std::function<void(std::string_view line, bool truncated)>;
  LogFollower(uv_loop_t* loop, FollowOptions opts, LineFn on_line);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  void Start();
  void Close();
  const FollowStats& stats() const { return stats_; }
  size_t streams() const { return streams_.size(); }
  bool events_connected() const { return events_ != nullptr && events_ok_; }

  struct Request;  // one HTTP request on its own connection (log_follower.cpp)

 private:
  void Connect();
  void List();
  void Follow(const std::string& id, int64_t since);
  bool Matches(const void* labels_obj) const;  // rapidjson object of labels/attributes
  void OnEventsBody(std::string_view body);
  void OnEventsEnd();
  void ScheduleRetry();
  void Forget(Request* r);

  uv_loop_t* loop_;
  FollowOptions opts_;
  LineFn on_line_;
  Timer retry_, reconcile_;
  uint64_t backoff_ms_ = 1000;
  int64_t started_s_ = 0;
  Request* events_ = nullptr;
  bool events_ok_ = false;
  std::string events_buf_;
  std::unordered_map<std::string, Request*> streams_;  // container id -> log stream
  std::vector<Request*> pending_;                      // list requests in flight
  bool closed_ = false;
  FollowStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace decnet::docker
