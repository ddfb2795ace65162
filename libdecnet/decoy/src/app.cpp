#include "decnet/decoy/app.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "decnet/core/loop.h"
#include "decnet/core/notify.h"
#include "decnet/core/runtime.h"
#include "decnet/decoy/privileges.h"

namespace decnet::decoy {
namespace {

// The fleet seed: every decky of a host derives its persona from it. Created once, at random; a
// decky started at the same moment as another reads the winner's file.
Result<std::string> FleetSeed(const std::string& state_dir) {
  const std::string path = state_dir + "/fleet-seed";
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      char buf[128];
      ssize_t n = read(fd, buf, sizeof buf);
      close(fd);
      std::string seed(buf, n > 0 ? static_cast<size_t>(n) : 0);
      while (!seed.empty() && (seed.back() == '\n' || seed.back() == ' ')) seed.pop_back();
      if (!seed.empty()) return seed;
      return MakeError(Errc::kCorrupt, path + " is empty");
    }
    if (errno != ENOENT) return MakeError(Errc::kIo, "open " + path + ": " + std::strerror(errno));
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != sizeof raw) return MakeError(Errc::kIo, "getrandom failed");
    static const char kHex[] = "0123456789abcdef";
    std::string seed;
    for (unsigned char b : raw) {
      seed.push_back(kHex[b >> 4]);
      seed.push_back(kHex[b & 15]);
    }
    if (Status s = MakeDirs(state_dir); !s) return s.error();
    // Written whole under a temporary name, then linked into place: a decky starting at the same
    // moment sees either no file or the complete seed, never an empty one.
    const std::string tmp = path + ".tmp." + std::to_string(getpid());
    unlink(tmp.c_str());
    fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0) return MakeError(Errc::kIo, "create " + tmp + ": " + std::strerror(errno));
    const std::string line = seed + "\n";
    const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                    fsync(fd) == 0;
    close(fd);
    const int linked = ok ? link(tmp.c_str(), path.c_str()) : -1;
    const int err = errno;
    unlink(tmp.c_str());
    if (linked == 0) return seed;
    if (!ok) return MakeError(Errc::kIo, "write " + tmp);
    if (err != EEXIST) return MakeError(Errc::kIo, "create " + path + ": " + std::strerror(err));
    // Another decky won the race: read its seed on the next pass.
  }
  return MakeError(Errc::kIo, "cannot read " + path);
}

// Hands the decky's own directories to the user it will run as. Opened without following links;
// only directories this process just created or already trusted.
Status ChownTree(const std::string& dir, const UserIds& ids) {
  for (const std::string& d : {dir, dir + "/artifacts", dir + "/persona.json"}) {
    int fd = open(d.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    const bool ok = fchown(fd, ids.uid, ids.gid) == 0;
    const int err = errno;
    close(fd);
    if (!ok) return MakeError(Errc::kIo, "chown " + d + ": " + std::strerror(err));
  }
  return Ok();
}

// The group of a socket the decky must be able to reconnect to: the socket's own, else its
// directory's (the socket may not exist yet).
void AddSocketGroup(const std::string& path, std::vector<unsigned>* gids) {
  struct stat st;
  if (path.empty()) return;
  if (stat(path.c_str(), &st) != 0 && stat(path.substr(0, path.rfind('/')).c_str(), &st) != 0) return;
  if (st.st_gid != 0) gids->push_back(st.st_gid);
}

Limits LimitsFrom(const Config& c) {
  Limits l;
  l.max_connections = static_cast<size_t>(c.Int("max_connections"));
  l.max_connections_per_ip = static_cast<size_t>(c.Int("max_connections_per_ip"));
  l.max_output_bytes = static_cast<size_t>(c.Int("max_output_bytes"));
  l.max_line_bytes = static_cast<size_t>(c.Int("max_line_bytes"));
  l.max_field_bytes = static_cast<size_t>(c.Int("max_field_bytes"));
  l.idle_timeout_ms = static_cast<uint64_t>(c.Int("idle_timeout")) * 1000;
  l.max_session_ms = static_cast<uint64_t>(c.Int("max_session")) * 1000;
  l.max_artifact_bytes = static_cast<size_t>(c.Int("max_artifact_bytes"));
  l.max_artifacts_total = static_cast<size_t>(c.Int("max_artifacts_total"));
  l.max_udp_peers = static_cast<size_t>(c.Int("max_udp_peers"));
  return l;
}

}  // namespace

