#include "decnet/capture/pcap_source.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace decnet::capture {

constexpr size_t kOfflineBufferBytes = 256 * 1024;

Result<std::unique_ptr<OfflineReader>> OfflineReader::Open(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  FILE* file = std::fopen(path.c_str(), "rbe");
  if (!file) return MakeError(Errc::kNotFound, path + ": " + std::strerror(errno));
  // A large stdio buffer: libpcap reads each record with two fread() calls, and the default
  // st_blksize buffer made read(2) a tenth of the offline run.
  auto buffer = std::make_unique<char[]>(kOfflineBufferBytes);
  std::setvbuf(file, buffer.get(), _IOFBF, kOfflineBufferBytes);
  pcap_t* p = pcap_fopen_offline(file, err);  // owns the FILE from here on, unless it fails
  if (!p) {
    std::fclose(file);
    return MakeError(Errc::kNotFound, path + ": " + err);  // not a capture: a bad argument
  }
  return std::unique_ptr<OfflineReader>(new OfflineReader(p, std::move(buffer)));
}

OfflineReader::OfflineReader(pcap_t* p, std::unique_ptr<char[]> buffer)
    : buffer_(std::move(buffer)), p_(p), link_(pcap_datalink(p)) {}
OfflineReader::~OfflineReader() { pcap_close(p_); }

bool OfflineReader::Next(Frame& f) {
  pcap_pkthdr* h;
  const u_char* data;
  int rc = pcap_next_ex(p_, &h, &data);
  if (rc == 1) {
    f.ts = double(h->ts.tv_sec) + double(h->ts.tv_usec) / 1e6;
    f.wire_len = h->len;
    f.data = Bytes(data, h->caplen);
    return true;
  }
  if (rc == PCAP_ERROR) error_ = pcap_geterr(p_);
  return false;
}

Result<std::unique_ptr<LiveCapture>> LiveCapture::Open(const LiveOptions& o) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_create(o.interface.c_str(), err);
  if (!p) return MakeError(Errc::kUnavailable, o.interface + ": " + err);
  auto fail = [&](const std::string& what) -> Error {
    std::string msg = o.interface + ": " + what + ": " + pcap_geterr(p);
    pcap_close(p);
    return MakeError(Errc::kUnavailable, msg);
  };
  pcap_set_snaplen(p, o.snaplen);
  pcap_set_promisc(p, o.promiscuous ? 1 : 0);
  pcap_set_timeout(p, o.timeout_ms);
  pcap_set_buffer_size(p, o.ring_bytes);
  int rc = pcap_activate(p);
  if (rc < 0) return fail("activate");
  if (!o.bpf.empty()) {
    bpf_program prog;
    if (pcap_compile(p, &prog, o.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) return fail("bpf");
    int set = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (set != 0) return fail("setfilter");
  }
  if (pcap_setnonblock(p, 1, err) != 0) {
    pcap_close(p);
    return MakeError(Errc::kIo, o.interface + ": nonblock: " + err);
  }
  return std::unique_ptr<LiveCapture>(new LiveCapture(p));
}

LiveCapture::LiveCapture(pcap_t* p) : p_(p), link_(pcap_datalink(p)) {}
LiveCapture::~LiveCapture() { pcap_close(p_); }

int LiveCapture::fd() const { return pcap_get_selectable_fd(p_); }

namespace {
struct DispatchCtx {
  const std::function<void(const Frame&)>* fn;
};
void OnFrame(u_char* user, const pcap_pkthdr* h, const u_char* data) {
  auto* ctx = reinterpret_cast<DispatchCtx*>(user);
  Frame f;
  f.ts = double(h->ts.tv_sec) + double(h->ts.tv_usec) / 1e6;
  f.wire_len = h->len;
  f.data = Bytes(data, h->caplen);
  (*ctx->fn)(f);
}
}  // namespace

int LiveCapture::Dispatch(int max, const std::function<void(const Frame&)>& fn) {
  DispatchCtx ctx{&fn};
  int n = pcap_dispatch(p_, max, OnFrame, reinterpret_cast<u_char*>(&ctx));
  if (n < 0) error_ = pcap_geterr(p_);
  return n;
}

LiveStats LiveCapture::stats() const {
  pcap_stat s{};
  LiveStats out;
  if (pcap_stats(p_, &s) == 0) {
    out.received = s.ps_recv;
    out.dropped = s.ps_drop;
    out.if_dropped = s.ps_ifdrop;
  }
  return out;
}

}  // namespace decnet::capture
