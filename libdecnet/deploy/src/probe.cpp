#include "decnet/deploy/probe.h"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>

#include "decnet/core/json.h"

namespace decnet::deploy {

std::string NetnsName(const std::string& decky) { return "decnet-" + decky; }
std::string NetnsDir() {
  const char* env = std::getenv("DECNET_NETNS_DIR");
  return env != nullptr && *env ? env : "/run/netns";
}
std::string NetnsPath(const std::string& decky) { return NetnsDir() + "/" + NetnsName(decky); }

const char* DeckyStateName(DeckyState s) {
  switch (s) {
    case DeckyState::kRunning: return "running";
    case DeckyState::kDegraded: return "degraded";
    case DeckyState::kAbsent: return "absent";
    case DeckyState::kUnknown: return "unknown";
  }
  return "unknown";
}

Status InNetns(const std::string& path, const std::function<Status()>& fn) {
  const int self = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) return MakeError(Errc::kIo, std::string("open own netns: ") + std::strerror(errno));
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    const int e = errno;
    ::close(self);
    return MakeError(e == ENOENT ? Errc::kNotFound : Errc::kIo,
                     "open " + path + ": " + std::strerror(e));
  }
  if (::setns(target, CLONE_NEWNET) != 0) {
    const int e = errno;
    ::close(target);
    ::close(self);
    return MakeError(e == EPERM ? Errc::kUnavailable : Errc::kIo,
                     "setns " + path + ": " + std::strerror(e));
  }
  ::close(target);
  Status st = fn();
  if (::setns(self, CLONE_NEWNET) != 0) {
    // Staying in the decky's namespace would point every later socket of this process at it.
    std::fprintf(stderr, "decnet: cannot return from %s: %s\n", path.c_str(), std::strerror(errno));
    std::abort();
  }
  ::close(self);
  return st;
}

