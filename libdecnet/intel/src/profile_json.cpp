// Serialization of AttackerProfile: its restorable state, and its DB rows.
#include <rapidjson/document.h>

#include <cmath>
#include <cstring>

#include "decnet/core/json.h"
#include "decnet/intel/profile.h"
#include "decnet/intel/score.h"

namespace decnet::intel {
namespace {

constexpr size_t kMaxStateBytes = 4 << 20;

// A tiny JSON array builder over the core's escaping helpers.
class Arr {
 public:
  Arr() { s_.push_back('['); }
  Arr& Str(std::string_view v) {
    Sep();
    json::AppendQuoted(s_, v);
    return *this;
  }
  Arr& Num(double v) {
    Sep();
    json::AppendDouble(s_, v);
    return *this;
  }
  Arr& Int(uint64_t v) {
    Sep();
    s_ += std::to_string(v);
    return *this;
  }
  Arr& Raw(std::string_view v) {
    Sep();
    s_ += v;
    return *this;
  }
  std::string Finish() {
    s_.push_back(']');
    return std::move(s_);
  }

 private:
  void Sep() {
    if (s_.size() > 1) s_.push_back(',');
  }
  std::string s_;
};

std::string Strings(const std::vector<std::string>& v) {
  Arr a;
  for (const auto& s : v) a.Str(s);
  return a.Finish();
}

std::string Tallies(const std::vector<Tally>& v) {
  Arr a;
  for (const auto& t : v) a.Raw(Arr().Str(t.value).Int(t.count).Finish());
  return a.Finish();
}

void OptNum(json::JsonWriter& w, std::string_view key, std::optional<double> v) {
  if (v) {
    w.Double(key, *v);
  } else {
    w.Null(key);
  }
}
void OptInt(json::JsonWriter& w, std::string_view key, std::optional<int64_t> v) {
  if (v) {
    w.Int(key, *v);
  } else {
    w.Null(key);
  }
}

std::string TcpFpJson(const TcpFingerprint& fp) {
  if (!fp.present) return "{}";
  json::JsonWriter w;
  OptInt(w, "window", fp.window);
  OptInt(w, "wscale", fp.wscale);
  OptInt(w, "mss", fp.mss);
  w.Str("options_sig", fp.options_sig)
      .Bool("has_sack", fp.has_sack)
      .Bool("has_timestamps", fp.has_timestamps);
  return w.Finish();
}

// Readers over a parsed state; each returns false on a shape mismatch (-> kCorrupt).
using V = rapidjson::Value;
bool GetU(const V& o, const char* k, uint64_t& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsUint64()) return false;
  out = it->value.GetUint64();
  return true;
}
bool GetI(const V& o, const char* k, int64_t& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsInt64()) return false;
  out = it->value.GetInt64();
  return true;
}
bool GetD(const V& o, const char* k, double& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsNumber()) return false;
  out = it->value.GetDouble();
  return true;
}
bool GetOptD(const V& o, const char* k, std::optional<double>& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd()) return false;
  if (it->value.IsNull()) {
    out.reset();
    return true;
  }
  if (!it->value.IsNumber()) return false;
  out = it->value.GetDouble();
  return true;
}
bool GetOptI(const V& o, const char* k, std::optional<int64_t>& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd()) return false;
  if (it->value.IsNull()) {
    out.reset();
    return true;
  }
  if (!it->value.IsInt64()) return false;
  out = it->value.GetInt64();
  return true;
}
bool GetStr(const V& v, std::string& out) {
  if (!v.IsString()) return false;
  out.assign(v.GetString(), v.GetStringLength());
  return true;
}
bool GetStrings(const V& o, const char* k, std::vector<std::string>& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsArray()) return false;
  out.clear();
  for (const V& e : it->value.GetArray()) {
    out.emplace_back();
    if (!GetStr(e, out.back())) return false;
  }
  return true;
}
bool GetTallies(const V& o, const char* k, std::vector<Tally>& out) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsArray()) return false;
  out.clear();
  for (const V& e : it->value.GetArray()) {
    if (!e.IsArray() || e.Size() != 2 || !e[1].IsUint64()) return false;
    out.emplace_back();
    if (!GetStr(e[0], out.back().value)) return false;
    out.back().count = e[1].GetUint64();
  }
  return true;
}
bool GetFive(const V& o, const char* k, double (&out)[5]) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsArray() || it->value.Size() != 5) return false;
  for (unsigned i = 0; i < 5; ++i) {
    if (!it->value[i].IsNumber()) return false;
    out[i] = it->value[i].GetDouble();
  }
  return true;
}

}  // namespace

