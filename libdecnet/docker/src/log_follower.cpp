#include "decnet/docker/log_follower.h"

#include <cstring>
#include <ctime>

#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/core/text.h"
#include "decnet/docker/stream.h"
#include "decnet/syslog/framing.h"

namespace decnet::docker {

// One HTTP request on its own UNIX-socket connection. Owned by LogFollower until End() runs; freed
// in its pipe's close callback.
struct LogFollower::Request {
  uv_pipe_t pipe;
  uv_connect_t connect;
  uv_write_t write;
  std::string request;
  HttpResponseReader reader;
  DockerMuxDecoder mux;
  bool muxed = false;
  bool framing_known = false;  // log streams: raw or multiplexed, decided on the first bytes
  std::string sniff, scratch;
  syslog::StreamFramer lines;
  std::string body, demuxed;
  std::string container;  // for log streams
  std::function<void(Request*, std::string_view)> on_body;
  std::function<void(Request*, bool ok)> on_end;
  bool ended = false;
  explicit Request(size_t max_line) : lines(max_line, syslog::StreamFramer::Mode::kLf) {}

  void End(bool ok) {
    if (ended) return;
    ended = true;
    if (on_end) on_end(this, ok);
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe),
             [](uv_handle_t* h) { delete static_cast<Request*>(h->data); });
  }
};

namespace {

using Req = LogFollower::Request;

// Starts `r` (connect, write the request, read the response into the callbacks).
void Launch(uv_loop_t* loop, const std::string& socket_path, Req* r, const std::string& target) {
  r->request = "GET " + target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: decnet\r\n\r\n";
  uv_pipe_init(loop, &r->pipe, 0);
  r->pipe.data = r;
  r->connect.data = r;
  uv_pipe_connect(&r->connect, &r->pipe, socket_path.c_str(), [](uv_connect_t* c, int status) {
    auto* req = static_cast<Req*>(c->data);
    if (status < 0) return req->End(false);
    uv_buf_t b = uv_buf_init(req->request.data(), static_cast<unsigned>(req->request.size()));
    req->write.data = req;
    uv_write(&req->write, reinterpret_cast<uv_stream_t*>(&req->pipe), &b, 1,
             [](uv_write_t* w, int st) {
               if (st < 0) static_cast<Req*>(w->data)->End(false);
             });
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&req->pipe),
        [](uv_handle_t*, size_t, uv_buf_t* buf) {
          static char shared[64 * 1024];  // the loop is single-threaded: one read at a time
          *buf = uv_buf_init(shared, sizeof(shared));
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          auto* rq = static_cast<Req*>(s->data);
          if (rq->ended) return;
          if (n < 0) return rq->End(n == UV_EOF && rq->reader.headers_done());
          rq->body.clear();
          if (Status st =
                  rq->reader.Feed(std::string_view(buf->base, static_cast<size_t>(n)), &rq->body);
              !st) {
            return rq->End(false);
          }
          if (rq->reader.headers_done() && rq->reader.status() != 200) return rq->End(false);
          if (!rq->body.empty() && rq->on_body) rq->on_body(rq, rq->body);
          if (!rq->ended && rq->reader.done()) rq->End(true);
        });
  });
}

}  // namespace

LogFollower::LogFollower(uv_loop_t* loop, FollowOptions opts, LineFn on_line)
    : loop_(loop),
      opts_(std::move(opts)),
      on_line_(std::move(on_line)),
      retry_(loop),
      reconcile_(loop) {}

LogFollower::~LogFollower() {
  Close();
  *alive_ = false;
}

void LogFollower::Start() {
  started_s_ = static_cast<int64_t>(time(nullptr));
  Connect();
  const uint64_t every = opts_.reconcile_s * 1000;
  if (every) {
    reconcile_.Start(every, every, [this] {
      if (events_) List();
    });
  }
}

void LogFollower::Connect() {
  if (closed_) return;
  auto* r = new Request(opts_.max_line);
  events_ = r;
  events_ok_ = false;
  events_buf_.clear();
  r->on_body = [this](Request*, std::string_view body) { OnEventsBody(body); };
  r->on_end = [this, alive = alive_](Request* rq, bool) {
    if (!*alive || events_ != rq) return;
    events_ = nullptr;
    OnEventsEnd();
  };
  const std::string filters = R"({"type":["container"],"event":["start"]})";
  Launch(loop_, opts_.socket_path, r, "/events?filters=" + PercentEncode(filters));
  List();
}

void LogFollower::OnEventsEnd() {
  events_ok_ = false;
  if (closed_) return;
  ++stats_.reconnects;
  ScheduleRetry();
}

void LogFollower::ScheduleRetry() {
  DLOG_WARN("docker: %s unavailable, retrying in %llu ms", opts_.socket_path.c_str(),
            static_cast<unsigned long long>(backoff_ms_));
  retry_.Start(backoff_ms_, 0, [this] { Connect(); });
  backoff_ms_ = backoff_ms_ * 2 > 30000 ? 30000 : backoff_ms_ * 2;
}

