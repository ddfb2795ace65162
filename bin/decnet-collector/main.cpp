// decnet-collector: syslog from the deckies into the ingest files and the bus (DESIGN.md §1, §5).
//
// Inputs: UDP, TCP (RFC 6587) and a UNIX datagram socket (--listen), and Docker container logs
// through the Engine API (--docker, decnet/docker/log_follower.h). Every line goes raw to
// <ingest_log>; lines that parse as the DECNET dialect (libdecnet/syslog/decnet.h) and pass the
// ingest filter go as JSON records to <ingest_json> and as system.log events to the bus, and feed
// the session aggregator (attacker.session.ended). Appends are batched: flushed flush_ms after the
// first buffered byte, when flush_bytes are buffered, and at stop. SIGHUP, or a rename/delete of a
// file, reopens it.
#include <signal.h>
#include <sys/stat.h>
#include <uv.h>

#include <chrono>
#include <memory>
#include <string>

#include "attribution.h"
#include "decnet/bus/worker.h"
#include "decnet/core/config.h"
#include "decnet/core/json.h"
#include "decnet/core/log.h"
#include "decnet/docker/log_follower.h"
#include "decnet/syslog/collector.h"
#include "decnet/syslog/decnet.h"
#include "inputs.h"
#include "outputs.h"

namespace {

using namespace decnet;

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr std::string_view kTruncatedMarker = " [decnet:truncated]";

struct Counters {
  uint64_t lines = 0, parsed = 0, unparsed = 0, truncated = 0, json_records = 0, bus_skipped = 0;
  uint64_t claimed_mismatch = 0;  // attested decky != the HOSTNAME the line claimed
};

// The path from raw line to the outputs.
class Pipeline {
 public:
  Pipeline(bus::Worker& w, collector::AppendFile& log, collector::AppendFile& json,
           syslog::IngestFilter& filter, syslog::SessionAggregator& sessions, bool publish_log)
      : w_(w),
        log_(log),
        json_(json),
        filter_(filter),
        sessions_(sessions),
        publish_(publish_log) {}

  void OnLine(std::string_view line, bool truncated, const collector::Origin& origin) {
    line = syslog::TrimLine(line);
    if (line.empty()) return;
    ++c_.lines;
    if (truncated || line.find_first_of("\r\n") != std::string_view::npos) {
      // One record per line in both files: a CR/LF inside a message (octet-counted frames may carry
      // them) is escaped the way rsyslog does it (#015/#012).
      scratch_.clear();
      for (char ch : line) {
        if (ch == '\n') {
          scratch_.append("#012");
        } else if (ch == '\r') {
          scratch_.append("#015");
        } else {
          scratch_.push_back(ch);
        }
      }
      if (truncated) {
        ++c_.truncated;
        scratch_.append(kTruncatedMarker);
      }
      line = scratch_;
    }
    std::string& lb = log_.buffer();
    lb.append(line);
    lb.push_back('\n');
    if (!parser_.Parse(line, &rec_)) {
      ++c_.unparsed;
    } else {
      ++c_.parsed;
      Attribute(origin);
      if (filter_.Admit(rec_, WallSeconds())) Emit();
    }
    if (log_.should_flush() || json_.should_flush())
      FlushNow();
    else
      ArmFlush();
  }

  // Who sent it, and which decky that makes it (issue 14, finding 10): the kernel's word (the
  // UNIX sender's network namespace) beats the HOSTNAME the line claims.
  void Attribute(const collector::Origin& origin) {
    sender_ = collector::FormatOrigin(origin);
    rec_.sender = sender_;
    std::string_view attested;
    if (origin.kind == collector::Origin::kUnix && attributor_) {
      attested = attributor_->DeckyOf(origin.pid, MonotonicSeconds());
    }
    if (attested.empty()) {
      rec_.attribution = "claimed";
      return;
    }
    rec_.attribution = "attested";
    if (rec_.decky != attested) {
      ++c_.claimed_mismatch;
      rec_.claimed_decky = rec_.decky;
      attested_ = attested;
      rec_.decky = attested_;
    }
  }
  void SetAttributor(collector::NetnsAttributor* a) { attributor_ = a; }

  void Emit() {
    ++c_.json_records;
    std::string& jb = json_.buffer();
    syslog::AppendJsonRecord(&jb, rec_);
    jb.push_back('\n');
    // system.log is at-most-once: while the broker is away, building events only for the client's
    // drop-oldest queue to discard them costs more than the rest of the pipeline (measured), so
    // they are counted and skipped. attacker.session.ended (rare) is always handed to the client.
    if (publish_ && !w_.bus().connected()) {
      ++c_.bus_skipped;
    } else if (publish_) {
      json::JsonWriter p;
      p.Str("decky", rec_.decky)
          .Str("service", rec_.service)
          .Str("event_type", rec_.event_type)
          .Str("attacker_ip", rec_.attacker_ip)
          .Str("timestamp", rec_.timestamp);
      w_.bus().Publish("system.log", rec_.event_type, p.Finish());
    }
    sessions_.Add(rec_);
  }

