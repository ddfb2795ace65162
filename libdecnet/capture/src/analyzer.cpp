#include "decnet/capture/analyzer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <strings.h>

#include "decnet/capture/http.h"
#include "decnet/capture/ja4plus.h"
#include "decnet/capture/quic.h"
#include "decnet/capture/x509.h"
#include "decnet/capture/ssh.h"
#include "decnet/capture/tls.h"

namespace decnet::capture {
namespace {

constexpr size_t kHistory = 8;
constexpr size_t kMaxChain = 8;  // certificates of one Certificate message given a JA4X

int64_t Micros(double ts) { return std::llround(ts * 1e6); }

// Appends fields, moving each value in: an initializer_list of pairs copies every string, and the
// raw JA3/JA4 strings of a ClientHello are hundreds of bytes each.
class FieldAppender {
 public:
  explicit FieldAppender(Event& e) : e_(e) {}
  FieldAppender& operator()(const char* key, std::string value) {
    e_.fields.emplace_back(key, std::move(value));
    return *this;
  }

 private:
  Event& e_;
};
FieldAppender Append(Event& e) { return FieldAppender(e); }

std::string Fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  // Trim trailing zeros the way Python's str(round(x, n)) prints ("12.5", "0.0").
  std::string s(b);
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

std::string JoinNumbers(const std::vector<uint16_t>& v, bool skip_grease) {
  std::string s;
  for (uint16_t x : v) {
    if (skip_grease && IsGrease(x)) continue;
    if (!s.empty()) s.push_back('-');
    s += std::to_string(x);
  }
  return s;
}

size_t HashBytes(const void* p, size_t n, size_t h) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  return h;
}

}  // namespace

struct Analyzer::Direction {
  enum class Proto : uint8_t { kUnknown, kTls, kSsh, kHttp, kDone };
  StreamBuffer buf;
  Proto proto = Proto::kUnknown;
  bool banner_done = false;
  int hellos = 0;        // ClientHellos already reported (2 with a HelloRetryRequest)
  int seen_hellos = 0;   // scratch count while walking the handshake
  bool server_hello = false;  // a TLS <= 1.2 ServerHello was seen: the Certificate follows in clear
  size_t ssh_offset = 0;
  uint32_t max_seq_end = 0;
  bool seq_seen = false;
};

struct Analyzer::Flow {
  FlowKey key;  // a = the initiator (client) as far as we can tell
  Direction from_a, from_b;
  double first = 0, last = 0;
  uint64_t packets = 0, bytes = 0, retransmits = 0;
  double iat_min = 0, iat_max = 0, iat_sum = 0;
  uint64_t iat_count = 0;
  bool timing_emitted = false;
  // FoxIO-licensed JA4SSH counters, in what was padding: the window itself only once the flow is SSH.
  bool ssh = false;                   // an SSH banner was seen in either direction
  uint16_t ja4ssh_windows = 0;        // JA4SSH events emitted
  uint16_t acks_before_ssh[2] = {};   // bare ACKs (client, server) before the banner
  double syn_time = 0;
  int syn_ttl = 0;
  double rtt_ms = -1;
  // The ClientHello summary, repeated in tls_session.
  std::string ja3, ja4, sni, alpn;
  Ja4l ja4l;                          // FoxIO-licensed (16 bytes)
  std::unique_ptr<Ja4Ssh> ja4ssh;     // FoxIO-licensed, SSH flows only
};