std::string AttackerProfile::StateJson() const {
  json::JsonWriter t;
  const auto& m = timing_.median;
  Arr q, p, w;
  for (int i = 0; i < 5; ++i) {
    q.Num(m.q[i]);
    p.Num(m.pos[i]);
    w.Num(m.want[i]);
  }
  t.Uint("n", timing_.event_count)
      .Double("f", timing_.first_ts)
      .Double("l", timing_.last_ts)
      .Uint("in", timing_.iat_count)
      .Uint("oo", timing_.out_of_order)
      .Double("mean", timing_.mean)
      .Double("m2", timing_.m2)
      .Double("min", timing_.min_iat)
      .Double("max", timing_.max_iat)
      .Uint("mn", m.n)
      .Raw("q", q.Finish())
      .Raw("p", p.Finish())
      .Raw("w", w.Finish());
  Arr cmds;
  for (const Command& c : commands_) {
    cmds.Raw(Arr().Str(c.service).Str(c.decky).Str(c.command).Num(c.ts).Finish());
  }
  Arr ht;
  for (uint8_t h : header_tools_) ht.Int(h);
  json::JsonWriter fp;
  fp.Bool("present", tcp_fp_.present);
  OptInt(fp, "window", tcp_fp_.window);
  OptInt(fp, "wscale", tcp_fp_.wscale);
  OptInt(fp, "mss", tcp_fp_.mss);
  fp.Str("options_sig", tcp_fp_.options_sig)
      .Bool("sack", tcp_fp_.has_sack)
      .Bool("ts", tcp_fp_.has_timestamps);
  json::JsonWriter cut;
  cut.Uint("services", cut_.services)
      .Uint("deckies", cut_.deckies)
      .Uint("commands", cut_.commands)
      .Uint("command_bytes", cut_.command_bytes)
      .Uint("labels", cut_.labels)
      .Uint("bad_headers", cut_.bad_headers);

  json::JsonWriter s;
  s.Int("v", 1)
      .Str("ip", ip_)
      .Int("lid", last_log_id_)
      .Raw("t", t.Finish())
      .Raw("svc", Strings(services_))
      .Raw("dk", Strings(deckies_))
      .Raw("cmd", cmds.Finish())
      .Raw("ht", ht.Finish());
  OptNum(s, "re", recon_end_);
  OptNum(s, "ex", exfil_start_);
  s.Uint("lp", large_payloads_)
      .Raw("os", Tallies(os_labels_))
      .Raw("ttl", Tallies(ttls_))
      .Raw("hop", Tallies(hops_))
      .Raw("fp", fp.Finish())
      .Uint("rt", retransmits_)
      .Raw("cut", cut.Finish());
  return s.Finish();
}