  void SetFlushTimer(Timer* t, uint64_t ms) {
    timer_ = t;
    flush_ms_ = ms;
  }
  void ArmFlush() {
    if (armed_ || !timer_) return;
    armed_ = true;
    timer_->Start(flush_ms_, 0, [this] { FlushNow(); });
  }
  void FlushNow() {
    armed_ = false;
    if (timer_) timer_->Stop();
    log_.Flush();
    json_.Flush();
  }
  const Counters& counters() const { return c_; }

 private:
  bus::Worker& w_;
  collector::AppendFile& log_;
  collector::AppendFile& json_;
  syslog::IngestFilter& filter_;
  syslog::SessionAggregator& sessions_;
  bool publish_;
  syslog::DecnetParser parser_;
  syslog::DecnetRecord rec_;
  std::string scratch_;
  std::string sender_, attested_;
  collector::NetnsAttributor* attributor_ = nullptr;
  Timer* timer_ = nullptr;
  uint64_t flush_ms_ = 200;
  bool armed_ = false;
  Counters c_;
};

void DeclareConfig(Config& c) {
  c.AddString("listen", "",
              "comma list of udp://HOST:PORT, tcp://HOST:PORT, unix:///PATH (default: "
              "unix://<state_dir>/syslog.sock,udp://127.0.0.1:5514)");
  c.AddString("ingest_log", "", "raw line file (default <state_dir>/decnet.log)");
  c.AddString("ingest_json", "", "JSON record file (default <state_dir>/decnet.json)");
  c.AddInt("max_line", 16384, 64, 16 << 20, "bytes; longer messages are truncated with a marker");
  c.AddInt("flush_ms", 200, 1, 60000, "flush buffered appends this long after the first one");
  c.AddInt("flush_bytes", 256 * 1024, 4096, 64 << 20, "flush at once when this much is buffered");
  c.AddInt("max_tcp_connections", 256, 1, 65536, "TCP syslog connections served at once");
  c.AddInt("max_tcp_per_source", 16, 1, 65536, "TCP syslog connections from one address at once");
  c.AddDouble("tcp_idle_timeout", 60, 0, 86400,
              "seconds a TCP syslog connection may stay silent before it is closed (0: never)");
  c.AddString("fleet_file", "",
              "fleet state naming each native decky's network namespace, to attribute UNIX "
              "senders (default <state_dir>/fleet.json)");
  c.AddInt("session_max_bytes", 4 << 20, 4096, 1 << 30,
           "byte budget of the session aggregator's command index (all IPs together)");
  c.AddInt("rcvbuf", 4 << 20, 0, 1 << 30, "SO_RCVBUF of datagram sockets (bytes, 0 = system)");
  c.AddString("drop_apps", "sshd,pam_unix,sudo,su,CRON,cron,systemd,kernel,rsyslogd,dbus-daemon",
              "APP-NAMEs kept out of the .json and the bus (comma list)");
  c.AddString("rl_event_types", "connect,disconnect,connection,accept,close",
              "event types rate-limited per (ip, decky, service, event type)");
  c.AddDouble("rl_window", 1.0, 0, 3600, "rate-limit window in seconds (0: off)");
  c.AddInt("rl_max_entries", 10000, 1, 10000000,
           "bound of the rate-limit map (evictions are counted)");
  c.AddDouble("session_ttl", 3600, 1, 7 * 86400,
              "seconds a shell command stays indexed per attacker");
  c.AddInt("session_max_ips", 4096, 1, 1000000, "attacker IPs indexed by the session aggregator");
  c.AddInt("session_max_commands", 256, 1, 100000, "commands kept per attacker IP");
  c.AddBool("publish_log", true, "publish every admitted record on system.log");
  c.AddString("docker", "auto",
              "Docker Engine API socket to follow container logs from: a path, 'off', or 'auto' "
              "(/var/run/docker.sock when it exists at start)");
  c.AddString("docker_labels", "decnet.fleet.service=true,decnet.topology.service=true",
              "containers whose labels include one of these key=value pairs are followed");
  c.AddInt("docker_max_containers", 512, 1, 100000, "container log streams followed at once");
}

std::string OrDefault(const Config& c, const char* key, const std::string& def) {
  return c.String(key).empty() ? def : c.String(key);
}

}  // namespace

