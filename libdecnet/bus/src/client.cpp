#include "decnet/bus/client.h"

#include <algorithm>

#include "decnet/core/json.h"
#include "decnet/core/log.h"

namespace decnet::bus {
namespace {

struct ConnectReq {
  uv_connect_t req;
  Client* client;
  std::shared_ptr<bool> alive;
};

struct WriteReq {
  uv_write_t req;
  std::vector<std::string> frames;
  std::shared_ptr<bool> alive;
  Client* client;
  uint64_t pipe_gen;  // a write on a pipe that was since replaced is ignored
};

}  // namespace

// Gives the C callbacks access to the private members.
struct ClientAccess {
  static void OnConnect(Client* c, int status) { c->OnConnect(status); }
  static void OnRead(Client* c, ssize_t n, const uv_buf_t* buf) { c->OnRead(n, buf); }
  static void AfterWrite(Client* c, uint64_t gen, int status) {
    if (gen != c->pipe_gen_) return;
    --c->writes_in_flight_;
    if (status < 0) {
      if (c->state_ == Client::State::kConnected) c->Disconnect();
      return;
    }
    if (c->state_ == Client::State::kClosing && c->queue_.empty() && c->writes_in_flight_ == 0) {
      c->ClosePipe();
      return;
    }
    c->Flush();
  }
  static void PipeClosed(Client* c) { c->MaybeFinishClose(); }
};

Client::Client(uv_loop_t* loop, std::string socket_path, std::string name, ClientOptions opts)
    : loop_(loop),
      path_(std::move(socket_path)),
      name_(std::move(name)),
      opts_(opts),
      retry_timer_(loop),
      backoff_ms_(opts.backoff_min_ms),
      alive_(std::make_shared<bool>(true)) {}

Client::~Client() {
  *alive_ = false;
  if (pipe_) {
    pipe_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(pipe_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
  }
}

void Client::Start() {
  if (state_ != State::kIdle) return;
  Connect();
}

void Client::Connect() {
  state_ = State::kConnecting;
  pipe_ = new uv_pipe_t;
  ++pipe_gen_;
  uv_pipe_init(loop_, pipe_, 0);
  pipe_->data = this;
  auto* req = new ConnectReq{{}, this, alive_};
  req->req.data = req;
  uv_pipe_connect(&req->req, pipe_, path_.c_str(), [](uv_connect_t* r, int status) {
    auto* req = static_cast<ConnectReq*>(r->data);
    if (*req->alive) ClientAccess::OnConnect(req->client, status);
    delete req;
  });
}

void Client::OnConnect(int status) {
  if (state_ == State::kClosing || state_ == State::kClosed) {
    ClosePipe();
    return;
  }
  if (status < 0) {
    DLOG_DEBUG("bus connect %s: %s", path_.c_str(), uv_strerror(status));
    ClosePipe();
    ScheduleReconnect();
    return;
  }
  const bool reconnect = stats_.reconnects > 0 || backoff_ms_ != opts_.backoff_min_ms;
  if (reconnect) DLOG_INFO("bus connected to %s", path_.c_str());
  state_ = State::kConnected;
  backoff_ms_ = opts_.backoff_min_ms;
  reader_.Reset();
  // HELLO and every subscription go before anything queued while away.
  std::vector<Queued> control;
  control.push_back({true, EncodeFrame(Verb::kHello, name_)});
  for (const Sub& s : subs_) control.push_back({true, EncodeFrame(Verb::kSub, s.pattern)});
  // Drop stale control frames queued while disconnected (they are regenerated above).
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [](const Queued& q) { return q.control; }),
               queue_.end());
  queue_.insert(queue_.begin(), control.begin(), control.end());
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(pipe_),
      [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
        buf->base = new char[suggested];
        buf->len = suggested;
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        if (s->data) ClientAccess::OnRead(static_cast<Client*>(s->data), n, buf);
        delete[] buf->base;
      });
  Flush();
  if (on_connected_) on_connected_();
}

