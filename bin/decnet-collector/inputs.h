// decnet-collector inputs: syslog over UDP, TCP (RFC 6587) and a UNIX datagram socket, on the
// worker's libuv loop. Every received message is handed to one callback as a line (framing
// removed).
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::collector {

struct InputOptions {
  size_t max_line = 16 * 1024;  // longer messages are truncated (and counted)
  size_t max_tcp_connections = 256;
  // One source address may hold at most this many TCP connections, and a connection that sends
  // nothing for tcp_idle_ms is closed: 256 idle connections from one host used to lock every other
  // TCP sender out for good (issue 14, finding 11).
  size_t max_tcp_per_source = 16;
  uint64_t tcp_idle_ms = 60000;
  int rcvbuf_bytes = 4 << 20;  // SO_RCVBUF for datagram sockets (kernel memory, not ours)
  int unix_mode = 0660;
};

struct InputStats {
  uint64_t datagrams = 0;
  uint64_t tcp_frames = 0;
  uint64_t tcp_accepted = 0;
  uint64_t tcp_rejected = 0;         // over max_tcp_connections
  uint64_t tcp_rejected_source = 0;  // over max_tcp_per_source
  uint64_t tcp_idle_closed = 0;      // closed after tcp_idle_ms without data
  uint64_t unix_no_creds = 0;        // UNIX datagrams that arrived without SCM_CREDENTIALS
  uint64_t truncated = 0;            // datagrams and frames cut at max_line
  uint64_t framing_errors = 0;
};

// Who delivered a line, as the kernel reports it (never what the line says).
struct Origin {
  enum Kind : uint8_t { kUdp, kTcp, kUnix, kDocker } kind = kUdp;
  const sockaddr_storage* addr = nullptr;  // kUdp, kTcp: the peer
  int32_t pid = 0;                         // kUnix: the sender's pid (SCM_CREDENTIALS), 0 = unknown
};

// "udp:1.2.3.4:514", "tcp:[2001:db8::1]:601", "unix:pid=123", "unix", "docker".
std::string FormatOrigin(const Origin& o);

class Inputs {
 public:
  // `on_line(line, truncated, origin)` runs on the loop thread; `line` and `origin` are valid only
  // during the call.
  using LineFn = std::function<void(std::string_view line, bool truncated, const Origin& origin)>;
  Inputs(uv_loop_t* loop, InputOptions opts, LineFn on_line);
  ~Inputs();
  Inputs(const Inputs&) = delete;
  Inputs& operator=(const Inputs&) = delete;

  // spec: udp://HOST:PORT, tcp://HOST:PORT (HOST may be [v6]), unix:///path (datagram).
  Status Listen(std::string_view spec);
  // Stops listening and closes every connection (handles are freed in their close callbacks).
  void Close();
  const InputStats& stats() const { return stats_; }
  size_t connections() const { return conns_.size(); }

  // Internal (public so the handle callbacks can name them).
  struct Dgram;
  struct Conn;

 private:
  Status ListenDatagram(int family, const sockaddr* addr, socklen_t len,
                        const std::string& unix_path);
  Status ListenTcp(const sockaddr* addr);
  void OnDatagramReadable(Dgram* d);
  void OnConnection(uv_stream_t* server, int status);
  void OnConnRead(Conn* c, ssize_t nread, const uv_buf_t* buf);
  void CloseConn(Conn* c);

  uv_loop_t* loop_;
  InputOptions opts_;
  LineFn on_line_;
  std::vector<Dgram*> dgrams_;
  std::vector<uv_tcp_t*> servers_;
  std::unordered_set<Conn*> conns_;
  std::unordered_map<std::string, uint32_t> per_source_;  // source address bytes -> connections
  // recvmmsg slots (max_line + 1 bytes each) and the shared TCP read buffer (the loop is
  // single-threaded). Allocated without zero-filling, so an idle collector never touches (and never
  // pays for) them.
  std::unique_ptr<char[]> dgram_bufs_;
  std::unique_ptr<char[]> read_buf_;
  InputStats stats_;
  bool closed_ = false;
};

// Parses "HOST:PORT" / "[V6]:PORT" into a sockaddr_storage.
Status ParseHostPort(std::string_view hostport, sockaddr_storage* out);

}  // namespace decnet::collector