int main(int argc, char** argv) {
  bus::Worker w("collector",
                "syslog (UDP/TCP/UNIX) from the deckies into the ingest files and the bus");
  DeclareConfig(w.config());
  if (auto code = w.Init(argc, argv)) return *code;
  const Config& cfg = w.config();
  const std::string& state = cfg.String("state_dir");

  collector::AppendFile log_file(OrDefault(cfg, "ingest_log", state + "/decnet.log"),
                                 static_cast<size_t>(cfg.Int("flush_bytes")));
  collector::AppendFile json_file(OrDefault(cfg, "ingest_json", state + "/decnet.json"),
                                  static_cast<size_t>(cfg.Int("flush_bytes")));
  for (collector::AppendFile* f : {&log_file, &json_file}) {
    std::string err;
    if (!f->Open(&err)) {
      DLOG_ERROR("cannot open %s", err.c_str());
      return kExitFailure;
    }
  }

  syslog::IngestFilterOptions fo;
  fo.drop_apps = SplitCommaList(cfg.String("drop_apps"));
  fo.rate_limited_events = SplitCommaList(cfg.String("rl_event_types"));
  fo.window_s = cfg.Double("rl_window");
  fo.max_keys = static_cast<size_t>(cfg.Int("rl_max_entries"));
  syslog::IngestFilter filter(fo);
  syslog::SessionAggregatorOptions so;
  so.ttl_s = cfg.Double("session_ttl");
  so.max_ips = static_cast<size_t>(cfg.Int("session_max_ips"));
  so.max_commands_per_ip = static_cast<size_t>(cfg.Int("session_max_commands"));
  so.max_bytes = static_cast<size_t>(cfg.Int("session_max_bytes"));
  syslog::SessionAggregator sessions(
      so, [&](std::string_view topic, std::string_view type, const std::string& payload) {
        w.bus().Publish(topic, type, payload);
      });

  Pipeline pipe(w, log_file, json_file, filter, sessions, cfg.Bool("publish_log"));
  collector::NetnsAttributor attributor(OrDefault(cfg, "fleet_file", state + "/fleet.json"));
  pipe.SetAttributor(&attributor);
  Timer flush_timer(w.loop());
  pipe.SetFlushTimer(&flush_timer, static_cast<uint64_t>(cfg.Int("flush_ms")));

  collector::InputOptions io;
  io.max_line = static_cast<size_t>(cfg.Int("max_line"));
  io.max_tcp_connections = static_cast<size_t>(cfg.Int("max_tcp_connections"));
  io.rcvbuf_bytes = static_cast<int>(cfg.Int("rcvbuf"));
  io.max_tcp_per_source = static_cast<size_t>(cfg.Int("max_tcp_per_source"));
  io.tcp_idle_ms = static_cast<uint64_t>(cfg.Double("tcp_idle_timeout") * 1000);
  collector::Inputs inputs(
      w.loop(), io, [&](std::string_view line, bool truncated, const collector::Origin& origin) {
        pipe.OnLine(line, truncated, origin);
      });
  const bool listen_configured = !cfg.String("listen").empty();
  const std::string listen =
      OrDefault(cfg, "listen", "unix://" + state + "/syslog.sock,udp://127.0.0.1:5514");
  for (const std::string& spec : SplitCommaList(listen)) {
    if (spec.rfind("unix://", 0) == 0) {
      if (Status st = MakeParentDirs(spec.substr(7)); !st) {
        DLOG_ERROR("%s", st.error().message.c_str());
        return kExitFailure;
      }
    }
    if (Status st = inputs.Listen(spec); !st) {
      if (!listen_configured && spec.rfind("udp://", 0) == 0) {
        // Several local fleets side by side share 127.0.0.1:5514: the default UDP port is
        // best-effort, the fleet's own UNIX socket is not.
        DLOG_WARN("default %s unavailable (%s); continuing without it", spec.c_str(),
                  st.error().message.c_str());
        continue;
      }
      DLOG_ERROR("--listen (%s): %s", cfg.Source("listen").c_str(), st.error().message.c_str());
      return st.error().code == Errc::kInvalidArgument ? kExitUsage : kExitFailure;
    }
  }

  std::unique_ptr<docker::LogFollower> docker;
  std::string docker_socket = cfg.String("docker");
  if (docker_socket == "auto") {
    struct stat st;
    docker_socket = stat("/var/run/docker.sock", &st) == 0 ? "/var/run/docker.sock" : "off";
  }
  if (docker_socket != "off" && !docker_socket.empty()) {
    docker::FollowOptions dopts;
    dopts.socket_path = docker_socket;
    dopts.labels = SplitCommaList(cfg.String("docker_labels"));
    dopts.max_containers = static_cast<size_t>(cfg.Int("docker_max_containers"));
    dopts.max_line = io.max_line;
    docker = std::make_unique<docker::LogFollower>(w.loop(), dopts,
                                                   [&](std::string_view line, bool truncated) {
                                                     collector::Origin origin;
                                                     origin.kind = collector::Origin::kDocker;
                                                     pipe.OnLine(line, truncated, origin);
                                                   });
    docker->Start();
  }

  // SIGHUP: logrotate's "reopen your files".
  auto* hup = new uv_signal_t;
  uv_signal_init(w.loop(), hup);
  hup->data = &pipe;
  static collector::AppendFile* files[2] = {&log_file, &json_file};
  uv_signal_start(
      hup,
      [](uv_signal_t* h, int) {
        static_cast<Pipeline*>(h->data)->FlushNow();
        for (auto* f : files) f->Reopen();
        DLOG_NOTICE("SIGHUP: ingest files reopened");
      },
      SIGHUP);
  uv_unref(reinterpret_cast<uv_handle_t*>(hup));

  w.AddHealth([&](json::JsonWriter& j) {
    const Counters& c = pipe.counters();
    const collector::InputStats& in = inputs.stats();
    j.Uint("lines", c.lines)
        .Uint("parsed", c.parsed)
        .Uint("unparsed", c.unparsed)
        .Uint("truncated", c.truncated)
        .Uint("json_records", c.json_records)
        .Uint("bus_skipped", c.bus_skipped)
        .Uint("datagrams", in.datagrams)
        .Uint("tcp_frames", in.tcp_frames)
        .Uint("tcp_connections", inputs.connections())
        .Uint("tcp_rejected", in.tcp_rejected)
        .Uint("tcp_rejected_source", in.tcp_rejected_source)
        .Uint("tcp_idle_closed", in.tcp_idle_closed)
        .Uint("unix_no_creds", in.unix_no_creds)
        .Uint("attested", attributor.stats().attested)
        .Uint("unattributed", attributor.stats().unattributed)
        .Uint("claimed_mismatch", c.claimed_mismatch)
        .Uint("fleet_reloads", attributor.stats().reloads)
        .Uint("framing_errors", in.framing_errors)
        .Uint("dropped_apps", filter.stats().dropped_apps)
        .Uint("rate_limited", filter.stats().rate_limited)
        .Uint("rate_limited_event_time", filter.stats().rate_limited_event_time)
        .Uint("rate_limited_arrival_time", filter.stats().rate_limited_arrival_time)
        .Uint("rate_limit_arrival_clock", filter.stats().arrival_clock)
        .Uint("rate_limit_keys", filter.keys())
        .Uint("rate_limit_evicted", filter.stats().evicted_keys)
        .Uint("sessions_published", sessions.stats().sessions_published)
        .Uint("session_ips", sessions.ips())
        .Uint("session_ips_evicted", sessions.stats().evicted_ips)
        .Uint("session_commands_dropped", sessions.stats().dropped_commands)
        .Uint("session_bytes", sessions.bytes())
        .Uint("session_commands_truncated", sessions.stats().truncated_commands)
        .Uint("session_evicted_for_bytes", sessions.stats().evicted_for_bytes)
        .Uint("log_bytes", log_file.bytes_written())
        .Uint("json_bytes", json_file.bytes_written())
        .Uint("bytes_lost", log_file.bytes_lost() + json_file.bytes_lost())
        .Uint("reopens", log_file.reopens() + json_file.reopens());
    if (docker) {
      const docker::FollowStats& d = docker->stats();
      j.Bool("docker_events", docker->events_connected())
          .Uint("docker_streams", docker->streams())
          .Uint("docker_lines", d.lines)
          .Uint("docker_refused", d.streams_refused)
          .Uint("docker_reconnects", d.reconnects)
          .Uint("docker_errors", d.errors);
    }
  });
  w.OnStop([&] {
    inputs.Close();
    if (docker) docker->Close();
    pipe.FlushNow();
    flush_timer.Stop();
    uv_close(reinterpret_cast<uv_handle_t*>(hup),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
    DLOG_INFO("stopped: %llu lines, %llu records",
              static_cast<unsigned long long>(pipe.counters().lines),
              static_cast<unsigned long long>(pipe.counters().json_records));
  });
  w.NotifyReady("listening on " + listen);
  DLOG_INFO("listening on %s; writing %s and %s", listen.c_str(), log_file.path().c_str(),
            json_file.path().c_str());
  int rc = w.Run();
  pipe.FlushNow();
  return rc;
}
