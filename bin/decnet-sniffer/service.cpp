#include "service.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "decnet/capture/event_format.h"
#include "decnet/core/log.h"
#include "sniffer.h"

namespace decnet::sniffer {
namespace {

constexpr int kFramesPerWakeup = 1024;

// Event types published on decky.<name>.traffic: the summaries a consumer acts on, as in the
// original (tls_client_hello is folded into tls_session), plus the SSH/HTTP/QUIC client
// fingerprints.
bool PublishedOnBus(const std::string& type) {
  return type == "tls_session" || type == "tcp_flow_timing" || type == "tcp_syn_fingerprint" ||
         type == "ssh_client_banner" || type == "ssh_client_kexinit" || type == "http_request" ||
         type == "quic_client_hello" || type == "quic_session" || type == "ssh_session_fingerprint";
}

// What makes two events "the same" for the dedup cache.
std::string DedupKey(const capture::Event& e, const std::string& decky) {
  std::string k = e.src.ToString() + '|' + e.type + '|' + decky + '|';
  for (const char* f : {"ja3", "ja4", "ja3s", "p0f_sig", "hassh", "hassh_server", "ssh_version",
                        "method", "path", "user_agent", "ja4x", "ja4ssh"}) {
    if (const std::string* v = e.Get(f)) k += *v + '|';
  }
  // One per flow: timing, and the per-window session fingerprints (a source repeating the same
  // JA4SSH in another window of the same session is still one behaviour, so the window is left
  // out).
  if (e.type == "tcp_flow_timing" || e.type == "quic_session") k += std::to_string(e.sport);
  return k;
}

std::string OrDefault(const Config& cfg, const char* key, const std::string& def) {
  return cfg.String(key).empty() ? def : cfg.String(key);
}

}  // namespace

void DeclareLiveKeys(Config& cfg) {
  cfg.AddString("interface", "", "interface to capture on (the decoy bridge); empty: wait");
  cfg.AddInt("snaplen", 2048, 128, 65535, "bytes captured per packet");
  cfg.AddInt("ring_kib", 256, 64, 262144, "TPACKET_V3 ring size, KiB (resident memory)");
  cfg.AddString("bpf", "", "BPF filter applied in the kernel (empty: all traffic)");
  cfg.AddBool("promiscuous", true, "put the interface in promiscuous mode");
  cfg.AddString("fleet_file", "",
                "fleet state: JSON {decky: [ips]} (default <state_dir>/fleet.json)");
  cfg.AddString("ingest_log", "", "RFC 5424 ingest file (default <state_dir>/decnet.log)");
  cfg.AddString("ingest_json", "", "JSON ingest file (default <state_dir>/decnet.json)");
  cfg.AddInt("dedup_ttl", 300, 0, 86400, "seconds an identical event is suppressed");
  cfg.AddInt("dedup_max", 4096, 1, 10000000, "dedup cache entries (LRU, evictions counted)");
  cfg.AddInt("retry_interval", 5, 1, 3600,
             "seconds between checks for interface/deckies/fleet changes");
}

SnifferService::SnifferService(bus::Worker& w)
    : w_(w),
      fleet_path_(
          OrDefault(w.config(), "fleet_file", w.config().String("state_dir") + "/fleet.json")),
      ingest_log_(
          OrDefault(w.config(), "ingest_log", w.config().String("state_dir") + "/decnet.log")),
      ingest_json_(
          OrDefault(w.config(), "ingest_json", w.config().String("state_dir") + "/decnet.json")),
      dedup_(size_t(w.config().Int("dedup_max")), double(w.config().Int("dedup_ttl"))),
      writer_(ingest_log_, ingest_json_),
      tick_(w.loop()) {
  capture::AnalyzerOptions opts = AnalyzerOptionsFrom(w.config(), &p0f_);
  analyzer_ =
      std::make_unique<capture::Analyzer>(opts, [this](const capture::Event& e) { OnEvent(e); });
}

SnifferService::~SnifferService() { CloseCapture(); }

void SnifferService::Start() {
  if (Status s = MakeParentDirs(ingest_json_); !s) DLOG_WARN("%s", s.error().message.c_str());
  Tick();
  uint64_t every = uint64_t(w_.config().Int("retry_interval")) * 1000;
  tick_.Start(every, every, [this] { Tick(); });
}

void SnifferService::Stop() {
  stopping_ = true;
  tick_.Stop();
  CloseCapture();
  analyzer_->FlushAll();  // the last flow-timing events
  FlushIngest();
}

void SnifferService::FlushIngest() {
  if (Status s = writer_.Flush(); !s)
    DLOG_ERROR("ingest write failed: %s", s.error().message.c_str());
}

void SnifferService::Tick() {
  ReloadFleetIfChanged();
  if (!capture_) TryOpenCapture();
  analyzer_->Expire(NowEpoch());
  FlushIngest();
}

void SnifferService::ReloadFleetIfChanged() {
  struct stat st;
  if (stat(fleet_path_.c_str(), &st) != 0) {
    if (fleet_seen_)
      DLOG_WARN("fleet file %s is gone: keeping %zu decky IPs", fleet_path_.c_str(),
                deckies_.size());
    fleet_seen_ = false;
    return;
  }
  if (fleet_seen_ && st.st_mtim.tv_sec == fleet_mtime_.tv_sec &&
      st.st_mtim.tv_nsec == fleet_mtime_.tv_nsec) {
    return;
  }
  fleet_seen_ = true;
  fleet_mtime_ = st.st_mtim;
  auto m = capture::DeckyMap::LoadFile(fleet_path_);
  if (!m) {
    DLOG_WARN("fleet file not loaded, keeping the previous deckies: %s", m.error().message.c_str());
    return;
  }
  deckies_ = std::move(*m);
  DLOG_INFO("fleet loaded from %s: %zu decky IPs", fleet_path_.c_str(), deckies_.size());
}

void SnifferService::TryOpenCapture() {
  const Config& cfg = w_.config();
  std::string reason;
  if (cfg.String("interface").empty()) {
    reason = "no interface configured (--interface / DECNET_INTERFACE)";
  } else if (deckies_.empty()) {
    reason = "no deckies in " + fleet_path_;
  }
  if (!reason.empty()) {
    if (reason != waiting_reason_) DLOG_NOTICE("waiting: %s", reason.c_str());
    waiting_reason_ = reason;
    return;
  }
  capture::LiveOptions lo;
  lo.interface = cfg.String("interface");
  lo.snaplen = int(cfg.Int("snaplen"));
  lo.ring_bytes = int(cfg.Int("ring_kib") * 1024);
  lo.bpf = cfg.String("bpf");
  lo.promiscuous = cfg.Bool("promiscuous");
  auto cap = capture::LiveCapture::Open(lo);
  if (!cap) {
    ++open_failures_;
    if (cap.error().message != waiting_reason_) {
      DLOG_WARN("capture not started, retrying: %s", cap.error().message.c_str());
    }
    waiting_reason_ = cap.error().message;
    return;
  }
  capture_ = std::move(*cap);
  waiting_reason_.clear();
  poll_ = new uv_poll_t;
  poll_->data = this;
  uv_poll_init(w_.loop(), poll_, capture_->fd());
  uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* h, int status, int) {
    if (status >= 0) static_cast<SnifferService*>(h->data)->OnReadable();
  });
  DLOG_INFO("capturing on %s (ring %lld KiB, snaplen %lld, filter \"%s\"), %zu decky IPs",
            lo.interface.c_str(), (long long)cfg.Int("ring_kib"), (long long)cfg.Int("snaplen"),
            lo.bpf.c_str(), deckies_.size());
  w_.NotifyReady("capturing on " + lo.interface);
}

