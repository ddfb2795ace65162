// The netns runtime: per decky a network namespace "decnet-<decky>", its links (macvlan/ipvlan-L2 on
// the parent interface for the flat fleet; a veth pair into a bridge per LAN for MazeNET and the
// local demo), addresses and routes, the OS profile's sysctls written inside the namespace, and one
// decnet-decky process started with --netns. iproute2 runs with an argv and batch files in the
// private directory (never a shell); sysctls are written by this process after setns.
//
// Who runs the decky process (the launcher): the template unit decnet-decky@<decky>.service when it
// is installed and systemd runs; else a running `decnet fleet up` (it reads the launch specs,
// supervises and restarts); else this command starts it detached ("self": no restarts).
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "decnet/core/json.h"
#include "decnet/core/paths.h"
#include "decnet/core/runtime.h"
#include "decnet/deploy/probe.h"
#include "decnet/topology/registry.h"
#include "runtimes.h"

extern char** environ;

namespace decnet::deploy {

namespace {

using topology::Decky;
using topology::FormatIpv4;
using topology::Lan;
using topology::Topology;

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}
bool HostLinkExists(const std::string& ifname) { return Exists("/sys/class/net/" + ifname); }

double Now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void SleepMs(int ms) {
  struct timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Host-side interface names, within IFNAMSIZ: a prefix and 8 hex digits of FNV-1a.
std::string HashedIfname(const char* prefix, const std::string& key) {
  uint32_t h = 2166136261u;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%08x", prefix, h);
  return buf;
}
std::string HostVeth(const TopologyRecord& rec, const std::string& decky, size_t i) {
  return HashedIfname("dv", rec.Scope() + "/" + decky + "/" + std::to_string(i));
}
std::string HostMacvlan(const TopologyRecord& rec, const std::string& decky, size_t i) {
  return HashedIfname("dm", rec.Scope() + "/" + decky + "/" + std::to_string(i));
}

std::string Cidr(uint32_t ip, int prefix) { return FormatIpv4(ip) + "/" + std::to_string(prefix); }

Status ReadableError(const std::string& what, int rc) {
  return MakeError(Errc::kIo, what + " failed (ip exit status " + std::to_string(rc) + ")");
}

class NetnsRuntime : public Runtime {
 public:
  NetnsRuntime(std::string state_dir, std::string private_dir)
      : state_dir_(AbsolutePath(state_dir)), private_dir_(std::move(private_dir)) {}
  const char* Name() const override { return "netns"; }

  Status Probe() override {
    if (::geteuid() != 0)
      return MakeError(Errc::kUnavailable,
                       "the netns runtime needs root (network namespaces and links); use "
                       "--runtime docker or run as root");
    ip_ = FindInPath("ip");
    if (ip_.empty()) return MakeError(Errc::kUnavailable, "iproute2 'ip' is not installed");
    return Ok();
  }

  Result<std::string> Prepare(const TopologyRecord&, const DeployOptions&) override {
    return private_dir_;
  }

  // There when its namespace exists and a process runs inside it (a decky whose process died with
  // no supervisor to restart it is recreated by the next deploy).
  bool Present(const TopologyRecord&, const std::string& decky) override {
    if (!Exists(NetnsPath(decky))) return false;
    if (!pid_index_) pid_index_ = NetnsPidIndex();  // one /proc scan per plan
    return !PidsInNetns(NetnsPath(decky), *pid_index_).empty();
  }

  Status Apply(const TopologyRecord& rec, const Plan& plan, const DeployOptions& opts) override {
    bridge_fleet_ = opts.bridge;
    if (auto d = PrivateDir(state_dir_); !d) return d.error();
    if (auto st = ResolveDecky(opts); !st) return st;
    launcher_ = ResolveLauncher(opts.launcher);
    std::vector<std::string> gone = plan.remove;
    gone.insert(gone.end(), plan.recreate.begin(), plan.recreate.end());
    if (auto st = StopDeckies(rec, gone); !st) return st;
    for (const std::string& d : plan.remove) RemoveSpec(d);
    if (auto st = EnsureLans(rec); !st) return st;
    std::vector<const Decky*> make;
    for (const std::string& n : plan.create) make.push_back(rec.topology.FindDecky(n));
    for (const std::string& n : plan.recreate) make.push_back(rec.topology.FindDecky(n));
    if (auto st = CreateNamespaces(rec, make); !st) return st;
    for (const Decky* d : make) {
      if (auto st = WriteSpec(rec, *d); !st) return st;
    }
    if (auto st = EnsureFleetSeed(); !st) return st;
    if (auto st = StartDeckies(make); !st) return st;
    if (opts.wait_s > 0 && !make.empty()) WaitRunning(make, opts.wait_s);
    return Ok();
  }

  Status Teardown(const TopologyRecord& rec) override {
    std::set<std::string> names;
    for (const Decky& d : rec.topology.deckies) names.insert(d.name);
    for (const auto& [n, h] : rec.deployed) names.insert(n);
    launcher_ = ResolveLauncher("auto");
    std::vector<std::string> list(names.begin(), names.end());
    if (auto st = StopDeckies(rec, list); !st) return st;
    for (const std::string& n : list) RemoveSpec(n);
    for (const Lan& l : rec.topology.lans) {
      const std::string br = topology::BridgeInterfaceName(rec.Scope(), l.name);
      if (HostLinkExists(br)) {
        if (int rc = Run({ip_, "link", "del", br}); rc != 0)
          return ReadableError("ip link del " + br, rc);
      }
    }
    return Ok();
  }

 private:
  // ---- LANs

  bool Bridged(const Topology& t, const Lan& l) const {
    return t.kind == topology::Kind::kMaze || !l.external || bridge_fleet_;
  }
  // The host holds the gateway address of the LANs it may reach: the DMZ and the flat fleet's
  // (bridged) LAN. Inner MazeNET LANs are reached only through the deckies that forward into them.
  bool HostAddressed(const Topology& t, const Lan& l) const {
    return t.kind == topology::Kind::kFleet || l.is_dmz;
  }

  Status EnsureLans(const TopologyRecord& rec) {
    std::string batch;
    for (const Lan& l : rec.topology.lans) {
      if (!Bridged(rec.topology, l)) continue;
      const std::string br = topology::BridgeInterfaceName(rec.Scope(), l.name);
      if (!HostLinkExists(br)) batch += "link add " + br + " type bridge\n";
      if (HostAddressed(rec.topology, l))
        batch += "addr replace " + Cidr(l.gateway, l.subnet.prefix) + " dev " + br + "\n";
      batch += "link set " + br + " up\n";
    }
    if (!rec.topology.interface.empty() && !bridge_fleet_ &&
        rec.topology.kind == topology::Kind::kFleet && !HostLinkExists(rec.topology.interface)) {
      return MakeError(Errc::kInvalidArgument,
                       "parent interface '" + rec.topology.interface + "' does not exist (use "
                       "--bridge for an internal bridge)");
    }
    return RunBatch({}, "lans", batch);
  }

  // ---- namespaces and links

  // Where a decky on LAN `l` sends what is not on-link.
  uint32_t RouteVia(const Topology& t, const Lan& l, const Decky& self) const {
    if (HostAddressed(t, l) || (t.kind == topology::Kind::kFleet)) return l.gateway;
    for (const Decky& f : t.deckies) {
      if (!f.forwards || f.name == self.name) continue;
      bool on_l = false, on_parent = false;
      uint32_t ip = 0;
      for (const auto& a : f.attachments) {
        if (a.lan == l.name) on_l = true, ip = a.ip;
        if (a.lan == l.parent) on_parent = true;
      }
      if (on_l && on_parent) return ip;
    }
    return 0;
  }

  Status CreateNamespaces(const TopologyRecord& rec, const std::vector<const Decky*>& make) {
    const Topology& t = rec.topology;
    std::string host;
    for (const Decky* d : make) {
      const std::string ns = NetnsName(d->name);
      if (!Exists(NetnsPath(d->name))) host += "netns add " + ns + "\n";
      for (size_t i = 0; i < d->attachments.size(); ++i) {
        const Lan* l = t.FindLan(d->attachments[i].lan);
        const std::string inner = "eth" + std::to_string(i);
        if (Bridged(t, *l)) {
          const std::string hv = HostVeth(rec, d->name, i);
          host += "link add " + hv + " type veth peer name " + inner + " netns " + ns + "\n";
          host += "link set " + hv + " master " + topology::BridgeInterfaceName(rec.Scope(), l->name) +
                  " up\n";
        } else {
          const std::string hm = HostMacvlan(rec, d->name, i);
          host += "link add " + hm + " link " + t.interface + " type " +
                  (t.ipvlan ? "ipvlan mode l2" : "macvlan mode bridge") + "\n";
          host += "link set " + hm + " netns " + ns + "\n";
        }
      }
    }
    if (auto st = RunBatch({}, "host", host); !st) return st;
    for (const Decky* d : make) {
      std::string in = "link set lo up\n";
      uint32_t via = 0;
      for (size_t i = 0; i < d->attachments.size(); ++i) {
        const Lan* l = t.FindLan(d->attachments[i].lan);
        const std::string inner = "eth" + std::to_string(i);
        if (!Bridged(t, *l)) in += "link set " + HostMacvlan(rec, d->name, i) + " name " + inner + "\n";
        in += "addr add " + Cidr(d->attachments[i].ip, l->subnet.prefix) + " dev " + inner + "\n";
        in += "link set " + inner + " up\n";
        if (via == 0) {
          const uint32_t r = RouteVia(t, *l, *d);
          if (r != 0 && r != d->attachments[i].ip) via = r;
        }
      }
      if (via != 0) in += "route add default via " + FormatIpv4(via) + "\n";
      if (auto st = RunBatch(NetnsName(d->name), "decky-" + d->name, in); !st) return st;
      if (auto st = WriteSysctls(*d); !st) return st;
    }
    return Ok();
  }

  // The OS profile's sysctls, written inside the namespace (they are per network namespace), plus
  // forwarding for a decky that routes between its LANs.
  Status WriteSysctls(const Decky& d) {
    std::vector<std::pair<std::string, std::string>> kv;
    if (const topology::OsProfile* p = topology::FindOsProfile(d.os_profile)) {
      for (const auto& [k, v] : p->sysctls) kv.emplace_back(std::string(k), std::string(v));
    }
    kv.emplace_back("net.ipv4.ip_forward", d.forwards ? "1" : "0");
    return InNetns(NetnsPath(d.name), [&]() -> Status {
      for (const auto& [k, v] : kv) {
        if (k.rfind("net.", 0) != 0 || k.find("..") != std::string::npos) continue;
        std::string path = "/proc/sys/" + k;
        for (size_t i = 10; i < path.size(); ++i)
          if (path[i] == '.') path[i] = '/';
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
          ++sysctl_skipped_;  // not namespaced on this kernel, or absent
          continue;
        }
        const std::string val = v + "\n";
        const bool ok = ::write(fd, val.data(), val.size()) == static_cast<ssize_t>(val.size());
        ::close(fd);
        if (!ok)
          return MakeError(Errc::kIo, "decky '" + d.name + "': sysctl " + k + "=" + v + ": " +
                                          std::strerror(errno));
      }
      return Ok();
    });
  }

  // `ip [-n ns] -batch FILE`: one process for many commands. The file is in the private directory.
  Status RunBatch(const std::string& ns, const std::string& tag, const std::string& batch) {
    if (batch.empty()) return Ok();
    const std::string path = private_dir_ + "/ip-" + tag + ".batch";
    if (auto st = WriteFileAtomic(path, batch, 0600); !st) return st;
    std::vector<std::string> argv = {ip_};
    if (!ns.empty()) argv.insert(argv.end(), {"-n", ns});
    argv.insert(argv.end(), {"-batch", path});
    const int rc = Run(argv);
    ::unlink(path.c_str());
    if (rc != 0) return ReadableError("ip -batch (" + tag + ")", rc);
    return Ok();
  }

  // ---- the decky process

  Status ResolveDecky(const DeployOptions& opts) {
    std::string bin = opts.decky_bin;
    if (bin.empty()) {
      const char* env = std::getenv("DECNET_DECKY_BIN");
      if (env != nullptr && *env) bin = env;
    }
    if (bin.empty()) {
      const std::string beside = SelfExeDir() + "/decnet-decky";
      bin = ::access(beside.c_str(), X_OK) == 0 ? beside : FindInPath("decnet-decky");
    }
    if (bin.empty() || ::access(bin.c_str(), X_OK) != 0)
      return MakeError(Errc::kUnavailable,
                       "decnet-decky not found (build it, or set DECNET_DECKY_BIN / --decky-bin)");
    decky_bin_ = AbsolutePath(bin);
    return Ok();
  }

  std::string Launcher() const { return launcher_; }

  std::string ResolveLauncher(const std::string& want) const {
    if (!want.empty() && want != "auto") return want;
    if (Exists("/run/systemd/system")) {
      for (const char* d : {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"})
        if (Exists(std::string(d) + "/decnet-decky@.service")) return "systemd";
    }
    if (SupervisorPid() > 0) return "fleet";
    return "self";
  }

  pid_t SupervisorPid() const {
    FILE* f = std::fopen(SupervisorPidPath(private_dir_).c_str(), "re");
    if (f == nullptr) return 0;
    int pid = 0;
    const bool ok = std::fscanf(f, "%d", &pid) == 1;
    std::fclose(f);
    return ok && pid > 0 && ::kill(pid, 0) == 0 ? pid : 0;
  }

  std::string SpecDir(const std::string& decky) const { return private_dir_ + "/deckies/" + decky; }

  Status WriteSpec(const TopologyRecord& rec, const Decky& d) {
    std::string services;
    for (const std::string& s : d.services) services += (services.empty() ? "" : ",") + s;
    json::JsonWriter settings;
    for (const auto& [svc, list] : d.settings) {
      json::JsonWriter one;
      for (const topology::Setting& s : list) one.Raw(s.key, s.json);
      settings.Raw(svc, one.Finish());
    }
    const std::string dir = SpecDir(d.name);
    const std::string settings_path = dir + "/settings.json";
    std::vector<std::pair<std::string, std::string>> keys = {
        {"decky", d.name},
        {"netns", NetnsPath(d.name)},
        {"services", services},
        {"settings", settings_path},
        {"hostname", d.hostname},
        {"distro", d.distro},
        {"os_profile", d.os_profile},
        {"log_target", "unix:" + state_dir_ + "/syslog.sock"},
        {"state_dir", state_dir_},
    };
    std::string argv = decky_bin_ + "\n", env;
    for (const auto& [k, v] : keys) {
      if (v.empty()) continue;
      std::string flag = "--" + k;
      std::string var = "DECNET_" + k;
      for (char& c : flag)
        if (c == '_') c = '-';
      for (char& c : var) c = static_cast<char>(c == '-' ? '_' : std::toupper(c));
      argv += flag + "\n" + v + "\n";
      env += var + "=" + v + "\n";
    }
    (void)rec;
    if (launcher_ == "systemd") {
      // The template unit's contract (packaging/systemd/README.md): /etc/decnet/deckies/<decky>.env
      // root 0600 without DECKY/NETNS/STATE_DIR (the unit sets those), settings root:decnet-decky 0640.
      const std::string udir = UnitDir();
      std::string uenv = "DECNET_SERVICES=" + services + "\n";
      if (!d.hostname.empty()) uenv += "DECNET_HOSTNAME=" + d.hostname + "\n";
      if (!d.distro.empty()) uenv += "DECNET_DISTRO=" + d.distro + "\n";
      if (!d.os_profile.empty()) uenv += "DECNET_OS_PROFILE=" + d.os_profile + "\n";
      if (!d.settings.empty()) {
        const std::string sp = udir + "/" + d.name + ".json";
        uenv += "DECNET_SETTINGS=" + sp + "\n";
        if (auto st = WriteFileAtomic(sp, settings.Finish() + "\n", 0640); !st) return st;
        if (struct group* g = ::getgrnam("decnet-decky")) (void)::chown(sp.c_str(), 0, g->gr_gid);
      }
      if (auto st = WriteFileAtomic(udir + "/" + d.name + ".env", uenv, 0600); !st) return st;
    }
    if (auto st = WriteFileAtomic(settings_path, settings.Finish() + "\n", 0600); !st) return st;
    if (auto st = WriteFileAtomic(dir + "/decky.env", env, 0600); !st) return st;
    return WriteFileAtomic(dir + "/argv", argv, 0600);
  }

  static std::string UnitDir() {
    const char* env = std::getenv("DECNET_DECKY_UNIT_DIR");
    return env != nullptr && *env ? env : "/etc/decnet/deckies";
  }

  // The persona seed every decky of the host reads (<state_dir>/fleet-seed), made here once and
  // atomically before the deckies start: deckies that start together and race to create it could
  // read the winner's file before it is written.
  Status EnsureFleetSeed() {
    const std::string path = state_dir_ + "/fleet-seed";
    if (Exists(path)) return Ok();
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != sizeof raw) return MakeError(Errc::kIo, "getrandom failed");
    std::string seed;
    for (unsigned char b : raw) {
      seed.push_back("0123456789abcdef"[b >> 4]);
      seed.push_back("0123456789abcdef"[b & 15]);
    }
    return WriteFileAtomic(path, seed + "\n", 0640, StateDirOwner(state_dir_));
  }

  void RemoveSpec(const std::string& decky) {
    if (launcher_ == "systemd") {
      ::unlink((UnitDir() + "/" + decky + ".env").c_str());
      ::unlink((UnitDir() + "/" + decky + ".json").c_str());
    }
    const std::string dir = SpecDir(decky);
    for (const char* f : {"/argv", "/decky.env", "/settings.json"}) ::unlink((dir + f).c_str());
    ::rmdir(dir.c_str());
  }

  Status StartDeckies(const std::vector<const Decky*>& make) {
    if (make.empty() || launcher_ == "none") return Ok();
    if (launcher_ == "fleet") {
      if (pid_t p = SupervisorPid(); p > 0) ::kill(p, SIGHUP);
      return Ok();
    }
    if (launcher_ == "systemd") {
      std::vector<std::string> argv = {"systemctl", "enable", "--now", "--no-block"};
      for (const Decky* d : make) argv.push_back("decnet-decky@" + d->name + ".service");
      if (int rc = Run(argv); rc != 0)
        return MakeError(Errc::kIo, "systemctl start failed with status " + std::to_string(rc));
      return Ok();
    }
    // self: detached (own session), stdout+stderr to <state_dir>/logs/decky-<name>.log.
    const std::string logs = state_dir_ + "/logs";
    if (auto st = MakeDirs(logs, StateDirOwner(state_dir_)); !st) return st;
    for (const Decky* d : make) {
      auto specs = ReadLaunchSpecs(private_dir_);
      auto it = specs.find(d->name);
      if (it == specs.end()) return MakeError(Errc::kIo, "no launch spec for " + d->name);
      std::vector<char*> args;
      for (const std::string& a : it->second) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      const std::string log = logs + "/decky-" + d->name + ".log";
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
      posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0640);
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
      posix_spawnattr_t at;
      posix_spawnattr_init(&at);
      posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
      std::vector<std::string> env_s;
      std::vector<char*> envp;
      for (char** e = environ; *e; ++e) {
        // Not ours to pass on: a decky started here has no supervisor to follow.
        if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) == 0 ||
            std::strncmp(*e, "DECNET_SUPERVISOR_PID=", 22) == 0)
          continue;
        envp.push_back(*e);
      }
      envp.push_back(nullptr);
      pid_t pid;
      const int rc = posix_spawn(&pid, args[0], &fa, &at, args.data(), envp.data());
      posix_spawn_file_actions_destroy(&fa);
      posix_spawnattr_destroy(&at);
      if (rc != 0)
        return MakeError(Errc::kIo, "cannot start " + it->second[0] + ": " + std::strerror(rc));
    }
    return Ok();
  }

  // Stops the decky processes (through their launcher first), then every process still inside each
  // namespace, then removes the namespaces and their host-side links.
  Status StopDeckies(const TopologyRecord& rec, const std::vector<std::string>& names) {
    if (names.empty()) return Ok();
    if (launcher_ == "systemd") {
      std::vector<std::string> argv = {"systemctl", "disable", "--now"};
      for (const std::string& n : names) argv.push_back("decnet-decky@" + n + ".service");
      (void)Run(argv, true);
    }
    // Without a launch spec the fleet supervisor stops the child and does not restart it.
    for (const std::string& n : names) ::unlink((SpecDir(n) + "/argv").c_str());
    if (pid_t p = SupervisorPid(); p > 0) ::kill(p, SIGHUP);
    auto remaining = [&] {
      const auto index = NetnsPidIndex();
      std::vector<pid_t> pids;
      for (const std::string& n : names) {
        auto v = PidsInNetns(NetnsPath(n), index);
        pids.insert(pids.end(), v.begin(), v.end());
      }
      return pids;
    };
    // Under the fleet supervisor its children get a moment to stop through it (no restart).
    const double t0 = Now(), grace = launcher_ == "fleet" ? 3 : 0;
    for (;;) {
      auto pids = remaining();
      if (pids.empty()) break;
      const double waited = Now() - t0;
      if (waited >= grace)
        for (pid_t p : pids) ::kill(p, waited > grace + 5 ? SIGKILL : SIGTERM);
      if (waited > grace + 10)
        return MakeError(Errc::kIo, std::to_string(pids.size()) + " process(es) would not stop");
      SleepMs(100);
    }
    std::string host;
    for (const std::string& n : names) {
      // Delete the host side of each veth now: namespace cleanup is asynchronous in the kernel, and
      // a recreate would otherwise find the old name still taken.
      for (size_t i = 0; i < 8; ++i) {
        const std::string hv = HostVeth(rec, n, i);
        if (HostLinkExists(hv)) host += "link del " + hv + "\n";
      }
      if (Exists(NetnsPath(n))) host += "netns del " + NetnsName(n) + "\n";
    }
    return RunBatch({}, "stop", host);
  }

  void WaitRunning(const std::vector<const Decky*>& make, double wait_s) {
    const double t0 = Now();
    size_t up = 0;
    for (;;) {
      const auto index = NetnsPidIndex();
      up = 0;
      for (const Decky* d : make) {
        std::vector<ServiceCheck> checks;
        for (const std::string& s : d->services) {
          ServiceCheck sc;
          sc.name = s;
          if (const topology::ServiceDef* def = topology::FindService(s))
            for (const auto& p : def->ports)
              sc.ports.push_back({p.port, p.proto == topology::Proto::kUdp});
          checks.push_back(std::move(sc));
        }
        up += ProbeDecky(NetnsPath(d->name), checks, index).state == DeckyState::kRunning;
      }
      if (up == make.size() || Now() - t0 > wait_s) break;
      SleepMs(up * 2 >= make.size() ? 100 : 250);
    }
    std::fprintf(stderr, "decnet deploy: %zu of %zu deckies running after %.1f s (launcher %s)\n", up,
                 make.size(), Now() - t0, launcher_.c_str());
  }

  std::string state_dir_, private_dir_, ip_ = "ip", decky_bin_, launcher_ = "self";
  bool bridge_fleet_ = false;
  uint64_t sysctl_skipped_ = 0;
  std::optional<std::multimap<ino_t, pid_t>> pid_index_;
};

}  // namespace

std::map<std::string, std::vector<std::string>> ReadLaunchSpecs(const std::string& private_dir) {
  std::map<std::string, std::vector<std::string>> out;
  const std::string base = private_dir + "/deckies";
  DIR* d = ::opendir(base.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = base + "/" + e->d_name + "/argv";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    struct stat st;
    // Root executes this: only a file root owns and nobody else can write.
    if (::fstat(fd, &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0 ||
        st.st_size > 65536) {
      ::close(fd);
      continue;
    }
    std::string text(static_cast<size_t>(st.st_size), '\0');
    const ssize_t n = ::read(fd, text.data(), text.size());
    ::close(fd);
    if (n != st.st_size) continue;
    std::vector<std::string> argv;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      argv.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    if (!argv.empty()) out[e->d_name] = std::move(argv);
  }
  ::closedir(d);
  return out;
}

std::string SupervisorPidPath(const std::string& private_dir) {
  return private_dir + "/supervisor.pid";
}

std::unique_ptr<Runtime> MakeNetnsRuntime(const std::string& state_dir,
                                          const std::string& private_dir) {
  return std::make_unique<NetnsRuntime>(state_dir, private_dir);
}

}  // namespace decnet::deploy