void Client::ScheduleReconnect() {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  state_ = State::kBackoff;
  ++stats_.reconnects;
  retry_timer_.Start(backoff_ms_, 0, [this] { Connect(); });
  backoff_ms_ = std::min(backoff_ms_ * 2, opts_.backoff_max_ms);
}

void Client::ClosePipe() {
  if (!pipe_) return;
  uv_pipe_t* p = pipe_;
  pipe_ = nullptr;
  ++pipe_gen_;  // writes still in flight on the old pipe no longer count
  // The close callback needs to know whether this client still exists.
  struct Ctx {
    std::shared_ptr<bool> alive;
    Client* c;
  };
  p->data = new Ctx{alive_, this};
  uv_close(reinterpret_cast<uv_handle_t*>(p), [](uv_handle_t* h) {
    auto* ctx = static_cast<Ctx*>(h->data);
    delete reinterpret_cast<uv_pipe_t*>(h);
    if (*ctx->alive) ClientAccess::PipeClosed(ctx->c);
    delete ctx;
  });
}

void Client::Disconnect() {
  DLOG_WARN("bus connection to %s lost; reconnecting", path_.c_str());
  ClosePipe();
  writes_in_flight_ = 0;
  ScheduleReconnect();
}

void Client::Enqueue(std::string frame, bool control) {
  if (!control) {
    size_t data_frames = 0;
    for (const Queued& q : queue_) data_frames += !q.control;
    if (data_frames >= opts_.max_queued_frames) {
      auto it = std::find_if(queue_.begin(), queue_.end(), [](const Queued& q) { return !q.control; });
      if (it != queue_.end()) queue_.erase(it);
      ++stats_.dropped;
    }
  }
  queue_.push_back({control, std::move(frame)});
  Flush();
}

void Client::Flush() {
  if (state_ != State::kConnected && state_ != State::kClosing) return;
  if (!pipe_ || writes_in_flight_ > 0 || queue_.empty()) return;
  auto* w = new WriteReq{{}, {}, alive_, this, pipe_gen_};
  std::vector<uv_buf_t> bufs;
  while (!queue_.empty() && w->frames.size() < 64) {
    if (!queue_.front().control) ++stats_.published;
    w->frames.push_back(std::move(queue_.front().frame));
    queue_.pop_front();
  }
  for (auto& f : w->frames) bufs.push_back(uv_buf_init(f.data(), static_cast<unsigned>(f.size())));
  w->req.data = w;
  ++writes_in_flight_;
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(pipe_), bufs.data(),
                    static_cast<unsigned>(bufs.size()), [](uv_write_t* r, int status) {
                      auto* w = static_cast<WriteReq*>(r->data);
                      Client* c = *w->alive ? w->client : nullptr;
                      const uint64_t gen = w->pipe_gen;
                      delete w;
                      if (c) ClientAccess::AfterWrite(c, gen, status);
                    });
  if (rc < 0) {
    delete w;
    --writes_in_flight_;
    Disconnect();
  }
}

void Client::OnRead(ssize_t n, const uv_buf_t* buf) {
  if (n == 0) return;
  if (n < 0) {
    if (state_ == State::kConnected) Disconnect();
    return;
  }
  if (Status st = reader_.Feed({buf->base, static_cast<size_t>(n)}); !st) {
    ++stats_.bad_frames;
    DLOG_WARN("bad frame from broker: %s", st.error().message.c_str());
    Disconnect();
    return;
  }
  Frame f;
  Error err;
  auto alive = alive_;
  while (*alive && state_ == State::kConnected && reader_.Next(&f, &err)) Dispatch(f);
  if (*alive && !err.message.empty() && state_ == State::kConnected) {
    ++stats_.bad_frames;
    DLOG_WARN("bad frame from broker: %s", err.message.c_str());
    Disconnect();
  }
}

