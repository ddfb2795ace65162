#include "decnet/services/shell/fetch.h"

#include <arpa/inet.h>
#include <uv.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "decnet/core/text.h"
#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/event_log.h"
#include "decnet/decoy/persona.h"

namespace decnet::services::shell {
namespace {

constexpr size_t kMaxResponseHead = 16 * 1024;
constexpr uint64_t kDefaultMaxBytes = 2 * 1024 * 1024;
constexpr uint64_t kDefaultTimeoutMs = 15'000;

size_t g_active = 0;

uint64_t SettingNumber(const decoy::Persona& p, std::string_view service, std::string_view key,
                       uint64_t fallback) {
  const std::string text = p.Setting(service, key);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size() && n > 0 ? n : fallback;
}

bool InV4Range(uint32_t a, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

bool IsNonPublicV4(uint32_t a) {
  static constexpr struct {
    uint32_t net;
    int bits;
  } kRanges[] = {{0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},
                 {0xA9FE0000, 16}, {0xAC100000, 12}, {0xC0000000, 24}, {0xC0A80000, 16},
                 {0xC6120000, 15}, {0xE0000000, 4},  {0xF0000000, 4}};
  for (const auto& r : kRanges) {
    if (InV4Range(a, r.net, r.bits)) return true;
  }
  return false;
}

// One capture in flight. Owns itself: deleted when both of its handles are closed.
class Fetch {
 public:
  Fetch(decoy::Host& host, FetchOrigin origin, std::string url, HttpUrl target)
      : host_(host), origin_(std::move(origin)), url_(std::move(url)), target_(std::move(target)) {
    const auto& p = host.persona();
    max_bytes_ = SettingNumber(p, origin_.service, "fetch_max_bytes", kDefaultMaxBytes);
    timeout_ms_ = SettingNumber(p, origin_.service, "fetch_timeout_ms", kDefaultTimeoutMs);
    ++g_active;
  }

  void Start(const sockaddr* to) {
    uv_tcp_init(host_.loop(), &tcp_);
    uv_timer_init(host_.loop(), &timer_);
    tcp_.data = timer_.data = connect_.data = write_.data = this;
    uv_timer_start(
        &timer_, [](uv_timer_t* t) { Self(t)->Finish("timeout"); }, timeout_ms_, 0);
    if (uv_tcp_connect(&connect_, &tcp_, to, OnConnect) != 0) Finish("connect_failed");
  }

 private:
  template <typename H>
  static Fetch* Self(H* h) {
    return static_cast<Fetch*>(h->data);
  }

  static void OnConnect(uv_connect_t* req, int status) {
    Fetch* f = Self(req);
    if (f->done_) return;
    if (status < 0) return f->Finish("connect_failed");
    // What wget sends, so the payload server answers the capture as it answers its bots.
    f->request_ = "GET " + f->target_.path + " HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\n" +
                  "Accept: */*\r\nAccept-Encoding: identity\r\nHost: " + f->HostHeader() +
                  "\r\nConnection: close\r\n\r\n";
    uv_buf_t buf = uv_buf_init(f->request_.data(), static_cast<unsigned>(f->request_.size()));
    uv_write(&f->write_, reinterpret_cast<uv_stream_t*>(&f->tcp_), &buf, 1, nullptr);
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&f->tcp_),
        [](uv_handle_t*, size_t, uv_buf_t* b) {
          static char chunk[16 * 1024];  // the loop is single-threaded; data is consumed at once
          *b = uv_buf_init(chunk, sizeof chunk);
        },
        OnRead);
  }

  static void OnRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    Fetch* f = Self(s);
    if (f->done_) return;
    if (n < 0) return f->Finish(f->status_ != 0 ? "ok" : "bad_response");
    f->Consume(std::string_view(buf->base, static_cast<size_t>(n)));
  }

  std::string HostHeader() const {
    std::string h =
        target_.host.find(':') != std::string::npos ? "[" + target_.host + "]" : target_.host;
    if (target_.port != 80) h += ":" + std::to_string(target_.port);
    return h;
  }

