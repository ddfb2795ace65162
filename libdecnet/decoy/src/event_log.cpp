#include "decnet/decoy/event_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "decnet/core/loop.h"
#include "decnet/core/text.h"
#include "decnet/decoy/decky.h"
#include "decnet/decoy/service.h"
#include "decnet/syslog/format.h"

namespace decnet::decoy {
namespace {

// A sink with a bounded queue: lines the peer cannot take now wait, oldest first, and are retried on
// a timer; when the queue is full the new line is refused (the caller counts it).
class QueueingSink : public LineSink {
 public:
  QueueingSink(uv_loop_t* loop, size_t max_lines) : timer_(loop), max_lines_(max_lines) {
    timer_.Unref();  // a waiting line must not keep a stopping decky alive
  }
  bool Send(std::string_view line) override {
    if (queue_.empty() && TrySend(line, 0) == Sent::kAll) return true;
    if (queue_.size() >= max_lines_) return false;
    queue_.emplace_back(line);
    Arm();
    return true;
  }

 protected:
  enum class Sent { kAll, kPartial, kAgain, kDropped };
  // Sends `line` from byte `offset`; kPartial sets partial_ to the bytes now written.
  virtual Sent TrySend(std::string_view line, size_t offset) = 0;
  size_t partial_ = 0;

 private:
  void Arm() {
    timer_.Start(200, 0, [this] { Drain(); });
  }
  void Drain() {
    while (!queue_.empty()) {
      const Sent s = TrySend(queue_.front(), head_offset_);
      if (s == Sent::kAgain) break;
      if (s == Sent::kPartial) {
        head_offset_ = partial_;
        break;
      }
      head_offset_ = 0;
      queue_.pop_front();  // sent, or refused for good by the peer
    }
    if (!queue_.empty()) Arm();
  }
  Timer timer_;
  size_t max_lines_;
  size_t head_offset_ = 0;
  std::deque<std::string> queue_;
};

class UnixDatagramSink : public QueueingSink {
 public:
  UnixDatagramSink(uv_loop_t* loop, std::string path, size_t max_lines)
      : QueueingSink(loop, max_lines), path_(std::move(path)) {}
  ~UnixDatagramSink() override {
    if (fd_ >= 0) close(fd_);
  }
  void Prepare() override {
    if (fd_ < 0) Connect();
  }

 private:
  Sent TrySend(std::string_view line, size_t) override {
    if (fd_ < 0 && !Connect()) return Sent::kAgain;
    if (send(fd_, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return Sent::kAll;
    if (errno == EAGAIN || errno == ENOBUFS) return Sent::kAgain;
    if (errno == EMSGSIZE) return Sent::kDropped;
    // The collector went away (restart): reconnect on the next try.
    close(fd_);
    fd_ = -1;
    return Sent::kAgain;
  }
  bool Connect() {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path_.data(), path_.size());
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      close(fd);
      return false;
    }
    fd_ = fd;
    return true;
  }
  std::string path_;
  int fd_ = -1;
};

class StdoutSink : public QueueingSink {
 public:
  StdoutSink(uv_loop_t* loop, size_t max_lines) : QueueingSink(loop, max_lines) {
    // Docker's log pipe: never let a slow reader block the loop.
    fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
  }

 private:
  Sent TrySend(std::string_view line, size_t offset) override {
    scratch_.assign(line);
    scratch_.push_back('\n');
    size_t done = offset;
    while (done < scratch_.size()) {
      ssize_t n = write(1, scratch_.data() + done, scratch_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        return Sent::kDropped;  // stdout closed: nothing will ever read it
      }
      done += static_cast<size_t>(n);
    }
    if (done == scratch_.size()) return Sent::kAll;
    if (done == offset) return Sent::kAgain;
    partial_ = done;
    return Sent::kPartial;
  }
  std::string scratch_;
};

class UdpSink : public QueueingSink {
 public:
  UdpSink(uv_loop_t* loop, int fd, size_t max_lines) : QueueingSink(loop, max_lines), fd_(fd) {}
  ~UdpSink() override { close(fd_); }

 private:
  Sent TrySend(std::string_view line, size_t) override {
    if (send(fd_, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return Sent::kAll;
    if (errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED) return Sent::kAgain;
    return Sent::kDropped;
  }
  int fd_;
};

Result<std::unique_ptr<LineSink>> OpenUdpSink(uv_loop_t* loop, std::string_view hostport,
                                              size_t max_lines) {
  const size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos)
    return MakeError(Errc::kInvalidArgument, "udp: expected HOST:PORT");
  std::string host(hostport.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const std::string_view p = hostport.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || ptr != p.data() + p.size() || port == 0 || port > 65535)
    return MakeError(Errc::kInvalidArgument, "udp: bad port '" + std::string(p) + "'");
  sockaddr_storage ss{};
  // Numeric addresses only: a decky never resolves names.
  if (!ToSockaddr(host, static_cast<uint16_t>(port), &ss))
    return MakeError(Errc::kInvalidArgument, "udp: '" + host + "' is not an IP address");
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return MakeError(Errc::kIo, std::string("udp socket: ") + std::strerror(errno));
  const socklen_t len = ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    close(fd);
    return MakeError(Errc::kIo, std::string("udp connect: ") + std::strerror(errno));
  }
  return std::unique_ptr<LineSink>(new UdpSink(loop, fd, max_lines));
}

// Field values travel in one syslog line: control bytes and invalid UTF-8 become \xNN, so a line
// break an attacker sent cannot split or forge an event (Docker logs are newline-delimited).
void AppendSafe(std::string* out, std::string_view v) {
  static const char kHex[] = "0123456789abcdef";
  auto escape = [&](unsigned char c) {
    out->append("\\x");
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 15]);
  };
  size_t i = 0;
  while (i < v.size()) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) escape(c); else out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (n > 1 && i + n <= v.size() && IsValidUtf8(v.substr(i, n))) {
      out->append(v.substr(i, n));
      i += n;
    } else {
      escape(c);
      ++i;
    }
  }
}

}  // namespace

