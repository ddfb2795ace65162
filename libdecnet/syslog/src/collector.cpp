#include "decnet/syslog/collector.h"

#include <cstdlib>

#include "decnet/core/json.h"
#include "decnet/syslog/format.h"

namespace decnet::syslog {

IngestFilter::IngestFilter(IngestFilterOptions opts) : opts_(std::move(opts)) {
  drop_.insert(opts_.drop_apps.begin(), opts_.drop_apps.end());
  limited_.insert(opts_.rate_limited_events.begin(), opts_.rate_limited_events.end());
  if (opts_.max_keys == 0) opts_.max_keys = 1;
}

bool IngestFilter::Admit(const DecnetRecord& r, double now_s) {
  if (!drop_.empty() && drop_.count(std::string(r.service))) {
    ++stats_.dropped_apps;
    return false;
  }
  if (opts_.window_s <= 0 || !limited_.count(std::string(r.event_type))) return true;
  // The event's own clock when it is sane, the arrival clock otherwise. An attacker who writes the
  // decky's log lines can choose timestamps and so pass this limiter; that is no new power (the
  // same writer can use an event type that is never limited), and the map stays bounded either way.
  const double event_s = static_cast<double>(r.time_us) / 1e6;
  const bool own_clock = r.has_time && event_s >= now_s - opts_.event_max_age_s &&
                         event_s <= now_s + opts_.event_max_skew_s;
  if (!own_clock) ++stats_.arrival_clock;
  const double t = own_clock ? event_s : now_s;
  key_.assign(r.attacker_ip);
  key_.push_back('\x1f');
  key_.append(r.decky);
  key_.push_back('\x1f');
  key_.append(r.service);
  key_.push_back('\x1f');
  key_.append(r.event_type);
  auto it = last_.find(key_);
  if (it != last_.end()) {
    // Distance, not difference: a replayed backlog may arrive out of order.
    const double d = t - it->second;
    if ((d < 0 ? -d : d) < opts_.window_s) {
      ++stats_.rate_limited;
      ++(own_clock ? stats_.rate_limited_event_time : stats_.rate_limited_arrival_time);
      return false;
    }
    it->second = t;
    return true;
  }
  if (last_.size() >= opts_.max_keys) {
    // Full: first forget entries whose window is over (they would admit anyway), then, if none was,
    // an arbitrary one. Either way what is removed is counted.
    // The sweep is O(map) so it runs at most twice per window: under a flood of distinct keys the
    // map stays full and each new key then costs one arbitrary eviction, not a scan.
    if (now_s >= next_sweep_s_) {
      next_sweep_s_ = now_s + opts_.window_s / 2;
      for (auto j = last_.begin(); j != last_.end();) {
        if (now_s - j->second >= opts_.window_s) {
          j = last_.erase(j);
          ++stats_.evicted_keys;
        } else {
          ++j;
        }
      }
    }
    if (last_.size() >= opts_.max_keys) {
      last_.erase(last_.begin());
      ++stats_.evicted_keys;
    }
  }
  last_.emplace(key_, t);
  return true;
}

SessionAggregator::SessionAggregator(SessionAggregatorOptions opts, PublishFn publish)
    : opts_(opts), publish_(std::move(publish)) {
  if (opts_.max_ips == 0) opts_.max_ips = 1;
  if (opts_.max_commands_per_ip == 0) opts_.max_commands_per_ip = 1;
}

size_t SessionAggregator::commands(const std::string& ip) const {
  auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? 0 : it->second.cmds.size();
}

// What the budget charges: the heap the strings hold plus the node, not exact malloc usage but
// proportional to it, so the bound holds in PSS too.
size_t SessionAggregator::CommandBytes(const Command& c) {
  return sizeof(Command) + c.text.capacity() + c.decky.capacity() + c.service.capacity();
}
size_t SessionAggregator::EntryBytes(const std::string& ip) {
  // Map node, key, and the deque's first 512-byte chunk and its map.
  return 64 + sizeof(Entry) + ip.capacity() + 512 + 64;
}

void SessionAggregator::PopFront(Entry& e) {
  bytes_ -= CommandBytes(e.cmds.front());
  e.cmds.pop_front();
  ++stats_.dropped_commands;
}

void SessionAggregator::Expire(Entry& e, int64_t now_us) {
  const int64_t horizon = now_us - static_cast<int64_t>(opts_.ttl_s * 1e6);
  while (!e.cmds.empty() && e.cmds.front().time_us < horizon) PopFront(e);
}

void SessionAggregator::EvictOneIp(const Entry* keep) {
  auto victim = by_ip_.end();
  for (auto it = by_ip_.begin(); it != by_ip_.end(); ++it) {
    if (&it->second == keep) continue;
    if (victim == by_ip_.end() || it->second.last_touch < victim->second.last_touch) victim = it;
  }
  if (victim == by_ip_.end()) return;
  for (const Command& c : victim->second.cmds) bytes_ -= CommandBytes(c);
  stats_.dropped_commands += victim->second.cmds.size();
  bytes_ -= EntryBytes(victim->first);
  by_ip_.erase(victim);
  ++stats_.evicted_ips;
}

void SessionAggregator::Add(const DecnetRecord& r) {
  if (r.attacker_ip == "Unknown" || r.attacker_ip.empty() || !r.has_time) return;
  if (r.event_type == "command") {
    auto it = by_ip_.find(r.attacker_ip);
    if (it == by_ip_.end()) {
      if (by_ip_.size() >= opts_.max_ips) EvictOneIp();
      it = by_ip_.emplace(r.attacker_ip, Entry{}).first;
      bytes_ += EntryBytes(it->first);
    }
    Entry& e = it->second;
    e.last_touch = ++touch_;
    Expire(e, r.time_us);
    if (e.cmds.size() >= opts_.max_commands_per_ip) PopFront(e);
    std::string_view text = r.command.empty() ? r.msg : r.command;
    if (text.size() > opts_.max_command_bytes) {
      size_t cut = opts_.max_command_bytes;
      // Do not split a UTF-8 sequence: back off over continuation bytes.
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      text = text.substr(0, cut);
      ++stats_.truncated_commands;
    }
    e.cmds.push_back({r.time_us, std::string(text), std::string(r.decky), std::string(r.service)});
    bytes_ += CommandBytes(e.cmds.back());
    ++stats_.commands_indexed;
    while (bytes_ > opts_.max_bytes) {
      ++stats_.evicted_for_bytes;
      if (by_ip_.size() > 1) {
        EvictOneIp(&e);
      } else if (e.cmds.size() > 1) {
        PopFront(e);
      } else {
        break;  // one command of one IP: at most max_command_bytes + names, always kept
      }
    }
    return;
  }
  if (r.event_type == "session_recorded") Publish(r);
}

void SessionAggregator::Publish(const DecnetRecord& r) {
  std::string_view sid = r.Field("sid");
  std::string_view svc = r.Field("service");
  if (svc.empty()) svc = r.service;
  std::string dur_text(r.Field("duration_s"));
  double duration = dur_text.empty() ? 0 : std::strtod(dur_text.c_str(), nullptr);
  if (!(duration >= 0) || duration > 1e9) duration = 0;
  const int64_t ended = r.time_us;
  const int64_t started = duration > 0 ? ended - static_cast<int64_t>(duration * 1e6)
                                       : ended - static_cast<int64_t>(opts_.ttl_s * 1e6);

  std::string cmds = "[";
  auto it = by_ip_.find(r.attacker_ip);
  size_t n = 0;
  if (it != by_ip_.end()) {
    auto& dq = it->second.cmds;
    for (auto c = dq.begin(); c != dq.end();) {
      if (c->time_us < started || c->time_us > ended) {
        ++c;
        continue;
      }
      std::string id;
      if (!sid.empty()) {
        id.assign(sid);
      } else {
        id = r.attacker_ip + "-";
        std::string ts;
        AppendUtcSeconds(&ts, c->time_us);
        ts[10] = 'T';
        id += ts;
      }
      id += "#" + std::to_string(n);
      std::string ts;
      AppendRfc3339(&ts, c->time_us);
      json::JsonWriter cw;
      cw.Str("id", id)
          .Str("command_text", c->text)
          .Str("timestamp", ts)
          .Str("decky", c->decky)
          .Str("service", c->service);
      if (n++) cmds.push_back(',');
      cmds += cw.Finish();
      bytes_ -= CommandBytes(*c);
      c = dq.erase(c);  // a command belongs to one session
    }
  }
  cmds.push_back(']');
  std::string started_s, ended_s;
  AppendRfc3339(&started_s, started);
  AppendRfc3339(&ended_s, ended);
  json::JsonWriter w;
  if (sid.empty()) {
    w.Null("session_id");
  } else {
    w.Str("session_id", sid);
  }
  w.Str("attacker_ip", r.attacker_ip)
      .Str("decky_id", r.decky)
      .Str("service", svc)
      .Double("duration_s", duration)
      .Str("started_at", started_s)
      .Str("ended_at", ended_s)
      .Raw("commands", cmds);
  ++stats_.sessions_published;
  publish_("attacker.session.ended", "session.ended", w.Finish());
}

}  // namespace decnet::syslog