void Client::Dispatch(const Frame& f) {
  if (f.verb == Verb::kBye) {
    Disconnect();
    return;
  }
  if (f.verb != Verb::kEvt) return;
  Event ev;
  ev.topic = f.args;
  if (!f.body.empty()) {
    rapidjson::Document doc;
    if (!json::ParseObject(f.body, doc)) {
      ++stats_.bad_frames;
      return;
    }
    ev.type = std::string(json::GetString(doc, "type"));
    ev.id = std::string(json::GetString(doc, "id"));
    ev.ts = json::GetDouble(doc, "ts");
    auto it = doc.FindMember("payload");
    ev.payload_json = it != doc.MemberEnd() && it->value.IsObject() ? json::Serialize(it->value) : "{}";
    if (auto snd = doc.FindMember("sender"); snd != doc.MemberEnd() && snd->value.IsObject()) {
      ev.sender = std::string(json::GetString(snd->value, "name")) + " (uid " +
                  std::to_string(json::GetInt(snd->value, "uid", -1)) + ", pid " +
                  std::to_string(json::GetInt(snd->value, "pid", -1)) + ")";
    }
  } else {
    ev.payload_json = "{}";
  }
  ++stats_.received;
  // Callbacks may subscribe, unsubscribe or close: collect first.
  std::vector<Callback> matched;
  for (const Sub& s : subs_) {
    if (PatternMatches(s.pattern, ev.topic)) matched.push_back(s.cb);
  }
  auto alive = alive_;
  for (auto& cb : matched) {
    if (!*alive) return;
    cb(ev);
  }
}

void Client::Publish(std::string_view topic, std::string_view type, std::string_view payload_json) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  if (!ValidTopic(topic)) {
    ++stats_.dropped;
    DLOG_WARN("not publishing to invalid topic '%.*s'", static_cast<int>(std::min<size_t>(topic.size(), 128)),
              topic.data());
    return;
  }
  std::string body = "{\"type\":";
  json::AppendQuoted(body, type);
  body += ",\"payload\":";
  body += payload_json.empty() ? std::string_view("{}") : payload_json;
  body += '}';
  if (body.size() > kMaxBodyBytes) {
    ++stats_.dropped;
    DLOG_WARN("not publishing %zu bytes on %.*s: over the 1 MiB body limit", body.size(),
              static_cast<int>(topic.size()), topic.data());
    return;
  }
  Enqueue(EncodeFrame(Verb::kPub, topic, body), false);
}

Client::SubId Client::Subscribe(std::string pattern, Callback cb) {
  SubId id = next_id_++;
  const bool first = std::none_of(subs_.begin(), subs_.end(),
                                  [&](const Sub& s) { return s.pattern == pattern; });
  subs_.push_back({id, pattern, std::move(cb)});
  if (first && state_ == State::kConnected) Enqueue(EncodeFrame(Verb::kSub, pattern), true);
  return id;
}

void Client::Unsubscribe(SubId id) {
  auto it = std::find_if(subs_.begin(), subs_.end(), [&](const Sub& s) { return s.id == id; });
  if (it == subs_.end()) return;
  std::string pattern = it->pattern;
  subs_.erase(it);
  const bool last = std::none_of(subs_.begin(), subs_.end(),
                                 [&](const Sub& s) { return s.pattern == pattern; });
  if (last && state_ == State::kConnected) Enqueue(EncodeFrame(Verb::kUnsub, pattern), true);
}

void Client::Close(std::function<void()> done) {
  on_closed_ = std::move(done);
  retry_timer_.Stop();
  if (state_ == State::kConnected && pipe_) {
    state_ = State::kClosing;
    queue_.push_back({true, EncodeFrame(Verb::kBye, "")});
    uv_read_stop(reinterpret_cast<uv_stream_t*>(pipe_));
    Flush();
    return;
  }
  state_ = State::kClosing;
  if (pipe_) {
    ClosePipe();  // connecting: the connect callback sees kClosing
  } else {
    MaybeFinishClose();
  }
}

void Client::MaybeFinishClose() {
  if (state_ != State::kClosing || pipe_) return;
  state_ = State::kClosed;
  if (on_closed_) {
    auto fn = std::move(on_closed_);
    on_closed_ = nullptr;
    fn();
  }
}

}  // namespace decnet::bus