bool MemorySink::Send(std::string_view line) {
  lines.emplace_back(line);
  return true;
}

Result<std::unique_ptr<LineSink>> OpenSink(uv_loop_t* loop, std::string_view spec,
                                           size_t max_queued_lines) {
  if (spec == "stdout") return std::unique_ptr<LineSink>(new StdoutSink(loop, max_queued_lines));
  if (spec == "memory") return std::unique_ptr<LineSink>(new MemorySink());
  if (spec.substr(0, 5) == "unix:") {
    std::string path(spec.substr(5));
    if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path))
      return MakeError(Errc::kInvalidArgument, "log target '" + std::string(spec) +
                                                   "': UNIX socket path empty or too long");
    return std::unique_ptr<LineSink>(new UnixDatagramSink(loop, std::move(path), max_queued_lines));
  }
  if (spec.substr(0, 4) == "udp:") {
    auto sink = OpenUdpSink(loop, spec.substr(4), max_queued_lines);
    if (!sink)
      return MakeError(sink.error().code,
                       "log target '" + std::string(spec) + "': " + sink.error().message);
    return sink;
  }
  return MakeError(Errc::kInvalidArgument, "log target '" + std::string(spec) +
                                               "': expected unix:PATH, stdout or udp:HOST:PORT");
}

std::string PrintableSecret(std::string_view secret) {
  std::string out;
  out.reserve(secret.size());
  for (unsigned char c : secret) out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return out;
}

EventLog::EventLog(std::string decky, std::unique_ptr<LineSink> sink, const Limits& limits,
                   Counters& counters)
    : decky_(std::move(decky)), sink_(std::move(sink)), limits_(limits), counters_(counters) {}

EventLog::Event::Event(EventLog& log, std::string_view service, std::string_view type)
    : log_(log), service_(service), type_(type) {}

EventLog::Event& EventLog::Event::From(const Connection& c) {
  From(c.remote(), c.local().port);
  return Add("session", static_cast<int64_t>(c.id()));
}

EventLog::Event& EventLog::Event::From(const Endpoint& remote, uint16_t local_port) {
  Add("src_ip", remote.ip);
  Add("src_port", remote.port);
  return Add("dst_port", local_port);
}

EventLog::Event& EventLog::Event::Add(std::string_view key, std::string_view value) {
  std::string v;
  if (value.size() > log_.limits_.max_field_bytes) {
    value = value.substr(0, log_.limits_.max_field_bytes);
    if (!truncated_.empty()) truncated_.push_back(',');
    truncated_.append(key);
    ++log_.counters_.fields_truncated;
  }
  AppendSafe(&v, value);
  params_.emplace_back(std::string(key), std::move(v));
  return *this;
}

EventLog::Event& EventLog::Event::Add(std::string_view key, int64_t value) {
  params_.emplace_back(std::string(key), std::to_string(value));
  return *this;
}

EventLog::Event& EventLog::Event::Secret(std::string_view principal, std::string_view secret,
                                         std::string_view kind) {
  Add("principal", principal);
  // The exact bytes travel in secret_b64 whatever their length: a credential is never truncated.
  params_.emplace_back("secret_printable", PrintableSecret(secret.substr(
                                               0, std::min(secret.size(), log_.limits_.max_field_bytes))));
  params_.emplace_back("secret_b64", Base64Encode(secret.substr(
                                         0, std::min(secret.size(), 3 * log_.limits_.max_field_bytes))));
  return Add("secret_kind", kind);
}

EventLog::Event& EventLog::Event::Msg(std::string_view msg) {
  msg_.clear();
  AppendSafe(&msg_, msg.substr(0, std::min(msg.size(), log_.limits_.max_field_bytes)));
  return *this;
}

void EventLog::Event::Emit() {
  if (!truncated_.empty()) params_.emplace_back("truncated", truncated_);
  syslog::ParamList params;
  params.reserve(params_.size());
  for (const auto& [k, v] : params_) params.emplace_back(k, v);
  const int64_t now = log_.fixed_us_ ? log_.fixed_us_ : static_cast<int64_t>(NowEpoch() * 1e6);
  const std::string line =
      syslog::FormatDecnetLine(6, now, log_.decky_, service_, type_, params, msg_);
  ++log_.counters_.events;
  if (!log_.sink_->Send(line)) ++log_.counters_.events_dropped;
}

}  // namespace decnet::decoy
