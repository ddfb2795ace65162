// The packet analyzer: decoded packets in, fingerprint events out. Owns the bounded flow table (LRU,
// `max_flows`), the per-direction reassembly buffers (per-flow `stream_cap`, global `stream_budget`), the
// flow-timing aggregates and the per-source IP-ID history. Single-threaded; time comes from the packets,
// so offline and live runs behave the same.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decnet/capture/decode.h"
#include "decnet/capture/reassembly.h"
#include "decnet/capture/tcpfp.h"

namespace decnet::capture {

struct AnalyzerOptions {
  size_t max_flows = 4096;             // flow table bound (LRU eviction, counted)
  size_t stream_cap = 16 * 1024;       // bytes kept per flow direction
  size_t stream_budget = 4 << 20;      // bytes kept across all flows
  size_t max_ipid_sources = 4096;      // sources whose IP-IDs are remembered
  double flow_idle_timeout = 120.0;    // seconds without packets before a flow is flushed
  // JA4S, JA4H, JA4L, JA4X and JA4SSH are under the FoxIO License 1.1, not BSD: off by default.
  bool foxio_licensed = false;
  size_t ja4ssh_window = 200;          // SSH packets per JA4SSH fingerprint (FoxIO's default), <= 65535
  size_t ja4ssh_max_windows = 32;      // JA4SSH events per flow; later windows are counted, not emitted
  bool flow_timing = true;             // emit tcp_flow_timing
  const P0fDatabase* p0f = nullptr;    // optional; os_guess stays "" without it
};

// One fingerprint event. `fields` keep the Python original's names and string values, in order.
struct Event {
  std::string type;  // tls_client_hello, tls_session, tcp_syn_fingerprint, ssh_client_banner, ...
  double ts = 0;
  IpAddr src, dst;   // src is the peer that initiated the flow (the attacker, toward a decky)
  uint16_t sport = 0, dport = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  const std::string* Get(std::string_view key) const;
};

struct AnalyzerStats {
  uint64_t packets = 0;
  uint64_t tcp = 0, udp = 0;
  uint64_t events = 0;
  uint64_t flows_created = 0;
  uint64_t flows_evicted = 0;       // pushed out by max_flows
  uint64_t flows_expired = 0;       // idle timeout
  uint64_t segments_beyond_cap = 0; // bytes past stream_cap (expected: not handshake bytes)
  uint64_t segments_over_budget = 0;
  uint64_t segments_too_fragmented = 0;
  uint64_t tls_parse_errors = 0;
  uint64_t quic_initials = 0;      // datagrams with a decrypted client Initial
  uint64_t quic_bad_frames = 0;
  uint64_t ipid_sources_evicted = 0;
  uint64_t ja4ssh_windows_dropped = 0;  // windows past ja4ssh_max_windows
  uint64_t ja4ssh_inexact = 0;          // windows whose length table overflowed (see Ja4Ssh)
  size_t flows = 0;
  size_t stream_bytes = 0;
};

class Analyzer {
 public:
  using Sink = std::function<void(const Event&)>;
  Analyzer(AnalyzerOptions opts, Sink sink);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Feeds one decoded packet (DecodeStatus::kOk) seen at `ts` (epoch seconds).
  void OnPacket(double ts, const DecodedPacket& p);
  // Flushes flows idle since before `now - flow_idle_timeout`. OnPacket calls it about once a second.
  void Expire(double now);
  // Flushes every flow (shutdown, end of a capture file).
  void FlushAll();

  AnalyzerStats stats() const;

 private:
  struct Flow;
  struct Direction;
  struct FlowKey {
    IpAddr a, b;
    uint16_t pa = 0, pb = 0;
    uint8_t proto = 0;
    bool operator==(const FlowKey&) const = default;
  };
  struct FlowKeyHash {
    size_t operator()(const FlowKey& k) const;
  };
  using FlowList = std::list<Flow>;

  Flow& FindOrCreate(const FlowKey& key, const DecodedPacket& p, double ts, bool* forward);
  void Remove(FlowList::iterator it, bool emit_timing);
  void OnTcp(double ts, const DecodedPacket& p);
  void OnUdp(double ts, const DecodedPacket& p);
  void OnSyn(double ts, const DecodedPacket& p);
  void OnPayload(Flow& f, bool from_a, double ts);
  void OnPayloadDone(Flow& f, bool from_a, size_t stream_size);
  void SetClient(Flow& f, bool& from_a, bool sender_is_client);
  void TryTls(Flow& f, Direction& d, bool& from_a, Bytes stream, double ts);
  void OnClientHello(Flow& f, bool& from_a, Bytes msg, int index, double ts);
  // Returns true when the server chose TLS 1.3 (nothing after it is in clear).
  bool OnServerHello(Flow& f, bool& from_a, Bytes msg, double ts);
  // `msg` is the Certificate handshake message (possibly cut short after its first certificate).
  void OnCertificate(Flow& f, Bytes msg, double ts);
  void TrySsh(Flow& f, Direction& d, bool from_a, Bytes stream, double ts);
  void TryHttp(Flow& f, Direction& d, bool from_a, Bytes stream, double ts);
  void EmitTiming(const Flow& f);
  // JA4L / JA4SSH bookkeeping of one TCP packet (foxio_licensed only).
  void Ja4PlusBeforePayload(Flow& f, bool from_a, double ts, const DecodedPacket& p);
  void Ja4PlusAfterPayload(Flow& f, bool from_a, double ts, const DecodedPacket& p, bool retransmit);
  void EmitJa4Ssh(Flow& f, double ts);
  // QUIC JA4L (foxio_licensed only): Handshake datagrams of known flows, then the state machine;
  // emits quic_session once JA4L-C is known. `type` is the first packet's long-header type.
  void QuicHandshakeTiming(double ts, const DecodedPacket& p);
  void QuicJa4l(Flow& f, bool from_a, double ts, const DecodedPacket& p, int type);
  Event MakeEvent(const Flow& f, std::string type, double ts) const;
  void Emit(Event e);
  struct SourceHistory {
    std::vector<uint32_t> ipids, isns;  // the last kHistory SYNs of one source
  };
  SourceHistory& History(const IpAddr& src);

  AnalyzerOptions opts_;
  Sink sink_;
  FlowList lru_;  // most recent first
  std::unordered_map<FlowKey, FlowList::iterator, FlowKeyHash> flows_;
  StreamBudget budget_;
  std::vector<uint8_t> tls_scratch_;  // TryTls's handshake bytes, kept to spare a malloc per segment
  AnalyzerStats stats_;
  double last_expire_ = 0;
  std::list<std::pair<IpAddr, SourceHistory>> ipid_lru_;
  struct IpHash {
    size_t operator()(const IpAddr& a) const;
  };
  std::unordered_map<IpAddr, decltype(ipid_lru_)::iterator, IpHash> ipid_;
};

}  // namespace decnet::capture