std::multimap<ino_t, pid_t> NetnsPidIndex() {
  std::multimap<ino_t, pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    char p[64];
    std::snprintf(p, sizeof p, "/proc/%ld/ns/net", pid);
    struct stat st;
    if (::stat(p, &st) == 0) out.emplace(st.st_ino, static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

std::vector<pid_t> PidsInNetns(const std::string& netns_path,
                               const std::multimap<ino_t, pid_t>& index) {
  std::vector<pid_t> out;
  struct stat st;
  if (::stat(netns_path.c_str(), &st) != 0) return out;
  auto [a, b] = index.equal_range(st.st_ino);
  for (auto it = a; it != b; ++it) out.push_back(it->second);
  return out;
}

namespace {

// Local ports in LISTEN (TCP, state 0A) or bound (UDP, state 07) from one /proc/self/net table.
void ReadListening(const char* file, bool udp, std::set<uint16_t>& out) {
  FILE* f = std::fopen(file, "re");
  if (f == nullptr) return;
  char line[512];
  if (std::fgets(line, sizeof line, f) == nullptr) {  // header
    std::fclose(f);
    return;
  }
  while (std::fgets(line, sizeof line, f) != nullptr) {
    // "  sl  local_address rem_address   st ..."; local is HEXADDR:HEXPORT.
    char local[128], remote[128];
    unsigned st = 0;
    if (std::sscanf(line, "%*d: %127s %127s %x", local, remote, &st) != 3) continue;
    if (st != (udp ? 0x07u : 0x0Au)) continue;
    const char* colon = std::strrchr(local, ':');
    if (colon == nullptr) continue;
    out.insert(static_cast<uint16_t>(std::strtoul(colon + 1, nullptr, 16)));
  }
  std::fclose(f);
}

bool LinksUp() {
  struct if_nameindex* ifs = ::if_nameindex();
  if (ifs == nullptr) return false;
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool ok = s >= 0;
  int seen = 0;
  for (struct if_nameindex* i = ifs; ok && i->if_index != 0; ++i) {
    if (std::strcmp(i->if_name, "lo") == 0) continue;
    struct ifreq r;
    std::memset(&r, 0, sizeof r);
    std::snprintf(r.ifr_name, sizeof r.ifr_name, "%s", i->if_name);
    if (::ioctl(s, SIOCGIFFLAGS, &r) != 0) ok = false;
    else if ((r.ifr_flags & IFF_UP) == 0 || (r.ifr_flags & IFF_RUNNING) == 0) ok = false;
    ++seen;
  }
  if (s >= 0) ::close(s);
  ::if_freenameindex(ifs);
  return ok && seen > 0;
}

}  // namespace

DeckyProbe ProbeDecky(const std::string& netns_path, const std::vector<ServiceCheck>& services,
                      const std::multimap<ino_t, pid_t>& index) {
  DeckyProbe p;
  for (const ServiceCheck& s : services) p.services[s.name] = false;
  struct stat st;
  if (::stat(netns_path.c_str(), &st) != 0) {
    p.detail = "no network namespace";
    return p;
  }
  p.netns = true;
  p.processes = static_cast<int>(PidsInNetns(netns_path, index).size());
  std::set<uint16_t> tcp, udp;
  Status in = InNetns(netns_path, [&]() -> Status {
    p.links_up = LinksUp();
    ReadListening("/proc/self/net/tcp", false, tcp);
    ReadListening("/proc/self/net/tcp6", false, tcp);
    ReadListening("/proc/self/net/udp", true, udp);
    ReadListening("/proc/self/net/udp6", true, udp);
    return Ok();
  });
  if (!in) {
    p.state = DeckyState::kUnknown;
    p.detail = in.error().message;
    return p;
  }
  bool all = true;
  for (const ServiceCheck& s : services) {
    // Up when its first (primary) port listens: a registry entry may list a companion port the
    // implementation does not serve yet (http lists 443; the decky's http is plaintext on 80 only).
    const bool up = !s.ports.empty() && (s.ports[0].udp ? udp : tcp).count(s.ports[0].port) > 0;
    p.services[s.name] = up;
    all = all && up;
  }
  if (p.processes == 0) p.detail = "no process in the namespace";
  else if (!p.links_up) p.detail = "a link is down";
  else if (!all) p.detail = "a service is not listening";
  p.state = p.processes > 0 && p.links_up && all ? DeckyState::kRunning : DeckyState::kDegraded;
  return p;
}

Result<std::vector<FleetDecky>> ReadFleetJson(const std::string& path) {
  std::vector<FleetDecky> out;
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) {
    if (errno == ENOENT) return out;
    return MakeError(Errc::kIo, path + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  rapidjson::Document doc;
  if (auto st = json::ParseObject(text, doc, json::ParseLimits{64u << 20, 8}); !st)
    return MakeError(Errc::kCorrupt, path + ": " + st.error().message);
  auto dk = doc.FindMember("deckies");
  if (dk == doc.MemberEnd() || !dk->value.IsObject()) return out;
  for (const auto& m : dk->value.GetObject()) {
    if (!m.value.IsObject()) continue;
    FleetDecky d;
    d.name = m.name.GetString();
    d.topology = std::string(json::GetString(m.value, "topology"));
    d.runtime = std::string(json::GetString(m.value, "runtime", "docker"));
    d.netns = std::string(json::GetString(m.value, "netns"));
    if (auto ips = m.value.FindMember("ips"); ips != m.value.MemberEnd() && ips->value.IsArray())
      for (const auto& v : ips->value.GetArray())
        if (v.IsString()) d.ips.push_back(v.GetString());
    auto ports = m.value.FindMember("ports");
    if (auto sv = m.value.FindMember("services");
        sv != m.value.MemberEnd() && sv->value.IsArray()) {
      for (const auto& v : sv->value.GetArray()) {
        if (!v.IsString()) continue;
        ServiceCheck sc;
        sc.name = v.GetString();
        if (ports != m.value.MemberEnd() && ports->value.IsObject()) {
          auto pl = ports->value.FindMember(sc.name.c_str());
          if (pl != ports->value.MemberEnd() && pl->value.IsArray()) {
            for (const auto& pv : pl->value.GetArray()) {
              if (!pv.IsString()) continue;
              const std::string spec = pv.GetString();  // "80/tcp"
              PortCheck pc;
              pc.port = static_cast<uint16_t>(std::strtoul(spec.c_str(), nullptr, 10));
              pc.udp = spec.find("/udp") != std::string::npos;
              if (pc.port != 0) sc.ports.push_back(pc);
            }
          }
        }
        d.services.push_back(std::move(sc));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string DeckyStateJson(const std::string& name, const DeckyProbe& p) {
  json::JsonWriter svcs;
  for (const auto& [s, up] : p.services) svcs.Str(s, up ? "up" : "down");
  json::JsonWriter w;
  w.Str("decky", name).Str("state", DeckyStateName(p.state)).Raw("services", svcs.Finish());
  w.Bool("netns", p.netns).Bool("links_up", p.links_up).Int("processes", p.processes);
  if (!p.detail.empty()) w.Str("detail", p.detail);
  return w.Finish();
}

Reconciler::Reconciler(std::string fleet_file, std::string state_file, Publish publish)
    : fleet_file_(std::move(fleet_file)),
      state_file_(std::move(state_file)),
      publish_(std::move(publish)) {}

Result<size_t> Reconciler::Tick() {
  ++stats_.passes;
  auto fleet = ReadFleetJson(fleet_file_);
  if (!fleet) {
    ++stats_.fleet_errors;
    return fleet.error();
  }
  const auto index = NetnsPidIndex();
  size_t transitions = 0;
  std::map<std::string, std::string> now;
  stats_.deckies = stats_.running = stats_.degraded = stats_.absent = 0;
  for (const FleetDecky& d : *fleet) {
    if (d.runtime != "netns" || d.netns.empty()) continue;  // docker deckies: the collector's part
    ++stats_.deckies;
    DeckyProbe p = ProbeDecky(d.netns, d.services, index);
    if (p.state == DeckyState::kUnknown) ++stats_.probe_denied;
    if (p.state == DeckyState::kRunning) ++stats_.running;
    if (p.state == DeckyState::kDegraded) ++stats_.degraded;
    if (p.state == DeckyState::kAbsent) ++stats_.absent;
    // The transition key: state and per-service up/down, not the process count.
    std::string key = DeckyStateName(p.state);
    for (const auto& [s, up] : p.services) key += "," + s + (up ? "+" : "-");
    now[d.name] = DeckyStateJson(d.name, p);
    auto it = last_.find(d.name);
    if (it == last_.end() || it->second != key) {
      last_[d.name] = key;
      publish_("decky." + d.name + ".state", now[d.name]);
      ++transitions;
    }
  }
  // A decky that left the fleet file is absent from now on; say so once and forget it.
  for (auto it = last_.begin(); it != last_.end();) {
    if (now.count(it->first) == 0) {
      DeckyProbe gone;
      publish_("decky." + it->first + ".state", DeckyStateJson(it->first, gone));
      ++transitions;
      it = last_.erase(it);
    } else {
      ++it;
    }
  }
  stats_.transitions += transitions;
  if (!state_file_.empty()) {
    std::string deckies = "{";
    bool first = true;
    for (const auto& [n, j] : now) {
      deckies += first ? "" : ",";
      first = false;
      json::AppendQuoted(deckies, n);
      deckies += ":" + j;
    }
    json::JsonWriter top;
    top.Int("updated_at", static_cast<int64_t>(std::time(nullptr))).Raw("deckies", deckies + "}");
    const std::string tmp = state_file_ + ".tmp";
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) {
      const std::string text = top.Finish() + "\n";
      const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
      ::close(fd);
      if (!ok || ::rename(tmp.c_str(), state_file_.c_str()) != 0) ::unlink(tmp.c_str());
    }
  }
  return transitions;
}

}  // namespace decnet::deploy