Status AttackerProfile::LoadState(std::string_view text) {
  auto bad = [&](const char* what) {
    return MakeError(Errc::kCorrupt, std::string("profile state for ") + ip_ + ": " + what);
  };
  if (text.size() > kMaxStateBytes) return bad("too large");
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag |
          rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) return bad("not a JSON object");
  int64_t version = 0;
  if (!GetI(d, "v", version) || version != 1) return bad("unknown version");
  std::string ip;
  auto ipit = d.FindMember("ip");
  if (ipit == d.MemberEnd() || !GetStr(ipit->value, ip) || ip != ip_) return bad("ip mismatch");

  AttackerProfile n(ip_);
  auto tit = d.FindMember("t");
  if (tit == d.MemberEnd() || !tit->value.IsObject()) return bad("no timing");
  const V& t = tit->value;
  TimingStats& ts = n.timing_;
  if (!GetU(t, "n", ts.event_count) || !GetD(t, "f", ts.first_ts) || !GetD(t, "l", ts.last_ts) ||
      !GetU(t, "in", ts.iat_count) || !GetU(t, "oo", ts.out_of_order) ||
      !GetD(t, "mean", ts.mean) || !GetD(t, "m2", ts.m2) || !GetD(t, "min", ts.min_iat) ||
      !GetD(t, "max", ts.max_iat) || !GetU(t, "mn", ts.median.n) || !GetFive(t, "q", ts.median.q) ||
      !GetFive(t, "p", ts.median.pos) || !GetFive(t, "w", ts.median.want)) {
    return bad("bad timing");
  }
  if (!GetI(d, "lid", n.last_log_id_) || !GetStrings(d, "svc", n.services_) ||
      !GetStrings(d, "dk", n.deckies_) || !GetOptD(d, "re", n.recon_end_) ||
      !GetOptD(d, "ex", n.exfil_start_) || !GetU(d, "lp", n.large_payloads_) ||
      !GetTallies(d, "os", n.os_labels_) || !GetTallies(d, "ttl", n.ttls_) ||
      !GetTallies(d, "hop", n.hops_) || !GetU(d, "rt", n.retransmits_)) {
    return bad("bad fields");
  }
  auto cit = d.FindMember("cmd");
  if (cit == d.MemberEnd() || !cit->value.IsArray()) return bad("bad commands");
  for (const V& c : cit->value.GetArray()) {
    if (!c.IsArray() || c.Size() != 4 || !c[3].IsNumber()) return bad("bad command");
    Command cmd;
    if (!GetStr(c[0], cmd.service) || !GetStr(c[1], cmd.decky) || !GetStr(c[2], cmd.command)) {
      return bad("bad command");
    }
    cmd.ts = c[3].GetDouble();
    n.commands_.push_back(std::move(cmd));
  }
  auto hit = d.FindMember("ht");
  if (hit == d.MemberEnd() || !hit->value.IsArray()) return bad("bad header tools");
  for (const V& h : hit->value.GetArray()) {
    if (!h.IsUint() || h.GetUint() >= kHeaderToolCount) return bad("bad header tool");
    n.header_tools_.push_back(static_cast<uint8_t>(h.GetUint()));
  }
  auto fit = d.FindMember("fp");
  if (fit == d.MemberEnd() || !fit->value.IsObject()) return bad("bad tcp fingerprint");
  const V& fp = fit->value;
  auto fb = [&](const char* k, bool& out) {
    auto it = fp.FindMember(k);
    if (it == fp.MemberEnd() || !it->value.IsBool()) return false;
    out = it->value.GetBool();
    return true;
  };
  auto os = fp.FindMember("options_sig");
  if (!fb("present", n.tcp_fp_.present) || !fb("sack", n.tcp_fp_.has_sack) ||
      !fb("ts", n.tcp_fp_.has_timestamps) || !GetOptI(fp, "window", n.tcp_fp_.window) ||
      !GetOptI(fp, "wscale", n.tcp_fp_.wscale) || !GetOptI(fp, "mss", n.tcp_fp_.mss) ||
      os == fp.MemberEnd() || !GetStr(os->value, n.tcp_fp_.options_sig)) {
    return bad("bad tcp fingerprint");
  }
  auto kit = d.FindMember("cut");
  if (kit == d.MemberEnd() || !kit->value.IsObject()) return bad("bad counters");
  const V& k = kit->value;
  if (!GetU(k, "services", n.cut_.services) || !GetU(k, "deckies", n.cut_.deckies) ||
      !GetU(k, "commands", n.cut_.commands) || !GetU(k, "command_bytes", n.cut_.command_bytes) ||
      !GetU(k, "labels", n.cut_.labels) || !GetU(k, "bad_headers", n.cut_.bad_headers)) {
    return bad("bad counters");
  }
  n.dirty = dirty;
  n.first_sighting = first_sighting;
  *this = std::move(n);
  return Ok();
}

std::string AttackerProfile::TimingStatsJson() const {
  json::JsonWriter w;
  w.Uint("event_count", timing_.event_count).Double("duration_s", RoundTo(timing_.duration(), 3));
  OptNum(w, "mean_iat_s", timing_.MeanRounded());
  OptNum(w, "median_iat_s", timing_.MedianRounded());
  OptNum(w, "stdev_iat_s", timing_.StdevRounded());
  OptNum(w, "min_iat_s", timing_.MinRounded());
  OptNum(w, "max_iat_s", timing_.MaxRounded());
  OptNum(w, "cv", timing_.CvRounded());
  w.Uint("out_of_order", timing_.out_of_order);
  return w.Finish();
}

std::string AttackerProfile::PhaseSequenceJson() const {
  json::JsonWriter w;
  if (recon_end_) {
    w.Str("recon_end_ts", IsoTime(*recon_end_));
  } else {
    w.Null("recon_end_ts");
  }
  if (exfil_start_) {
    w.Str("exfil_start_ts", IsoTime(*exfil_start_));
  } else {
    w.Null("exfil_start_ts");
  }
  if (recon_end_ && exfil_start_ && *exfil_start_ >= *recon_end_) {
    w.Double("exfil_latency_s", RoundTo(*exfil_start_ - *recon_end_, 3));
  } else {
    w.Null("exfil_latency_s");
  }
  w.Uint("large_payload_count", large_payloads_);
  return w.Finish();
}