  void Consume(std::string_view data) {
    if (status_ == 0) {
      head_.append(data);
      const size_t end = head_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (head_.size() > kMaxResponseHead) Finish("bad_response");
        return;
      }
      if (!ParseStatus()) return Finish("bad_response");
      upload_ = host_.artifacts().Begin();
      data = std::string_view(head_).substr(end + 4);
      std::string body(data);  // head_ is reused below; keep the first body bytes apart
      head_.clear();
      return Body(body);
    }
    Body(data);
  }

  bool ParseStatus() {
    // "HTTP/1.x NNN ..."
    if (head_.size() < 12 || head_.compare(0, 7, "HTTP/1.") != 0 || head_[8] != ' ') return false;
    int code = 0;
    if (!ParseDigits(head_, 9, 3, &code) || code < 100) return false;
    status_ = code;
    return true;
  }

  void Body(std::string_view data) {
    const uint64_t room = max_bytes_ - body_bytes_;
    if (data.size() > room) {
      upload_->Append(data.substr(0, room));
      body_bytes_ += room;
      return Finish("too_large");
    }
    upload_->Append(data);
    body_bytes_ += data.size();
  }

  void Finish(const char* outcome) {
    if (done_) return;
    done_ = true;
    if (std::strcmp(outcome, "ok") == 0 && (status_ < 200 || status_ > 299)) outcome = "http_error";
    auto ev = host_.log().New(origin_.service, "file_download");
    ev.From(origin_.remote, origin_.local_port)
        .Add("session", static_cast<int64_t>(origin_.session))
        .Add("url", url_)
        .Add("outcome", outcome)
        .Add("http_status", static_cast<int64_t>(status_));
    if (upload_ != nullptr && body_bytes_ > 0) {
      auto done = upload_->Finish();
      if (done) {
        ev.Add("sha256", done->sha256)
            .Add("size", static_cast<int64_t>(done->size))
            .Add("stored", static_cast<int64_t>(done->stored))
            .Add("path", done->path);
      }
    }
    upload_.reset();
    ev.Emit();
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), OnClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), OnClosed);
  }

  static void OnClosed(uv_handle_t* h) {
    Fetch* f = Self(h);
    if (++f->closed_ == 2) {
      --g_active;
      delete f;
    }
  }

  decoy::Host& host_;
  FetchOrigin origin_;
  std::string url_;
  HttpUrl target_;
  uint64_t max_bytes_ = kDefaultMaxBytes, timeout_ms_ = kDefaultTimeoutMs;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_connect_t connect_{};
  uv_write_t write_{};
  std::string request_, head_;
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  std::unique_ptr<decoy::ArtifactStore::Upload> upload_;
  bool done_ = false;
  int closed_ = 0;
};

void LogRefusal(decoy::Host& host, const FetchOrigin& origin, std::string_view url,
                std::string_view reason) {
  host.log()
      .New(origin.service, "file_download")
      .From(origin.remote, origin.local_port)
      .Add("session", static_cast<int64_t>(origin.session))
      .Add("url", url)
      .Add("outcome", reason)
      .Emit();
}

}  // namespace

std::optional<HttpUrl> ParseFetchableUrl(std::string_view url) {
  if (url.size() < 8 || AsciiLower(url.substr(0, 7)) != "http://") return std::nullopt;
  url.remove_prefix(7);
  const size_t slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  HttpUrl out;
  if (slash != std::string_view::npos) out.path = std::string(url.substr(slash));
  // Bytes that would break the request line are not sent on.
  for (char ch : out.path) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f) return std::nullopt;
  }
  if (hostport.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = hostport, port;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = hostport.substr(1, close - 1);
    port = hostport.substr(close + 1);
    if (!port.empty() && port.front() != ':') return std::nullopt;
  } else if (const size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon);
  }
  if (!port.empty()) {
    port.remove_prefix(1);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
      return std::nullopt;
    out.port = static_cast<uint16_t>(p);
  }
  out.host = std::string(host);
  unsigned char addr[16];
  const int family = out.host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, out.host.c_str(), addr) != 1) return std::nullopt;
  return out;
}

bool IsNonPublicAddress(std::string_view ip) {
  const std::string text(ip);
  unsigned char a[16];
  if (inet_pton(AF_INET, text.c_str(), a) == 1) {
    return IsNonPublicV4(uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3]);
  }
  if (inet_pton(AF_INET6, text.c_str(), a) != 1) return true;
  static constexpr unsigned char kZero[10] = {};
  if (std::memcmp(a, kZero, 10) == 0 && a[10] == 0xff && a[11] == 0xff) {  // v4-mapped
    return IsNonPublicV4(uint32_t{a[12]} << 24 | uint32_t{a[13]} << 16 | uint32_t{a[14]} << 8 |
                         a[15]);
  }
  const bool unspecified_or_loopback = std::memcmp(a, kZero, 10) == 0 && a[10] == 0 && a[11] == 0 &&
                                       a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1;
  return unspecified_or_loopback || (a[0] & 0xfe) == 0xfc ||  // fc00::/7 unique local
         (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||           // fe80::/10 link local
         a[0] == 0xff;                                        // multicast
}

bool StartPayloadFetch(decoy::Host& host, const FetchOrigin& origin, std::string_view url) {
  const decoy::Persona& p = host.persona();
  if (p.Setting(origin.service, "fetch", "off") != "capture") return false;
  const auto target = ParseFetchableUrl(url);
  if (!target) {
    LogRefusal(host, origin, url, "refused_not_http_ip");
    return false;
  }
  if (IsNonPublicAddress(target->host) &&
      p.Setting(origin.service, "fetch_allow_private") != "true") {
    LogRefusal(host, origin, url, "refused_private");
    return false;
  }
  if (g_active >= kMaxConcurrentFetches) {
    LogRefusal(host, origin, url, "refused_busy");
    return false;
  }
  sockaddr_storage to{};
  if (target->host.find(':') != std::string::npos) {
    uv_ip6_addr(target->host.c_str(), target->port, reinterpret_cast<sockaddr_in6*>(&to));
  } else {
    uv_ip4_addr(target->host.c_str(), target->port, reinterpret_cast<sockaddr_in*>(&to));
  }
  auto* fetch = new Fetch(host, origin, std::string(url), *target);
  fetch->Start(reinterpret_cast<const sockaddr*>(&to));
  return true;
}

size_t ActivePayloadFetches() { return g_active; }

}  // namespace decnet::services::shell
