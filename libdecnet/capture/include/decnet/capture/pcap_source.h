// Packet sources behind a small shim over libpcap: offline pcap/pcapng files and live capture
// (TPACKET_V3 ring on Linux; the ring is resident memory, so its size is a config value, not libpcap's
// 2 MiB default).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "decnet/capture/bytes.h"
#include "decnet/core/result.h"

typedef struct pcap pcap_t;

namespace decnet::capture {

struct Frame {
  double ts = 0;       // epoch seconds
  uint32_t wire_len = 0;
  Bytes data;          // captured bytes; valid until the next call on the source
};

// Reads a pcap or pcapng file (pcap_open_offline handles both).
class OfflineReader {
 public:
  static Result<std::unique_ptr<OfflineReader>> Open(const std::string& path);
  ~OfflineReader();
  int link_type() const { return link_; }
  // Next frame; false at the end of the file or on a read error (error() is then non-empty).
  bool Next(Frame& f);
  const std::string& error() const { return error_; }

 private:
  OfflineReader(pcap_t* p, std::unique_ptr<char[]> buffer);
  std::unique_ptr<char[]> buffer_;  // the stdio buffer of the file; outlives it (pcap_close runs first)
  pcap_t* p_;
  int link_;
  std::string error_;
};

struct LiveOptions {
  std::string interface;
  int snaplen = 2048;             // handshakes fit; the rest of big segments is not needed
  int ring_bytes = 256 * 1024;    // the TPACKET_V3 ring (resident)
  std::string bpf;                // "" = everything
  bool promiscuous = true;
  int timeout_ms = 100;           // block retire timeout of the ring
};

struct LiveStats {
  uint64_t received = 0, dropped = 0, if_dropped = 0;
};

class LiveCapture {
 public:
  // Opens, sets snaplen/ring/timeout, activates, compiles and sets the filter, and makes the handle
  // non-blocking. Errors name the interface and libpcap's message.
  static Result<std::unique_ptr<LiveCapture>> Open(const LiveOptions& opts);
  ~LiveCapture();
  int link_type() const { return link_; }
  // A descriptor that becomes readable when frames wait (for uv_poll).
  int fd() const;
  // Handles at most `max` frames now; returns how many, or -1 on error.
  int Dispatch(int max, const std::function<void(const Frame&)>& fn);
  LiveStats stats() const;
  const std::string& error() const { return error_; }

 private:
  explicit LiveCapture(pcap_t* p);
  pcap_t* p_;
  int link_;
  std::string error_;
};

}  // namespace decnet::capture
