#include "decnet/core/log.h"
#include "sniffer.h"

namespace decnet::sniffer {

void DeclareCaptureKeys(Config& cfg) {
  cfg.AddString("read", "", "offline mode: fingerprint this pcap/pcapng file and exit");
  cfg.AddBool("json", false, "offline mode: print one JSON object per event (else RFC 5424 lines)");
  cfg.AddString("p0f_db", "/etc/p0f/p0f.fp", "p0f v3 signature database for os_guess");
  cfg.AddBool("foxio_licensed", false,
              "also compute JA4S, JA4H, JA4L, JA4X and JA4SSH (FoxIO License 1.1, not BSD: enable "
              "only if your use is covered)");
  cfg.AddInt("ja4ssh_window", 200, 1, 65535, "SSH packets per JA4SSH fingerprint");
  cfg.AddInt("ja4ssh_max_windows", 32, 1, 65535, "JA4SSH events per flow (later windows counted)");
  cfg.AddInt("max_flows", 4096, 1, 10000000, "flow table bound (oldest evicted, counted)");
  cfg.AddInt("stream_cap_kib", 16, 1, 1024, "bytes reassembled per flow direction, KiB");
  cfg.AddInt("stream_budget_kib", 4096, 16, 1048576, "bytes reassembled across all flows, KiB");
  cfg.AddInt("max_sources", 4096, 1, 10000000, "sources whose IP-ID/ISN history is kept");
  cfg.AddInt("flow_idle_timeout", 120, 1, 86400, "seconds of silence before a flow is flushed");
}

capture::AnalyzerOptions AnalyzerOptionsFrom(const Config& cfg, capture::P0fDatabase* p0f) {
  capture::AnalyzerOptions o;
  o.max_flows = size_t(cfg.Int("max_flows"));
  o.stream_cap = size_t(cfg.Int("stream_cap_kib")) * 1024;
  o.stream_budget = size_t(cfg.Int("stream_budget_kib")) * 1024;
  o.max_ipid_sources = size_t(cfg.Int("max_sources"));
  o.flow_idle_timeout = double(cfg.Int("flow_idle_timeout"));
  o.foxio_licensed = cfg.Bool("foxio_licensed");
  o.ja4ssh_window = size_t(cfg.Int("ja4ssh_window"));
  o.ja4ssh_max_windows = size_t(cfg.Int("ja4ssh_max_windows"));
  std::string err;
  const std::string& path = cfg.String("p0f_db");
  if (!path.empty() && p0f->Load(path, &err)) {
    o.p0f = p0f;
  } else if (!path.empty() && cfg.Source("p0f_db") != "default") {
    DLOG_WARN("p0f database not loaded (%s): os_guess will be \"unknown\"", err.c_str());
  }
  return o;
}

}  // namespace decnet::sniffer
