// Docker input: container logs through the Engine API on a UNIX socket (HTTP/1.1, libuv pipes).
//
// On start (and again after a reconnect, and every reconcile_s): GET /containers/json, follow the
// logs of every container whose labels include one of `labels` ("key=value"; the Python original's
// decnet.fleet.service=true / decnet.topology.service=true). Containers that start later are picked
// up from GET /events (type=container, event=start). A log stream is GET
// /containers/{id}/logs?follow=1&stdout=1&stderr=1&since=T: T is the collector's start time for
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

namespace decnet::collector {

struct DockerOptions {
  std::string socket_path = "/var/run/docker.sock";
  std::vector<std::string> labels = {"decnet.fleet.service=true", "decnet.topology.service=true"};
  size_t max_containers = 512;
  size_t max_line = 16 * 1024;
  uint64_t reconcile_s = 30;
};

struct DockerStats {
  uint64_t streams_started = 0;
  uint64_t streams_refused = 0;  // over max_containers
  uint64_t lines = 0;
  uint64_t truncated = 0;
  uint64_t reconnects = 0;
  uint64_t errors = 0;
};

class DockerInput {
 public:
  using LineFn = std::function<void(std::string_view line, bool truncated)>;
  DockerInput(uv_loop_t* loop, DockerOptions opts, LineFn on_line);
  ~DockerInput();
  DockerInput(const DockerInput&) = delete;
  DockerInput& operator=(const DockerInput&) = delete;

  void Start();
  void Close();
  const DockerStats& stats() const { return stats_; }
  size_t streams() const { return streams_.size(); }
  bool events_connected() const { return events_ != nullptr && events_ok_; }

  struct Request;  // one HTTP request on its own connection (docker_input.cpp)

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
  DockerOptions opts_;
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
  DockerStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace decnet::collector