void SnifferService::CloseCapture() {
  if (poll_) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  capture_.reset();
}

void SnifferService::OnReadable() {
  if (!capture_) return;
  capture::DecodedPacket p;
  int link = capture_->link_type();
  int n = capture_->Dispatch(kFramesPerWakeup, [&](const capture::Frame& f) {
    ++frames_;
    if (capture::Decode(link, f.data, p) != capture::DecodeStatus::kOk) {
      ++undecodable_;
      return;
    }
    if (!deckies_.Find(p.dst) && !deckies_.Find(p.src)) {
      ++filtered_;
      return;
    }
    analyzer_->OnPacket(f.ts, p);
  });
  FlushIngest();  // one write per file for everything this wakeup produced
  if (n < 0) {
    DLOG_ERROR("capture failed, reopening: %s", capture_->error().c_str());
    CloseCapture();
  }
}

void SnifferService::OnEvent(const capture::Event& e) {
  const std::string* decky = deckies_.Find(e.dst);
  if (!decky) decky = deckies_.Find(e.src);
  if (!decky) return;
  if (dedup_.Seen(DedupKey(e, *decky), e.ts)) return;
  std::string line = capture::FormatRfc5424(e, *decky, e.ts);
  std::string record = capture::CollectorRecord(e, *decky, e.ts, line);
  if (Status s = writer_.Append(line, record); !s) {
    DLOG_ERROR("ingest write failed: %s", s.error().message.c_str());
  }
  ++written_;
  if (PublishedOnBus(e.type)) {
    json::JsonWriter j;
    j.Str("decky", *decky).Str("event_type", e.type).Double("ts", e.ts);
    for (const auto& [k, v] : e.fields) j.Str(k, v);
    w_.bus().Publish("decky." + *decky + ".traffic", e.type, j.Finish());
  }
}

