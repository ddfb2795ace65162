// The live sniffer: waits for an interface and deckies, captures through a libpcap TPACKET_V3 ring polled
// on the worker's loop, keeps traffic to and from deckies, and writes each fingerprint event to the ingest
// files and the bus (decky.<name>.traffic).
#pragma once

#include <sys/stat.h>
#include <uv.h>

#include <memory>
#include <string>

#include "decnet/bus/worker.h"
#include "decnet/capture/analyzer.h"
#include "decnet/capture/dedup.h"
#include "decnet/capture/deckies.h"
#include "decnet/capture/ingest_writer.h"
#include "decnet/capture/pcap_source.h"

namespace decnet::sniffer {

void DeclareLiveKeys(Config& cfg);

class SnifferService {
 public:
  explicit SnifferService(bus::Worker& worker);
  ~SnifferService();
  SnifferService(const SnifferService&) = delete;
  SnifferService& operator=(const SnifferService&) = delete;

  void Start();
  void Stop();
  void Health(json::JsonWriter& j) const;

 private:
  void Tick();
  void ReloadFleetIfChanged();
  void TryOpenCapture();
  void CloseCapture();
  void OnReadable();
  void FlushIngest();  // writes the queued ingest lines; logs a failure (the lines stay queued)
  void OnEvent(const capture::Event& e);

  bus::Worker& w_;
  std::string fleet_path_, ingest_log_, ingest_json_;
  capture::P0fDatabase p0f_;
  std::unique_ptr<capture::Analyzer> analyzer_;
  capture::DedupCache dedup_;
  capture::IngestWriter writer_;
  capture::DeckyMap deckies_;
  struct timespec fleet_mtime_ {};
  bool fleet_seen_ = false;
  std::unique_ptr<capture::LiveCapture> capture_;
  uv_poll_t* poll_ = nullptr;
  Timer tick_;
  std::string waiting_reason_;
  uint64_t frames_ = 0, filtered_ = 0, undecodable_ = 0, written_ = 0, open_failures_ = 0;
  bool stopping_ = false;
};

// Drops every capability but CAP_NET_RAW and CAP_NET_ADMIN (bounding, ambient, inheritable, effective and
// permitted sets). A process without them (tests, offline mode) is unaffected.
void DropCapabilities();

}  // namespace decnet::sniffer
