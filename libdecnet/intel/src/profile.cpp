#include "decnet/intel/profile.h"

#include <algorithm>
#include <cmath>

namespace decnet::intel {
namespace {

std::string_view Clip(std::string_view s, size_t max) {
  return s.size() > max ? s.substr(0, max) : s;
}

// Adds `v` to a first-seen-ordered set bounded by `max`; counts what the bound refuses.
void AddDistinct(std::vector<std::string>& set, std::string_view v, size_t max, uint64_t& cut) {
  for (const std::string& s : set) {
    if (s == v) return;
  }
  if (set.size() >= max) {
    ++cut;
    return;
  }
  set.emplace_back(v);
}

void AddTally(std::vector<Tally>& t, std::string_view v, size_t max, uint64_t& cut) {
  for (Tally& x : t) {
    if (x.value == v) {
      ++x.count;
      return;
    }
  }
  if (t.size() >= max) {
    ++cut;
    return;
  }
  t.push_back(Tally{std::string(v), 1});
}

const Tally* Mode(const std::vector<Tally>& t) {
  const Tally* best = nullptr;
  for (const Tally& x : t) {
    if (best == nullptr || x.count > best->count) best = &x;
  }
  return best;
}

std::optional<int64_t> IntOrNone(std::string_view v) {
  if (v.empty()) return std::nullopt;
  return ParsePythonInt(v);
}

}  // namespace

void AttackerProfile::Observe(const Event& e, const ProfileLimits& limits) {
  if (e.log_id > last_log_id_) last_log_id_ = e.log_id;
  timing_.Add(e.ts);
  AddDistinct(services_, Clip(e.service, limits.max_field_bytes), limits.max_services,
              cut_.services);
  if (!IsInternalDecky(e.decky)) {
    AddDistinct(deckies_, Clip(e.decky, limits.max_field_bytes), limits.max_deckies, cut_.deckies);
  }
  ObservePhase(e);
  if (IsCommandEvent(e.event_type)) ObserveCommand(e, limits);
  if (e.event_type == "request") {
    const std::string_view headers = e.Get("headers");
    if (!headers.empty() && !DetectHeaderTools(headers, header_tools_)) ++cut_.bad_headers;
  }
  ObserveSniffer(e, limits);
}

void AttackerProfile::ObservePhase(const Event& e) {
  if (IsReconEvent(e.event_type)) {
    if (!recon_end_ || e.ts > *recon_end_) recon_end_ = e.ts;
  } else if (IsExfilEvent(e.event_type)) {
    if (!exfil_start_ || e.ts < *exfil_start_) exfil_start_ = e.ts;
  }
  for (std::string_view name : kPayloadSizeFields) {
    if (!e.Has(name)) continue;
    const auto v = ParsePythonInt(e.Get(name));
    if (v && *v >= kLargePayloadBytes) {
      ++large_payloads_;
      break;
    }
  }
}

void AttackerProfile::ObserveCommand(const Event& e, const ProfileLimits& limits) {
  std::string_view text;
  for (std::string_view key : kCommandFields) {
    text = e.Get(key);
    if (!text.empty()) break;
  }
  if (text.empty()) return;
  if (commands_.size() >= limits.max_commands) {
    ++cut_.commands;
    return;
  }
  if (text.size() > limits.max_command_bytes) {
    ++cut_.command_bytes;
    text = text.substr(0, limits.max_command_bytes);
  }
  commands_.push_back(Command{std::string(Clip(e.service, limits.max_field_bytes)),
                              std::string(Clip(e.decky, limits.max_field_bytes)), std::string(text),
                              e.ts});
}

void AttackerProfile::ObserveSniffer(const Event& e, const ProfileLimits& limits) {
  if (e.event_type == "tcp_syn_fingerprint") {
    const std::string_view og = e.Get("os_guess");
    if (!og.empty() && og != "unknown") {
      AddTally(os_labels_, Clip(og, limits.max_field_bytes), limits.max_labels, cut_.labels);
    }
    std::string_view ttl = e.Get("ttl");
    if (ttl.empty()) ttl = e.Get("initial_ttl");
    if (!ttl.empty()) AddTally(ttls_, Clip(ttl, 16), limits.max_labels, cut_.labels);
    const auto hop = IntOrNone(e.Get("hop_distance"));
    if (hop && *hop > 0) AddTally(hops_, std::to_string(*hop), limits.max_labels, cut_.labels);
    tcp_fp_.present = true;
    tcp_fp_.window = IntOrNone(e.Get("window"));
    tcp_fp_.wscale = IntOrNone(e.Get("wscale"));
    tcp_fp_.mss = IntOrNone(e.Get("mss"));
    tcp_fp_.options_sig = std::string(Clip(e.Get("options_sig"), limits.max_field_bytes));
    tcp_fp_.has_sack = e.Get("has_sack") == "true";
    tcp_fp_.has_timestamps = e.Get("has_timestamps") == "true";
  } else if (e.event_type == "tcp_flow_timing") {
    const std::string_view r = e.Get("retransmits");
    const auto v =
        r.empty() && !e.Has("retransmits") ? std::optional<int64_t>(0) : ParsePythonInt(r);
    if (v && *v > 0) retransmits_ += static_cast<uint64_t>(*v);
  }
}

std::string AttackerProfile::TraversalPath() const {
  if (!is_traversal()) return {};
  std::string out;
  for (size_t i = 0; i < deckies_.size(); ++i) {
    if (i) out += " \u2192 ";
    out += deckies_[i];
  }
  return out;
}

Behavior AttackerProfile::behavior() const {
  return ClassifyBehavior(timing_.event_count, timing_.MeanRounded(), timing_.CvRounded(),
                          services_.size() + (cut_.services ? 1 : 0));
}

std::optional<std::string_view> AttackerProfile::OsGuess() const {
  if (const Tally* m = Mode(os_labels_)) return std::string_view(m->value);
  if (const Tally* t = Mode(ttls_)) return OsFromTtl(t->value);
  return std::nullopt;
}

std::optional<int64_t> AttackerProfile::HopDistance() const {
  // Median of the positive hop distances, as int(statistics.median(...)).
  std::vector<std::pair<int64_t, uint64_t>> h;
  uint64_t total = 0;
  for (const Tally& t : hops_) {
    const auto v = ParsePythonInt(t.value);
    if (!v) continue;
    h.emplace_back(*v, t.count);
    total += t.count;
  }
  if (total == 0) return std::nullopt;
  std::sort(h.begin(), h.end());
  auto nth = [&](uint64_t k) {  // 0-based k-th smallest
    for (const auto& [v, c] : h) {
      if (k < c) return v;
      k -= c;
    }
    return h.back().first;
  };
  if (total % 2) return nth(total / 2);
  const double mid =
      (static_cast<double>(nth(total / 2 - 1)) + static_cast<double>(nth(total / 2))) / 2;
  return static_cast<int64_t>(mid);  // int() truncates toward zero
}

std::vector<std::string_view> AttackerProfile::ToolGuesses() const {
  std::vector<std::string_view> tools = GuessC2Tools(timing_.MeanRounded(), timing_.CvRounded());
  for (uint8_t t : header_tools_) {
    const std::string_view name = HeaderToolName(t);
    if (std::find(tools.begin(), tools.end(), name) == tools.end()) tools.push_back(name);
  }
  const auto os = OsGuess();
  if (os && *os == "nmap" && std::find(tools.begin(), tools.end(), "nmap") == tools.end()) {
    tools.insert(tools.begin(), "nmap");
  }
  return tools;
}

size_t AttackerProfile::ApproxBytes() const {
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  size_t n = sizeof(*this) + str(ip_);
  n += services_.capacity() * sizeof(std::string) + deckies_.capacity() * sizeof(std::string);
  for (const auto& s : services_) n += str(s);
  for (const auto& s : deckies_) n += str(s);
  n += commands_.capacity() * sizeof(Command);
  for (const auto& c : commands_) n += str(c.service) + str(c.decky) + str(c.command);
  for (const auto* t : {&os_labels_, &ttls_, &hops_}) {
    n += t->capacity() * sizeof(Tally);
    for (const auto& x : *t) n += str(x.value);
  }
  n += header_tools_.capacity() + str(tcp_fp_.options_sig);
  return n;
}

}  // namespace decnet::intel