void SnifferService::Health(json::JsonWriter& j) const {
  capture::AnalyzerStats s = analyzer_->stats();
  j.Bool("capturing", capture_ != nullptr)
      .Str("waiting", waiting_reason_)
      .Uint("decky_ips", deckies_.size())
      .Uint("frames", frames_)
      .Uint("filtered", filtered_)
      .Uint("undecodable", undecodable_)
      .Uint("events", s.events)
      .Uint("written", written_)
      .Uint("write_errors", writer_.write_errors())
      .Uint("ingest_bytes_dropped", writer_.bytes_dropped())
      .Uint("flows", s.flows)
      .Uint("flows_evicted", s.flows_evicted)
      .Uint("flows_expired", s.flows_expired)
      .Uint("stream_bytes", s.stream_bytes)
      .Uint("segments_over_budget", s.segments_over_budget)
      .Uint("segments_beyond_cap", s.segments_beyond_cap)
      .Uint("sources_evicted", s.ipid_sources_evicted)
      .Uint("dedup_entries", dedup_.size())
      .Uint("dedup_suppressed", dedup_.suppressed())
      .Uint("dedup_evicted", dedup_.evicted())
      .Uint("ja4ssh_windows_dropped", s.ja4ssh_windows_dropped)
      .Uint("ja4ssh_inexact", s.ja4ssh_inexact)
      .Uint("open_failures", open_failures_);
  if (capture_) {
    capture::LiveStats ls = capture_->stats();
    j.Uint("pcap_received", ls.received)
        .Uint("pcap_dropped", ls.dropped)
        .Uint("if_dropped", ls.if_dropped);
  }
}

void DropCapabilities() {
  const uint64_t keep = (uint64_t(1) << CAP_NET_RAW) | (uint64_t(1) << CAP_NET_ADMIN);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; cap < 64; ++cap) {
    if (keep & (uint64_t(1) << cap)) continue;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  }
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) return;
  for (int i = 0; i < 2; ++i) {
    uint32_t k = uint32_t(keep >> (32 * i));
    data[i].permitted &= k;
    data[i].effective &= k;
    data[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &hdr, data) != 0) DLOG_WARN("capset failed: %m");
}

}  // namespace decnet::sniffer