void DeclareDeckyConfig(Config& c) {
  const Limits d;
  c.AddString("decky", "", "the decky's name (required): events' HOSTNAME, state dir, lock");
  c.AddString("services", "", "comma list of services to serve (see `decnet services`)");
  c.AddString("hostname", "", "persona hostname (default: derived from fleet seed and name)");
  c.AddString("distro", "", "persona distro slug (default: derived)");
  c.AddString("os_profile", "", "OS fingerprint profile the namespace was set up with");
  c.AddString("fleet_seed", "", "persona seed shared by the fleet (default: <state_dir>/fleet-seed)");
  c.AddString("log_target", "",
              "unix:PATH | stdout | udp:HOST:PORT (default unix:<state_dir>/syslog.sock)");
  c.AddString("netns", "", "network namespace to enter before binding (/run/netns/NAME)");
  c.AddString("bind", "0.0.0.0", "address the service ports listen on");
  c.AddString("ports", "", "port overrides: svc=PORT (its first port) or svc:ORIG=PORT, comma list");
  c.AddString("settings", "", "JSON file of persona settings {service: {key: value}}");
  c.AddBool("foxio_licensed", false,
            "also compute JA4H of HTTP requests (FoxIO License 1.1, not BSD: enable only when your use "
            "is licensed); same as the setting http.foxio_licensed");
  c.AddString("run_as", "nobody", "user to become after binding when started as root");
  c.AddInt("max_connections", static_cast<int64_t>(d.max_connections), 1, 1 << 20,
           "open TCP connections");
  c.AddInt("max_connections_per_ip", static_cast<int64_t>(d.max_connections_per_ip), 1, 1 << 20,
           "open TCP connections per source address");
  c.AddInt("max_output_bytes", static_cast<int64_t>(d.max_output_bytes), 1024, 1 << 30,
           "bytes queued for one peer before its connection is closed");
  c.AddInt("max_line_bytes", static_cast<int64_t>(d.max_line_bytes), 64, 1 << 24,
           "longest protocol line");
  c.AddInt("max_field_bytes", static_cast<int64_t>(d.max_field_bytes), 64, 1 << 20,
           "longest logged field value (longer are cut and marked)");
  c.AddInt("idle_timeout", static_cast<int64_t>(d.idle_timeout_ms / 1000), 1, 86400,
           "seconds without input before a connection is closed");
  c.AddInt("max_session", static_cast<int64_t>(d.max_session_ms / 1000), 1, 7 * 86400,
           "seconds one connection may last");
  c.AddInt("max_artifact_bytes", static_cast<int64_t>(d.max_artifact_bytes), 0, 1LL << 34,
           "bytes kept of one upload");
  c.AddInt("max_artifacts_total", static_cast<int64_t>(d.max_artifacts_total), 0, 1LL << 40,
           "bytes kept of all uploads");
  c.AddInt("max_udp_peers", static_cast<int64_t>(d.max_udp_peers), 1, 1 << 20,
           "UDP conversations (e.g. TFTP transfers) at once");
  c.AddInt("max_queued_events", 4096, 16, 1 << 22,
           "event lines kept while the log target is away (more are dropped, counted)");
}

bool IsValidDeckyName(std::string_view n) {
  if (n.empty() || n.size() > 63) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

Result<std::vector<PortBinding>> PortsFor(std::string_view service,
                                          const std::vector<PortBinding>& defaults,
                                          std::string_view overrides) {
  std::vector<PortBinding> out = defaults;
  for (const std::string& item : SplitCommaList(overrides)) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      return MakeError(Errc::kInvalidArgument, "ports: '" + item + "' is not svc=PORT");
    std::string_view key(item.data(), eq);
    std::string_view orig;
    if (const size_t colon = key.find(':'); colon != std::string_view::npos) {
      orig = key.substr(colon + 1);
      key = key.substr(0, colon);
    }
    if (key != service) continue;
    auto num = [&](std::string_view s, unsigned* v) {
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
      return ec == std::errc() && p == s.data() + s.size() && *v <= 65535;
    };
    unsigned port = 0, from = 0;
    if (!num(std::string_view(item).substr(eq + 1), &port) || (!orig.empty() && !num(orig, &from)))
      return MakeError(Errc::kInvalidArgument, "ports: bad port in '" + item + "'");
    if (out.empty()) return MakeError(Errc::kInvalidArgument, "ports: " + std::string(service) + " has no port");
    size_t idx = 0;
    if (!orig.empty()) {
      idx = out.size();
      for (size_t i = 0; i < out.size(); ++i)
        if (out[i].port == from) idx = i;
      if (idx == out.size())
        return MakeError(Errc::kInvalidArgument,
                         "ports: " + std::string(service) + " has no port " + std::string(orig));
    }
    out[idx].port = static_cast<uint16_t>(port);
  }
  return out;
}

DeckyApp::~DeckyApp() = default;