bool LogFollower::Matches(const void* obj) const {
  const auto& labels = *static_cast<const rapidjson::Value*>(obj);
  if (!labels.IsObject()) return false;
  for (const std::string& kv : opts_.labels) {
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    std::string_view want =
        eq == std::string::npos ? std::string_view() : std::string_view(kv).substr(eq + 1);
    auto it = labels.FindMember(key.c_str());
    if (it == labels.MemberEnd() || !it->value.IsString()) continue;
    if (eq == std::string::npos ||
        std::string_view(it->value.GetString(), it->value.GetStringLength()) == want) {
      return true;
    }
  }
  return false;
}

void LogFollower::OnEventsBody(std::string_view body) {
  if (!events_ok_) {
    events_ok_ = true;
    backoff_ms_ = 1000;
    DLOG_INFO("docker: following events on %s", opts_.socket_path.c_str());
  }
  events_buf_.append(body);
  size_t lf;
  while ((lf = events_buf_.find('\n')) != std::string::npos) {
    std::string line = events_buf_.substr(0, lf);
    events_buf_.erase(0, lf + 1);
    rapidjson::Document doc;
    if (!json::ParseObject(line, doc, {64 * 1024, 16})) continue;
    std::string id(json::GetString(doc, "id"));
    auto actor = doc.FindMember("Actor");
    if (id.empty() || actor == doc.MemberEnd() || !actor->value.IsObject()) continue;
    auto attrs = actor->value.FindMember("Attributes");
    if (attrs != actor->value.MemberEnd() && Matches(&attrs->value)) Follow(id, 0);
  }
  if (events_buf_.size() > 64 * 1024) events_buf_.clear();  // a runaway line: drop it
}

void LogFollower::List() {
  if (closed_) return;
  auto* r = new Request(opts_.max_line);
  pending_.push_back(r);
  r->on_body = [](Request* rq, std::string_view body) {
    if (rq->demuxed.size() + body.size() > (8u << 20)) return rq->End(false);
    rq->demuxed.append(body);
  };
  r->on_end = [this, alive = alive_](Request* rq, bool ok) {
    if (!*alive) return;
    Forget(rq);
    if (!ok) {
      ++stats_.errors;
      return;
    }
    backoff_ms_ = 1000;  // the daemon answers again
    rapidjson::Document doc;
    if (!json::Parse(rq->demuxed, doc, {8u << 20, 16}) || !doc.IsArray()) {
      ++stats_.errors;
      return;
    }
    for (const auto& c : doc.GetArray()) {
      if (!c.IsObject()) continue;
      auto labels = c.FindMember("Labels");
      if (labels == c.MemberEnd() || !Matches(&labels->value)) continue;
      std::string id(json::GetString(c, "Id"));
      if (!id.empty()) Follow(id, started_s_);
    }
  };
  Launch(loop_, opts_.socket_path, r, "/containers/json");
}

void LogFollower::Follow(const std::string& id, int64_t since) {
  if (closed_ || streams_.count(id)) return;
  if (streams_.size() >= opts_.max_containers) {
    ++stats_.streams_refused;
    return;
  }
  auto* r = new Request(opts_.max_line);
  r->container = id;
  streams_[id] = r;
  ++stats_.streams_started;
  r->on_body = [this](Request* rq, std::string_view body) {
    if (!rq->framing_known) {
      rq->sniff.append(body);
      const LogFraming fr = SniffLogFraming(rq->reader.content_type(), rq->sniff);
      if (fr == LogFraming::kUnknown) return;  // fewer than 4 bytes so far
      rq->framing_known = true;
      rq->muxed = fr == LogFraming::kMultiplexed;
      rq->demuxed.swap(rq->sniff);  // feed what was held back
      body = rq->demuxed;
    }
    std::string_view text = body;
    if (rq->muxed) {
      rq->scratch.clear();
      rq->mux.Feed(body, &rq->scratch);
      text = rq->scratch;
    }
    rq->lines.Append(text);
    if (!rq->demuxed.empty()) std::string().swap(rq->demuxed);  // the held-back first bytes
    syslog::Frame f;
    while (true) {
      auto got = rq->lines.Next(&f);
      if (!got || !*got) break;
      ++stats_.lines;
      if (f.truncated) ++stats_.truncated;
      on_line_(f.data, f.truncated);
    }
  };
  r->on_end = [this, alive = alive_](Request* rq, bool) {
    if (!*alive) return;
    syslog::Frame f;
    if (rq->lines.Finish(&f)) on_line_(f.data, false);
    auto it = streams_.find(rq->container);
    if (it != streams_.end() && it->second == rq) streams_.erase(it);
  };
  DLOG_INFO("docker: following container %.12s", id.c_str());
  Launch(loop_, opts_.socket_path, r,
         "/containers/" + PercentEncode(id) +
             "/logs?follow=1&stdout=1&stderr=1&since=" + std::to_string(since));
}

void LogFollower::Forget(Request* r) {
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i] == r) {
      pending_.erase(pending_.begin() + static_cast<long>(i));
      return;
    }
  }
}

void LogFollower::Close() {
  if (closed_) return;
  closed_ = true;
  retry_.Stop();
  reconcile_.Stop();
  if (events_) {
    Request* e = events_;
    events_ = nullptr;
    e->End(false);
  }
  std::vector<Request*> all(pending_);
  for (auto& kv : streams_) all.push_back(kv.second);
  pending_.clear();
  streams_.clear();
  for (Request* r : all) r->End(false);
}

}  // namespace decnet::docker
