// One attacker IP's incremental summary: everything the `attackers` and `attacker_behavior` rows
// need, folded event by event, within configured caps (what a cap cuts is counted, never silently
// lost).
//
// The whole state serializes to one JSON object (StateJson / LoadState) that the profiler stores
// with the row: a restart or an LRU eviction reloads it and continues, so no field regresses (the
// original rebuilt profiles from post-restart events only and overwrote first_seen and the counts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/intel/classify.h"
#include "decnet/intel/event.h"
#include "decnet/intel/timing.h"

namespace decnet::intel {

struct ProfileLimits {
  size_t max_services = 32;        // distinct services kept
  size_t max_deckies = 64;         // distinct deckies kept (first-contact order)
  size_t max_commands = 64;        // commands kept (the first ones)
  size_t max_command_bytes = 512;  // longer command text is truncated
  size_t max_labels = 16;  // distinct OS labels / TTL values / hop values kept for the roll-up
  size_t max_field_bytes = 256;  // decky/service/os/option strings longer than this are truncated
  size_t max_fingerprints = 32;  // fingerprint bounty payloads kept on the record
};

// What the caps cut, per profile (persisted with it).
struct CapCounters {
  uint64_t services = 0;
  uint64_t deckies = 0;
  uint64_t commands = 0;
  uint64_t command_bytes = 0;  // commands truncated
  uint64_t labels = 0;
  uint64_t bad_headers = 0;  // request events whose headers were not a JSON object
};

struct Command {
  std::string service, decky, command;
  double ts = 0;
};

// A value and how often it was seen, in first-seen order (ties resolve to the first, as Counter
// did).
struct Tally {
  std::string value;
  uint64_t count = 0;
};

struct TcpFingerprint {
  bool present = false;
  std::optional<int64_t> window, wscale, mss;
  std::string options_sig;
  bool has_sack = false, has_timestamps = false;
};

// DB-derived parts of the record, looked up by the profiler when it writes the row.
struct DbCounts {
  uint64_t bounty_count = 0;
  uint64_t credential_count = 0;
  std::vector<std::string> fingerprints;  // JSON objects (bounty payloads), newest first
};

class AttackerProfile {
 public:
  explicit AttackerProfile(std::string ip) : ip_(std::move(ip)) {}

  // Folds one event. REQUIRES: e.attacker_ip == ip(), e.ts finite (the engine checks).
  void Observe(const Event& e, const ProfileLimits& limits);

  const std::string& ip() const { return ip_; }
  uint64_t event_count() const { return timing_.event_count; }
  double first_seen() const { return timing_.first_ts; }
  double last_seen() const { return timing_.last_ts; }
  const TimingStats& timing() const { return timing_; }
  const std::vector<std::string>& services() const { return services_; }
  // Deckies in first-contact order, excluding the system's own decnet-* hosts.
  const std::vector<std::string>& deckies() const { return deckies_; }
  bool is_traversal() const { return deckies_.size() >= 2; }
  // "decky-01 → decky-03", empty when not a traversal.
  std::string TraversalPath() const;
  const std::vector<Command>& commands() const { return commands_; }
  const CapCounters& cut() const { return cut_; }
  int64_t last_log_id() const { return last_log_id_; }

  // Derived views.
  Behavior behavior() const;
  std::vector<std::string_view> ToolGuesses() const;  // C2 cadence + headers (+ nmap from p0f)
  std::optional<std::string_view> OsGuess() const;
  std::optional<int64_t> HopDistance() const;
  std::optional<double> ReconEnd() const { return recon_end_; }
  std::optional<double> ExfilStart() const { return exfil_start_; }
  uint64_t large_payload_count() const { return large_payloads_; }
  uint64_t retransmits() const { return retransmits_; }
  const TcpFingerprint& tcp_fingerprint() const { return tcp_fp_; }
  const std::vector<uint8_t>& header_tools() const { return header_tools_; }

  // The restorable state as one JSON object, and back. LoadState replaces this profile's state; it
  // fails (kCorrupt) on JSON that is not a state object for this ip, leaving the profile unchanged.
  std::string StateJson() const;
  Status LoadState(std::string_view json);

  // The `attackers` row (ip, first_seen, ..., threat_score, threat_reasons) and the
  // `attacker_behavior` row, as JSON objects with the column names as keys. Times are ISO 8601 UTC.
  // `now` is updated_at.
  std::string AttackerRowJson(const DbCounts& db, double now) const;
  std::string BehaviorRowJson(double now) const;
  std::string TimingStatsJson() const;
  std::string PhaseSequenceJson() const;
  // The JSON columns one by one (arrays/objects), for writers that fill typed rows.
  std::string ServicesJson() const;
  std::string DeckiesJson() const;
  std::string CommandsJson() const;  // [{service, decky, command, timestamp}]
  std::string ToolGuessesJson() const;
  std::string TcpFingerprintJson() const;

  // Memory this profile holds (heap included), approximately; for the bench and the health payload.
  size_t ApproxBytes() const;

  // Transient flags the engine keeps (not serialized).
  bool dirty = false;
  bool first_sighting = false;

 private:
  friend bool ProfilesEqual(const AttackerProfile&, const AttackerProfile&, std::string* why);
  void ObserveSniffer(const Event& e, const ProfileLimits& limits);
  void ObserveCommand(const Event& e, const ProfileLimits& limits);
  void ObservePhase(const Event& e);

  std::string ip_;
  int64_t last_log_id_ = 0;
  TimingStats timing_;
  std::vector<std::string> services_;
  std::vector<std::string> deckies_;
  std::vector<Command> commands_;
  std::vector<uint8_t> header_tools_;
  std::optional<double> recon_end_, exfil_start_;
  uint64_t large_payloads_ = 0;
  std::vector<Tally> os_labels_, ttls_, hops_;
  TcpFingerprint tcp_fp_;
  uint64_t retransmits_ = 0;
  CapCounters cut_;
};

// Field-by-field equality of the restorable state (for tests: restart == uninterrupted). On a
// difference, `why` names the first field that differs.
bool ProfilesEqual(const AttackerProfile& a, const AttackerProfile& b, std::string* why = nullptr);

// The system's own hosts (decnet-prober, ...) log attacker IPs without being decoy hops.
inline bool IsInternalDecky(std::string_view name) { return name.starts_with("decnet-"); }

// ISO 8601 UTC with microseconds ("2026-11-24T14:35:29.123456+00:00").
std::string IsoTime(double epoch);

}  // namespace decnet::intel