Result<std::unique_ptr<DeckyApp>> DeckyApp::Start(uv_loop_t* loop, const Config& c,
                                                  const ServiceRegistry& registry,
                                                  const std::string& bus_socket) {
  auto bad = [](std::string m) { return MakeError(Errc::kInvalidArgument, std::move(m)); };
  const std::string& name = c.String("decky");
  if (!IsValidDeckyName(name))
    return bad("decky: '" + name + "' is not a valid decky name ([A-Za-z0-9][A-Za-z0-9._-]{0,62})");
  const std::vector<std::string> services = SplitCommaList(c.String("services"));
  if (services.empty()) return bad("services: no service given (e.g. --services http,ftp)");
  for (const std::string& s : services)
    if (!registry.Find(s))
      return bad("services: this decky cannot serve '" + s + "' (known: " + [&] {
        std::string all;
        for (const auto& n : registry.Names()) all += (all.empty() ? "" : ", ") + n;
        return all;
      }() + ")");

  const std::string& state = c.String("state_dir");
  PersonaInputs in;
  in.decky = name;
  in.hostname = c.String("hostname");
  in.distro = c.String("distro");
  in.os_profile = c.String("os_profile");
  if (Status s = LoadSettingsFile(c.String("settings"), &in); !s) return bad("settings: " + s.error().message);
  if (c.Bool("foxio_licensed")) in.settings["http"]["foxio_licensed"] = "true";
  if (!c.String("fleet_seed").empty()) {
    in.fleet_seed = c.String("fleet_seed");
  } else {
    auto seed = FleetSeed(state);
    if (!seed) return seed.error();
    in.fleet_seed = *seed;
  }

  std::unique_ptr<DeckyApp> app(new DeckyApp());
  app->limits_ = LimitsFrom(c);
  const std::string dir = state + "/deckies/" + name;
  // Started as root, the decky becomes run_as once its ports are bound; its own state dir belongs to
  // that user from the first start on.
  std::optional<UserIds> run_as;
  if (geteuid() == 0 && !c.String("run_as").empty()) {
    auto ids = LookupUser(c.String("run_as"));
    if (!ids) return bad("run_as: " + ids.error().message);
    run_as = *ids;
  }
  const uint32_t trusted = run_as ? run_as->uid : kNoTrustedUid;
  if (Status s = MakeDirs(dir, trusted); !s) return s.error();
  auto persona = Persona::LoadOrCreate(dir, in, static_cast<int64_t>(NowEpoch()));
  if (!persona) return persona.error();
  app->persona_ = std::move(*persona);

  const std::string target =
      c.String("log_target").empty() ? "unix:" + state + "/syslog.sock" : c.String("log_target");
  auto sink = OpenSink(loop, target, static_cast<size_t>(c.Int("max_queued_events")));
  if (!sink) return bad("log_target: " + sink.error().message);
  app->log_ = std::make_unique<EventLog>(name, std::move(*sink), app->limits_, app->counters_);
  app->artifacts_ = std::make_unique<ArtifactStore>(dir + "/artifacts", app->limits_, app->counters_);

  if (!c.String("netns").empty()) {
    if (Status s = EnterNetworkNamespace(c.String("netns")); !s) return s.error();
  }
  app->decky_ = std::make_unique<Decky>(loop, app->persona_, *app->log_, *app->artifacts_,
                                        app->limits_, app->counters_, c.String("bind"));
  for (const std::string& s : services) {
    const ServiceRegistry::Entry* e = registry.Find(s);
    auto ports = PortsFor(s, e->ports, c.String("ports"));
    if (!ports) return ports.error();
    if (Status st = app->decky_->AddService(e->maker(*app->decky_), *ports); !st) return st.error();
  }

  // Every port is bound: give up root and every capability before the first attacker byte. What the
  // decky writes later is opened now (the artifacts directory, the log socket), so it needs no access
  // to the state dir above its own.
  std::vector<unsigned> keep_gids;
  if (Status s = app->artifacts_->Open(trusted); !s) return s.error();
  if (run_as) {
    if (Status s = ChownTree(dir, *run_as); !s) return s.error();
    if (target.substr(0, 5) == "unix:") AddSocketGroup(target.substr(5), &keep_gids);
    AddSocketGroup(bus_socket, &keep_gids);
  }
  app->log_->sink().Prepare();
  (void)SdNotifyConnect();  // READY and the watchdog after the drop
  if (Status s = DropPrivileges(c.String("run_as"), keep_gids); !s) return s.error();
  return app;
}

std::string DeckyApp::Describe() const {
  std::string out;
  for (const auto& [svc, p] : decky_->bound()) {
    if (!out.empty()) out += ", ";
    out += svc + (p.transport == Transport::kTcp ? " tcp/" : " udp/") + std::to_string(p.port);
  }
  return out + " (" + persona_.hostname() + ", " + persona_.distro() + ")";
}

}  // namespace decnet::decoy