std::string AttackerProfile::ServicesJson() const { return Strings(services_); }
std::string AttackerProfile::DeckiesJson() const { return Strings(deckies_); }
std::string AttackerProfile::TcpFingerprintJson() const { return TcpFpJson(tcp_fp_); }
std::string AttackerProfile::ToolGuessesJson() const {
  Arr tools;
  for (std::string_view t : ToolGuesses()) tools.Str(t);
  return tools.Finish();
}
std::string AttackerProfile::CommandsJson() const {
  Arr cmds;
  for (const Command& c : commands_) {
    json::JsonWriter o;
    o.Str("service", c.service)
        .Str("decky", c.decky)
        .Str("command", c.command)
        .Str("timestamp", IsoTime(c.ts));
    cmds.Raw(o.Finish());
  }
  return cmds.Finish();
}

std::string AttackerProfile::AttackerRowJson(const DbCounts& db, double now) const {
  Arr fps;
  for (const std::string& f : db.fingerprints) fps.Raw(f);
  const ThreatScore score = ScoreProfile(*this, db);
  json::JsonWriter w;
  w.Str("ip", ip_)
      .Str("first_seen", IsoTime(first_seen()))
      .Str("last_seen", IsoTime(last_seen()))
      .Uint("event_count", event_count())
      .Raw("services", Strings(services_))
      .Uint("service_count", services_.size())
      .Raw("deckies", Strings(deckies_))
      .Uint("decky_count", deckies_.size());
  if (is_traversal()) {
    w.Str("traversal_path", TraversalPath());
  } else {
    w.Null("traversal_path");
  }
  w.Bool("is_traversal", is_traversal())
      .Uint("bounty_count", db.bounty_count)
      .Uint("credential_count", db.credential_count)
      .Raw("fingerprints", fps.Finish())
      .Raw("commands", CommandsJson())
      .Str("updated_at", IsoTime(now))
      .Int("threat_score", score.score)
      .Raw("threat_reasons", Strings(score.reasons));
  return w.Finish();
}

std::string AttackerProfile::BehaviorRowJson(double now) const {
  const Behavior b = behavior();
  json::JsonWriter w;
  const auto os = OsGuess();
  if (os) {
    w.Str("os_guess", *os);
  } else {
    w.Null("os_guess");
  }
  OptInt(w, "hop_distance", HopDistance());
  w.Raw("tcp_fingerprint", TcpFpJson(tcp_fp_))
      .Uint("retransmit_count", retransmits_)
      .Str("behavior_class", BehaviorName(b));
  const auto cv = timing_.CvRounded();
  if (b == Behavior::kBeaconing) {
    OptNum(w, "beacon_interval_s", timing_.MeanRounded());
    OptNum(w, "beacon_jitter_pct",
           cv ? std::optional<double>(RoundTo(*cv * 100, 2)) : std::nullopt);
  } else {
    w.Null("beacon_interval_s").Null("beacon_jitter_pct");
  }
  w.Raw("tool_guesses", ToolGuessesJson())
      .Raw("timing_stats", TimingStatsJson())
      .Raw("phase_sequence", PhaseSequenceJson())
      .Str("updated_at", IsoTime(now));
  return w.Finish();
}

bool ProfilesEqual(const AttackerProfile& a, const AttackerProfile& b, std::string* why) {
  // The state JSON carries every restorable field with round-trip doubles: compare it piecewise so
  // a failure names the field.
  rapidjson::Document da, db;
  const std::string sa = a.StateJson(), sb = b.StateJson();
  da.Parse<rapidjson::kParseFullPrecisionFlag>(sa.data(), sa.size());
  db.Parse<rapidjson::kParseFullPrecisionFlag>(sb.data(), sb.size());
  for (auto it = da.MemberBegin(); it != da.MemberEnd(); ++it) {
    auto jt = db.FindMember(it->name);
    if (jt == db.MemberEnd() || !(it->value == jt->value)) {
      if (why) {
        *why = std::string(it->name.GetString()) + ": " + json::Serialize(it->value) + " vs " +
               (jt == db.MemberEnd() ? std::string("absent") : json::Serialize(jt->value));
      }
      return false;
    }
  }
  return da.MemberCount() == db.MemberCount();
}

}  // namespace decnet::intel