const std::string* Event::Get(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

size_t Analyzer::FlowKeyHash::operator()(const FlowKey& k) const {
  size_t h = 1469598103934665603ULL;
  h = HashBytes(k.a.b.data(), 16, h);
  h = HashBytes(k.b.b.data(), 16, h);
  h = HashBytes(&k.pa, 2, h);
  h = HashBytes(&k.pb, 2, h);
  return HashBytes(&k.proto, 1, h);
}

size_t Analyzer::IpHash::operator()(const IpAddr& a) const {
  return HashBytes(a.b.data(), 16, 1469598103934665603ULL);
}

Analyzer::Analyzer(AnalyzerOptions opts, Sink sink) : opts_(opts), sink_(std::move(sink)) {
  budget_.limit = opts_.stream_budget;
  if (opts_.max_flows == 0) opts_.max_flows = 1;
}

Analyzer::~Analyzer() = default;

AnalyzerStats Analyzer::stats() const {
  AnalyzerStats s = stats_;
  s.flows = flows_.size();
  s.stream_bytes = budget_.used;
  s.segments_over_budget = budget_.refused;
  return s;
}

void Analyzer::OnPacket(double ts, const DecodedPacket& p) {
  ++stats_.packets;
  if (p.proto == 6) {
    ++stats_.tcp;
    OnTcp(ts, p);
  } else if (p.proto == 17) {
    ++stats_.udp;
    OnUdp(ts, p);
  }
  if (ts - last_expire_ >= 1.0) {
    last_expire_ = ts;
    Expire(ts);
  }
}

Analyzer::Flow& Analyzer::FindOrCreate(const FlowKey& key, const DecodedPacket& p, double ts,
                                       bool* forward) {
  auto it = flows_.find(key);
  *forward = true;
  if (it == flows_.end()) {
    FlowKey rev{key.b, key.a, key.pb, key.pa, key.proto};
    it = flows_.find(rev);
    *forward = false;
  }
  if (it != flows_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return *it->second;
  }
  if (flows_.size() >= opts_.max_flows) {
    ++stats_.flows_evicted;
    Remove(std::prev(lru_.end()), true);
  }
  // Orientation: a SYN's sender initiates; a SYN-ACK's receiver does; otherwise the ephemeral
  // (higher) port is the client's.
  bool sender_is_client;
  if ((p.tcp_flags & (kSyn | kAck)) == kSyn && p.proto == 6) {
    sender_is_client = true;
  } else if ((p.tcp_flags & (kSyn | kAck)) == (kSyn | kAck) && p.proto == 6) {
    sender_is_client = false;
  } else {
    sender_is_client = p.sport >= p.dport;
  }
  Flow f;
  f.key = sender_is_client ? key : FlowKey{key.b, key.a, key.pb, key.pa, key.proto};
  f.first = f.last = ts;
  lru_.push_front(std::move(f));
  flows_.emplace(lru_.front().key, lru_.begin());
  ++stats_.flows_created;
  *forward = sender_is_client;
  return lru_.front();
}

void Analyzer::Remove(FlowList::iterator it, bool emit_timing) {
  if (emit_timing) EmitTiming(*it);
  if (emit_timing && it->ja4ssh && !it->ja4ssh->empty()) EmitJa4Ssh(*it, it->last);
  it->from_a.buf.Release(budget_);
  it->from_b.buf.Release(budget_);
  flows_.erase(it->key);
  lru_.erase(it);
}

void Analyzer::Expire(double now) {
  while (!lru_.empty() && lru_.back().last < now - opts_.flow_idle_timeout) {
    ++stats_.flows_expired;
    Remove(std::prev(lru_.end()), true);
  }
}

void Analyzer::FlushAll() {
  while (!lru_.empty()) Remove(std::prev(lru_.end()), true);
}

Event Analyzer::MakeEvent(const Flow& f, std::string type, double ts) const {
  Event e;
  e.type = std::move(type);
  e.ts = ts;
  e.src = f.key.a;
  e.dst = f.key.b;
  e.sport = f.key.pa;
  e.dport = f.key.pb;
  e.fields.reserve(16);
  e.fields.emplace_back("src_ip", e.src.ToString());
  e.fields.emplace_back("src_port", std::to_string(e.sport));
  e.fields.emplace_back("dst_ip", e.dst.ToString());
  e.fields.emplace_back("dst_port", std::to_string(e.dport));
  return e;
}

void Analyzer::Emit(Event e) {
  ++stats_.events;
  sink_(e);
}

Analyzer::SourceHistory& Analyzer::History(const IpAddr& src) {
  auto it = ipid_.find(src);
  if (it != ipid_.end()) {
    ipid_lru_.splice(ipid_lru_.begin(), ipid_lru_, it->second);
    return it->second->second;
  }
  if (ipid_.size() >= std::max<size_t>(1, opts_.max_ipid_sources)) {
    ++stats_.ipid_sources_evicted;
    ipid_.erase(ipid_lru_.back().first);
    ipid_lru_.pop_back();
  }
  ipid_lru_.emplace_front(src, SourceHistory{});
  ipid_.emplace(src, ipid_lru_.begin());
  return ipid_lru_.front().second;
}

void Analyzer::OnSyn(double ts, const DecodedPacket& p) {
  bool syn_ack = p.tcp_flags & kAck;
  TcpFingerprint fp = FingerprintSyn(p);
  Event e;
  e.type = syn_ack ? "tcp_synack_fingerprint" : "tcp_syn_fingerprint";
  e.ts = ts;
  // Events are keyed to the initiator: a SYN-ACK is reported from the client's side.
  e.src = syn_ack ? p.dst : p.src;
  e.dst = syn_ack ? p.src : p.dst;
  e.sport = syn_ack ? p.dport : p.sport;
  e.dport = syn_ack ? p.sport : p.dport;
  e.fields = {{"src_ip", e.src.ToString()},
              {"src_port", std::to_string(e.sport)},
              {"dst_ip", e.dst.ToString()},
              {"dst_port", std::to_string(e.dport)},
              {"ttl", std::to_string(fp.ttl)},
              {"initial_ttl", std::to_string(fp.initial_ttl)},
              {"hop_distance", std::to_string(fp.hops)},
              {"window", std::to_string(fp.window)},
              {"mss", std::to_string(fp.opts.mss < 0 ? 0 : fp.opts.mss)},
              {"wscale", fp.opts.wscale < 0 ? std::string() : std::to_string(fp.opts.wscale)},
              {"options_sig", fp.opts.layout},
              {"options", fp.opts.with_values},
              {"has_sack", fp.opts.sack_ok ? "true" : "false"},
              {"has_timestamps", fp.opts.timestamps ? "true" : "false"},
              {"tos", std::to_string(fp.tos)},
              {"dscp", std::to_string((fp.tos >> 2) & 0x3F)},
              {"ecn", std::to_string(fp.tos & 3)},
              {"quirks", fp.quirks},
              {"p0f_sig", fp.p0f}};
  if (!syn_ack) {
    SourceHistory& h = History(p.src);
    if (h.ipids.size() == kHistory) h.ipids.erase(h.ipids.begin());
    if (h.isns.size() == kHistory) h.isns.erase(h.isns.begin());
    h.ipids.push_back(p.ip_id);
    h.isns.push_back(p.seq);
    if (p.ip_version == 4) {
      e.fields.emplace_back("ipid_class", ClassifySequence(h.ipids, 16));
    } else {
      e.fields.emplace_back("ipid_class", "n/a");
    }
    e.fields.emplace_back("ipid_samples", std::to_string(h.ipids.size()));
    e.fields.emplace_back("isn_class", ClassifySequence(h.isns, 32));
  }
  std::string os = opts_.p0f ? opts_.p0f->Match(fp, p.ip_version, syn_ack) : std::string();
  e.fields.emplace_back("os_guess", os.empty() ? "unknown" : os);
  Emit(std::move(e));
}

void Analyzer::OnTcp(double ts, const DecodedPacket& p) {
  FlowKey key{p.src, p.dst, p.sport, p.dport, 6};
  bool from_a;
  Flow& f = FindOrCreate(key, p, ts, &from_a);
  // Timing.
  if (f.packets > 0) {
    double iat = ts - f.last;
    if (iat >= 0) {
      f.iat_min = f.iat_count == 0 ? iat : std::min(f.iat_min, iat);
      f.iat_max = std::max(f.iat_max, iat);
      f.iat_sum += iat;
      ++f.iat_count;
    }
  }
  f.last = std::max(f.last, ts);
  ++f.packets;
  f.bytes += p.payload.size();
  Direction& d = from_a ? f.from_a : f.from_b;
  bool retransmit = false;
  if (opts_.foxio_licensed) Ja4PlusBeforePayload(f, from_a, ts, p);
  if (!p.payload.empty()) {
    uint32_t end = p.seq + uint32_t(p.payload.size());
    if (d.seq_seen && int32_t(end - d.max_seq_end) <= 0) {
      retransmit = true;
      if (from_a) ++f.retransmits;
    } else {
      d.max_seq_end = end;
      d.seq_seen = true;
    }
  }

  if (p.tcp_flags & kSyn) {
    d.buf.SetBase(p.seq + 1);
    if (!(p.tcp_flags & kAck)) {
      f.syn_time = ts;
      f.syn_ttl = p.ttl;
    } else if (f.syn_time > 0 && f.rtt_ms < 0) {
      f.rtt_ms = (ts - f.syn_time) * 1000.0;
    }
    OnSyn(ts, p);
  }

  if (!p.payload.empty() && d.proto != Direction::Proto::kDone) {
    switch (d.buf.Add(p.seq, p.payload, opts_.stream_cap, budget_)) {
      case StreamBuffer::AddResult::kBeyondCap: ++stats_.segments_beyond_cap; break;
      case StreamBuffer::AddResult::kTooManyHoles: ++stats_.segments_too_fragmented; break;
      default: break;
    }
    OnPayload(f, from_a, ts);
  }
  if (opts_.foxio_licensed) Ja4PlusAfterPayload(f, from_a, ts, p, retransmit);

  if (p.tcp_flags & kRst) {
    Remove(flows_.find(f.key)->second, true);
    return;
  }
  if ((p.tcp_flags & kFin) && !f.timing_emitted) EmitTiming(f);
}

void Analyzer::OnPayload(Flow& f, bool from_a, double ts) {
  Direction& d = from_a ? f.from_a : f.from_b;
  Bytes stream = d.buf.Contiguous();
  if (stream.empty()) return;
  if (d.proto == Direction::Proto::kUnknown) {
    if (stream[0] == 22) {
      d.proto = Direction::Proto::kTls;
    } else if (stream[0] == 'S') {
      d.proto = Direction::Proto::kSsh;
    } else if (LooksLikeHttpRequest(stream)) {
      d.proto = Direction::Proto::kHttp;
    } else {
      d.proto = Direction::Proto::kDone;
    }
  }
  if (d.proto == Direction::Proto::kTls) {
    TryTls(f, d, from_a, stream, ts);
    return OnPayloadDone(f, from_a, stream.size());
  }
  if (d.proto == Direction::Proto::kSsh) TrySsh(f, d, from_a, stream, ts);
  if (d.proto == Direction::Proto::kHttp) TryHttp(f, d, from_a, stream, ts);
  OnPayloadDone(f, from_a, stream.size());
}

void Analyzer::OnPayloadDone(Flow& f, bool from_a, size_t stream_size) {
  Direction& d = from_a ? f.from_a : f.from_b;
  if (d.proto == Direction::Proto::kDone) {
    d.buf.Release(budget_);
  } else if (stream_size >= opts_.stream_cap) {
    d.proto = Direction::Proto::kDone;  // the cap is reached and nothing complete was found
    d.buf.Release(budget_);
  }
}

void Analyzer::SetClient(Flow& f, bool& from_a, bool sender_is_client) {
  if (from_a == sender_is_client) return;
  // The orientation guessed at flow creation was wrong: re-key the flow to its true client.
  auto node = flows_.extract(f.key);
  std::swap(f.key.a, f.key.b);
  std::swap(f.key.pa, f.key.pb);
  std::swap(f.from_a, f.from_b);
  if (!node.empty()) {
    node.key() = f.key;
    flows_.insert(std::move(node));
  }
  from_a = !from_a;
}

void Analyzer::TryTls(Flow& f, Direction& d, bool& from_a, Bytes stream, double ts) {
  std::vector<uint8_t>& hs = tls_scratch_;  // reused: its capacity stays (at most stream_cap)
  hs.clear();
  bool non_handshake = false;
  size_t ccs_at = SIZE_MAX;
  CollectHandshakeBytes(stream, hs, opts_.stream_cap, &non_handshake, &ccs_at);
  Direction* dir = &d;
  size_t next_offset = 0;
  bool complete = ForEachHandshakeMessage(hs, [&](uint8_t type, Bytes msg, size_t offset) {
    next_offset = offset + msg.size();
    if (dir->server_hello) {
      if (type == 11) {
        dir->proto = Direction::Proto::kDone;
        OnCertificate(f, msg, ts);
        return false;
      }
      if (type == 12 || type == 13 || type == 14) {  // no Certificate in this handshake
        dir->proto = Direction::Proto::kDone;
        return false;
      }
      return true;
    }
    // After a ChangeCipherSpec only a HelloRetryRequest's second ClientHello is still plaintext.
    if (offset >= ccs_at && !(type == 1 && dir->hellos == 1)) {
      dir->proto = Direction::Proto::kDone;
      return false;
    }
    if (type == 1) {
      if (++dir->seen_hellos <= dir->hellos) return true;
      dir->hellos = dir->seen_hellos;
      OnClientHello(f, from_a, msg, dir->hellos, ts);
      dir = from_a ? &f.from_a : &f.from_b;  // re-keying may have swapped the directions
      if (dir->hellos >= 2) dir->proto = Direction::Proto::kDone;
      return dir->proto != Direction::Proto::kDone;
    }
    if (type == 2 && dir->hellos == 0 && dir->seen_hellos == 0) {
      // The first ServerHello (or HelloRetryRequest) only; before TLS 1.3 the Certificate follows.
      bool tls13 = OnServerHello(f, from_a, msg, ts);
      dir = from_a ? &f.from_a : &f.from_b;
      if (tls13) {
        dir->proto = Direction::Proto::kDone;
        return false;
      }
      dir->server_hello = true;
      return true;
    }
    if (dir->hellos == 0) {
      dir->proto = Direction::Proto::kDone;  // neither a client nor a server hello first
      return false;
    }
    return true;
  });
  dir->seen_hellos = 0;
  // The first certificate may be complete before the whole chain has arrived. JA4X wants the whole
  // chain: with it on, wait for the rest unless the stream cap leaves no room for it.
  if (!complete && dir->server_hello && dir->proto != Direction::Proto::kDone &&
      next_offset < hs.size() && hs[next_offset] == 11) {
    Bytes partial = Bytes(hs).subspan(next_offset);
    if (!FirstCertificate(partial).empty() &&
        (!opts_.foxio_licensed || stream.size() >= opts_.stream_cap)) {
      dir->proto = Direction::Proto::kDone;
      OnCertificate(f, partial, ts);
    }
  }
  // A CCS at the very end may still be followed by a HelloRetryRequest's second ClientHello: wait.
  (void)complete;
  if (non_handshake) dir->proto = Direction::Proto::kDone;
}

void Analyzer::OnClientHello(Flow& f, bool& from_a, Bytes msg, int index, double ts) {
  ClientHello ch;
  if (!ParseClientHello(msg, ch)) {
    ++stats_.tls_parse_errors;
    return;
  }
  SetClient(f, from_a, true);
  Ja3 ja3 = ComputeJa3(ch);
  Ja4 ja4 = ComputeJa4(ch, 't');
  std::string alpn;
  for (const std::string& a : ch.alpn) alpn += (alpn.empty() ? "" : ",") + a;
  std::string versions;
  for (uint16_t v : ch.versions)
    if (!IsGrease(v)) versions += (versions.empty() ? "" : ",") + TlsVersionName(v);
  f.ja3 = ja3.md5;
  f.ja4 = ja4.ja4;
  f.sni = ch.sni;
  f.alpn = alpn;
  Event e = MakeEvent(f, "tls_client_hello", ts);
  if (index > 1) e.fields.emplace_back("client_hello_index", std::to_string(index));
  Append(e)("ja3", std::move(ja3.md5))("ja3_str", std::move(ja3.text))("ja4", std::move(ja4.ja4))(
      "ja4_r", std::move(ja4.ja4_r))("ja4_o", std::move(ja4.ja4_o))("ja4_ro", std::move(ja4.ja4_ro))(
      "tls_version", TlsVersionName(ch.legacy_version))("supported_versions", std::move(versions))(
      "sni", std::move(ch.sni))("alpn", std::move(alpn))("raw_ciphers", JoinNumbers(ch.ciphers, true))(
      "raw_extensions", JoinNumbers(ch.extensions, true));
  std::string resumption;
  auto add = [&](bool on, const char* name) {
    if (on) resumption += (resumption.empty() ? "" : ",") + std::string(name);
  };
  add(ch.session_id_len > 0, "session_id");
  add(ch.has_session_ticket_data, "session_ticket");
  add(ch.has_psk, "pre_shared_key");
  add(ch.has_early_data, "early_data");
  if (!resumption.empty()) e.fields.emplace_back("resumption", resumption);
  if (f.rtt_ms >= 0) {
    e.fields.emplace_back("ja4l_rtt_ms", Fixed(f.rtt_ms, 2));
    e.fields.emplace_back("ja4l_client_ttl", std::to_string(f.syn_ttl));
  }
  if (opts_.foxio_licensed && f.ja4l.has_server()) {
    if (f.ja4l.has_client()) e.fields.emplace_back("ja4l_c", f.ja4l.Client());
    e.fields.emplace_back("ja4l_s", f.ja4l.Server());
  }
  Emit(std::move(e));
}

void Analyzer::OnCertificate(Flow& f, Bytes msg, double ts) {
  Bytes der = FirstCertificate(msg);
  CertSummary c;
  if (der.empty() || !ParseCertificate(der, c)) {
    ++stats_.tls_parse_errors;
    return;
  }
  Event e = MakeEvent(f, "tls_certificate", ts);
  e.fields.insert(e.fields.end(), {{"subject_cn", c.subject_cn},
                                   {"subject", c.subject},
                                   {"issuer", c.issuer},
                                   {"issuer_cn", c.issuer_cn},
                                   {"not_before", c.not_before},
                                   {"not_after", c.not_after},
                                   {"sans", c.sans},
                                   {"self_signed", c.self_signed ? "true" : "false"},
                                   {"sni", f.sni}});
  if (opts_.foxio_licensed) {
    // ja4x: the server's own certificate; ja4x_chain: every certificate sent, in order (FoxIO's
    // JA4X.1, JA4X.2, ...), an empty item for one that does not parse.
    std::string chain, leaf_raw, leaf;
    size_t i = 0;
    for (Bytes cert : CertificateChain(msg, kMaxChain)) {
      Ja4x j;
      bool ok = ComputeJa4x(cert, j);
      if (i++ == 0) leaf = j.ja4x, leaf_raw = j.ja4x_r;
      if (i > 1) chain.push_back(',');
      if (ok) chain += j.ja4x;
    }
    e.fields.insert(e.fields.end(), {{"ja4x", leaf}, {"ja4x_r", leaf_raw}, {"ja4x_chain", chain}});
  }
  Emit(std::move(e));
}

bool Analyzer::OnServerHello(Flow& f, bool& from_a, Bytes msg, double ts) {
  ServerHello sh;
  if (!ParseServerHello(msg, sh)) {
    ++stats_.tls_parse_errors;
    return true;
  }
  SetClient(f, from_a, false);
  Ja3 ja3s = ComputeJa3s(sh);
  Event e = MakeEvent(f, "tls_session", ts);
  e.fields.insert(e.fields.end(), {{"ja3s", ja3s.md5}, {"ja3s_str", ja3s.text}});
  if (opts_.foxio_licensed) {
    Ja4s j = ComputeJa4s(sh, 't');
    e.fields.emplace_back("ja4s", j.ja4s);
    e.fields.emplace_back("ja4s_r", j.ja4s_r);
  }
  char cipher[8];
  std::snprintf(cipher, sizeof cipher, "0x%04x", sh.cipher);
  e.fields.insert(
      e.fields.end(),
      {{"tls_version", TlsVersionName(sh.selected_version ? sh.selected_version : sh.legacy_version)},
       {"cipher", cipher},
       {"server_alpn", sh.alpn}});
  if (!f.ja3.empty()) {
    e.fields.insert(e.fields.end(),
                    {{"ja3", f.ja3}, {"ja4", f.ja4}, {"sni", f.sni}, {"alpn", f.alpn}});
  }
  Emit(std::move(e));
  return sh.selected_version == 0x0304;
}

void Analyzer::TrySsh(Flow& f, Direction& d, bool from_a, Bytes stream, double ts) {
  if (!d.banner_done) {
    std::string banner;
    size_t used = ParseSshBanner(stream, &banner);
    if (used == 0) return;
    if (used == SIZE_MAX) {
      d.proto = Direction::Proto::kDone;
      return;
    }
    d.banner_done = true;
    d.ssh_offset = used;
    f.ssh = true;
    Event e = MakeEvent(f, from_a ? "ssh_client_banner" : "ssh_server_banner", ts);
    e.fields.emplace_back("ssh_version", banner);
    Emit(std::move(e));
  }
  SshKexInit kex;
  bool incomplete = false;
  if (!ParseSshKexInit(stream.subspan(d.ssh_offset), kex, &incomplete)) {
    if (!incomplete) d.proto = Direction::Proto::kDone;
    return;
  }
  d.proto = Direction::Proto::kDone;
  Event e = MakeEvent(f, from_a ? "ssh_client_kexinit" : "ssh_server_kexinit", ts);
  e.fields.emplace_back(from_a ? "hassh" : "hassh_server", Hassh(kex, !from_a));
  e.fields.emplace_back("hassh_algorithms", HasshAlgorithms(kex, !from_a));
  Emit(std::move(e));
}

void Analyzer::TryHttp(Flow& f, Direction& d, bool from_a, Bytes stream, double ts) {
  if (!LooksLikeHttpRequest(stream)) {
    d.proto = Direction::Proto::kDone;
    return;
  }
  HttpRequest req;
  size_t used = ParseHttpRequest(stream, req);
  if (used == 0) return;
  d.proto = Direction::Proto::kDone;
  if (used == SIZE_MAX) return;
  SetClient(f, from_a, true);
  Event e = MakeEvent(f, "http_request", ts);
  std::string host, ua;
  for (const auto& [k, v] : req.headers) {
    if (host.empty() && k.size() == 4 && strncasecmp(k.c_str(), "host", 4) == 0) host = v;
    if (ua.empty() && k.size() == 10 && strncasecmp(k.c_str(), "user-agent", 10) == 0) ua = v;
  }
  e.fields.insert(e.fields.end(), {{"method", req.method},
                                   {"path", req.target},
                                   {"http_version", req.version},
                                   {"host", host},
                                   {"user_agent", ua}});
  if (opts_.foxio_licensed) {
    Ja4h j = ComputeJa4h(req);
    e.fields.emplace_back("ja4h", j.ja4h);
    e.fields.emplace_back("ja4h_ro", j.ja4h_ro);
  }
  Emit(std::move(e));
}

void Analyzer::EmitTiming(const Flow& f_in) {
  Flow& f = const_cast<Flow&>(f_in);
  if (f.timing_emitted || !opts_.flow_timing || f.key.proto != 6) return;
  f.timing_emitted = true;
  double duration = f.last - f.first;
  // Scan probes (a SYN and a RST) carry no timing signal: the original drops them too.
  if (f.packets < 4 && f.retransmits == 0 && duration < 1.0) return;
  Event e = MakeEvent(f, "tcp_flow_timing", f.last);
  double n = double(f.iat_count);
  Append(e)("packets", std::to_string(f.packets))("bytes", std::to_string(f.bytes))(
      "duration_s", Fixed(duration, 3))("mean_iat_ms", Fixed(n > 0 ? f.iat_sum / n * 1000 : 0, 2))(
      "min_iat_ms", Fixed(n > 0 ? f.iat_min * 1000 : 0, 2))(
      "max_iat_ms", Fixed(n > 0 ? f.iat_max * 1000 : 0, 2))("retransmits", std::to_string(f.retransmits));
  if (opts_.foxio_licensed && f.ja4l.has_server()) {
    if (f.ja4l.has_client()) e.fields.emplace_back("ja4l_c", f.ja4l.Client());
    e.fields.emplace_back("ja4l_s", f.ja4l.Server());
  }
  Emit(std::move(e));
}

void Analyzer::Ja4PlusBeforePayload(Flow& f, bool from_a, double ts, const DecodedPacket& p) {
  f.ja4l.OnTcpPacket(Micros(ts), p.tcp_flags, from_a, p.ttl);
}

void Analyzer::Ja4PlusAfterPayload(Flow& f, bool from_a, double ts, const DecodedPacket& p,
                                   bool retransmit) {
  // FoxIO counts "bare" ACKs: the ACK flag alone, no payload.
  bool bare_ack = p.tcp_flags == kAck && p.payload.empty();
  if (!f.ssh) {
    uint16_t& n = f.acks_before_ssh[from_a ? 0 : 1];
    if (bare_ack && n < UINT16_MAX) ++n;
    return;
  }
  if (!f.ja4ssh) {
    f.ja4ssh = std::make_unique<Ja4Ssh>();
    for (int side = 0; side < 2; ++side)
      for (uint16_t i = 0; i < f.acks_before_ssh[side]; ++i) f.ja4ssh->AddBareAck(side == 0);
  }
  // SSH packets are the payload-carrying ones; FoxIO leaves TCP retransmissions out.
  if (!p.payload.empty() && !retransmit) {
    f.ja4ssh->AddSshPacket(from_a, uint16_t(std::min<size_t>(p.payload.size(), UINT16_MAX)));
  } else if (bare_ack) {
    f.ja4ssh->AddBareAck(from_a);
  }
  size_t window = std::clamp<size_t>(opts_.ja4ssh_window, 1, UINT16_MAX);
  if (f.ja4ssh->ssh_packets() >= window) EmitJa4Ssh(f, ts);
}

void Analyzer::EmitJa4Ssh(Flow& f, double ts) {
  if (f.ja4ssh_windows >= opts_.ja4ssh_max_windows) {
    ++stats_.ja4ssh_windows_dropped;
    f.ja4ssh->Reset();
    return;
  }
  ++f.ja4ssh_windows;
  Event e = MakeEvent(f, "ssh_session_fingerprint", ts);
  e.fields.emplace_back("ja4ssh", f.ja4ssh->Fingerprint());
  e.fields.emplace_back("ja4ssh_window", std::to_string(f.ja4ssh_windows));
  if (!f.ja4ssh->exact()) {
    ++stats_.ja4ssh_inexact;
    e.fields.emplace_back("ja4ssh_exact", "false");
  }
  f.ja4ssh->Reset();
  Emit(std::move(e));
}

void Analyzer::OnUdp(double ts, const DecodedPacket& p) {
  if (!IsQuicInitial(p.payload)) {
    if (opts_.foxio_licensed) QuicHandshakeTiming(ts, p);
    return;
  }
  FlowKey key{p.src, p.dst, p.sport, p.dport, 17};
  bool from_a;
  Flow& f = FindOrCreate(key, p, ts, &from_a);
  f.last = std::max(f.last, ts);
  ++f.packets;
  Direction* d = from_a ? &f.from_a : &f.from_b;
  if (d->proto == Direction::Proto::kDone) return;
  d->buf.SetBase(0);
  // A datagram may coalesce several packets; the client's Initials come first.
  Bytes rest = p.payload;
  bool any = false;
  while (IsQuicInitial(rest)) {
    QuicInitial qi;
    if (!DecryptClientInitial(rest, qi)) break;  // a server Initial, or not QUIC at all
    any = true;
    bool stored = ForEachCryptoFrame(qi.plaintext, [&](uint64_t offset, Bytes data) {
      if (offset >= opts_.stream_cap) return;
      d->buf.Add(uint32_t(offset), data, opts_.stream_cap, budget_);
    });
    if (!stored) ++stats_.quic_bad_frames;
    rest = rest.subspan(qi.packet_len);
  }
  if (!any) {  // a server's Initial (its keys are not the client's), or not QUIC at all
    if (opts_.foxio_licensed) QuicJa4l(f, from_a, ts, p, 0);
    return;
  }
  ++stats_.quic_initials;
  SetClient(f, from_a, true);
  if (opts_.foxio_licensed) QuicJa4l(f, true, ts, p, 0);
  d = &f.from_a;
  bool incomplete = false;
  Bytes msg = FindHandshakeMessage(d->buf.Contiguous(), 1, &incomplete);
  if (msg.empty()) return;
  d->proto = Direction::Proto::kDone;
  ClientHello ch;
  if (ParseClientHello(msg, ch)) {
    Ja3 ja3 = ComputeJa3(ch);
    Ja4 ja4 = ComputeJa4(ch, 'q');
    std::string alpn;
    for (const std::string& a : ch.alpn) alpn += (alpn.empty() ? "" : ",") + a;
    if (opts_.foxio_licensed) f.ja4 = ja4.ja4, f.sni = ch.sni;  // repeated in quic_session
    Event e = MakeEvent(f, "quic_client_hello", ts);
    Append(e)("ja3", std::move(ja3.md5))("ja3_str", std::move(ja3.text))(
        "ja4", std::move(ja4.ja4))("ja4_r", std::move(ja4.ja4_r))("ja4_o", std::move(ja4.ja4_o))(
        "ja4_ro", std::move(ja4.ja4_ro))("sni", std::move(ch.sni))("alpn", std::move(alpn));
    Emit(std::move(e));
  } else {
    ++stats_.tls_parse_errors;
  }
  d->buf.Release(budget_);
}

void Analyzer::QuicHandshakeTiming(double ts, const DecodedPacket& p) {
  if (QuicLongPacketType(p.payload) != 2) return;  // only Handshake packets matter after the Initials
  FlowKey key{p.src, p.dst, p.sport, p.dport, 17};
  bool from_a = true;
  auto it = flows_.find(key);
  if (it == flows_.end()) {
    it = flows_.find(FlowKey{key.b, key.a, key.pb, key.pa, key.proto});
    from_a = false;
  }
  if (it == flows_.end()) return;  // no Initial seen: not a flow we follow
  Flow& f = *it->second;
  lru_.splice(lru_.begin(), lru_, it->second);
  f.last = std::max(f.last, ts);
  ++f.packets;
  QuicJa4l(f, from_a, ts, p, 2);
}

void Analyzer::QuicJa4l(Flow& f, bool from_a, double ts, const DecodedPacket& p, int type) {
  if (f.ja4l.has_client()) return;
  f.ja4l.OnQuicPacket(Micros(ts), type, from_a, p.ttl);
  if (!f.ja4l.has_client()) return;
  Event e = MakeEvent(f, "quic_session", ts);
  e.fields.insert(e.fields.end(), {{"ja4l_c", f.ja4l.Client()},
                                   {"ja4l_s", f.ja4l.Server()},
                                   {"ja4", f.ja4},
                                   {"sni", f.sni}});
  Emit(std::move(e));
}

}  // namespace decnet::capture
