// decnet fleet up | status: the local fleet. Every worker in the worker list runs as a child of this
// process with its config pointing into one state directory, READY received over a notify socket, restart
// with backoff, and a live memory table. It is what `systemctl start decnet.target` does on an installed
// host, without installing anything.
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli.h"
#include "decnet/core/config.h"
#include "decnet/core/loop.h"
#include "decnet/core/procmem.h"
#include "decnet/core/paths.h"
#include "decnet/core/runtime.h"
#include "decnet/fleet/supervisor.h"
#include "decnet/fleet/worker_list.h"
#if __has_include(<decnet/deploy/deploy.h>)
#define DECNET_FLEET_DECKIES 1
#include "decnet/deploy/deploy.h"
#include "decnet/deploy/store.h"
#endif

namespace {

using namespace decnet;

std::string SelfDir() {
  std::string dir = SelfExeDir();
  return dir.empty() ? "." : dir;
}

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// A secret file in the state dir, created once with 32 random bytes as hex (mode 0600).
std::string EnsureSecret(const std::string& path) {
  if (FILE* f = std::fopen(path.c_str(), "re")) {
    char buf[128] = {0};
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string s(buf, n);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    if (!s.empty()) return s;
  }
  unsigned char b[32];
  if (getrandom(b, sizeof b, 0) != sizeof b) return {};
  std::string hex;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : b) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string line = hex + "\n";
    ssize_t unused = ::write(fd, line.data(), line.size());
    (void)unused;
    ::close(fd);
  }
  return hex;
}

void PrintTable(const fleet::Supervisor& sup, FILE* out) {
  std::fprintf(out, "\n%-20s %8s %-9s %4s %9s %9s %9s\n", "worker", "pid", "state", "rst", "PSS KiB",
               "Anon KiB", "USS KiB");
  uint64_t total = 0, total_anon = 0;
  for (const auto& c : sup.Children()) {
    uint64_t pss = 0, anon = 0, uss = 0;
    if (c.pid > 0) {
      if (auto m = ReadProcMem(c.pid)) {
        pss = m->pss_kib;
        anon = m->pss_anon_kib;
        uss = m->uss_kib;
      }
    }
    total += pss;
    total_anon += anon;
    std::fprintf(out, "%-20s %8d %-9s %4d %9llu %9llu %9llu\n", c.name.c_str(), c.pid,
                 fleet::ChildStateName(c.state), c.restarts, static_cast<unsigned long long>(pss),
                 static_cast<unsigned long long>(anon), static_cast<unsigned long long>(uss));
  }
  std::fprintf(out, "%-20s %8s %-9s %4s %9llu %9llu\n", "TOTAL (ΣPSS)", "", "", "",
               static_cast<unsigned long long>(total), static_cast<unsigned long long>(total_anon));
  std::fflush(out);
}

// Writes <state>/fleet.pids (name pid state) so that `decnet fleet status` can find the children.
void WritePids(const fleet::Supervisor& sup, const std::string& path) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "we");
  if (!f) return;
  for (const auto& c : sup.Children()) {
    std::fprintf(f, "%s\t%d\t%s\t%d\n", c.name.c_str(), c.pid, fleet::ChildStateName(c.state), c.restarts);
  }
  std::fclose(f);
  std::rename(tmp.c_str(), path.c_str());
}

int Up(int argc, char** argv) {
  Config cfg("fleet", "decnet fleet up: run every worker of the worker list locally until Ctrl-C");
  cfg.AddString("state_dir", "state", "state directory (DB, ingest files, sockets, logs)");
  cfg.AddString("bin_dir", "", "where the decnet-* executables are (default: beside this program)");
  cfg.AddString("workers", "", "worker list (default: <bin_dir>/../workers.tsv, then "
                               "/usr/share/decnet/workers.tsv)");
  cfg.AddString("only", "", "comma-separated subset of workers to run (default: all)");
  cfg.AddInt("table_interval", 10, 0, 3600, "seconds between memory tables (0: only at READY)");
  cfg.AddDouble("duration", 0, 0, 86400 * 365, "stop by itself after this many seconds (0: run until "
                                               "Ctrl-C)");
  if (Status st = cfg.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet fleet up: %s\n", st.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) return std::fputs(cfg.Usage().c_str(), stdout), 0;

  const std::string state = AbsolutePath(cfg.String("state_dir"));
  const std::string bin_dir = cfg.String("bin_dir").empty() ? SelfDir() : cfg.String("bin_dir");
  std::string list_path = cfg.String("workers");
  if (list_path.empty()) {
    list_path = Exists(bin_dir + "/../workers.tsv") ? bin_dir + "/../workers.tsv"
                                                    : "/usr/share/decnet/workers.tsv";
  }
  auto workers = fleet::ReadWorkerList(list_path);
  if (!workers) {
    std::fprintf(stderr, "decnet fleet up: %s\n", workers.error().message.c_str());
    return 2;
  }
  // Templated workers (deckies) run per instance, started for the deployed deckies, not here.
  std::erase_if(*workers, [](const fleet::WorkerInfo& w) { return w.templated; });
  for (const std::string& d : {state, state + "/logs"}) {
    if (Status st = MakeDirs(d); !st) {
      std::fprintf(stderr, "decnet fleet up: %s\n", st.error().message.c_str());
      return 1;
    }
  }
  const std::string ini = state + "/decnet.ini";
  if (!Exists(ini)) {
    if (FILE* f = std::fopen(ini.c_str(), "we")) {
      std::fputs("# Local fleet configuration: [decnet] for every worker, [<worker>] for one.\n"
                 "[decnet]\n", f);
      std::fclose(f);
    }
  }
  std::map<std::string, std::string> env = {
      {"DECNET_STATE_DIR", state},
      {"DECNET_CONFIG", ini},
      {"DECNET_JWT_SECRET", EnsureSecret(state + "/jwt_secret")},
  };
  const std::string only = "," + cfg.String("only") + ",";

  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = 0;
  {
    fleet::Supervisor sup(&loop, state + "/notify.sock");
    if (Status st = sup.Start(); !st) {
      std::fprintf(stderr, "decnet fleet up: %s\n", st.error().message.c_str());
      return 1;
    }
    std::printf("DECNET local fleet\n  state dir:  %s\n  config:     %s\n  bus socket: %s/bus.sock\n"
                "  ingest:     %s/decnet.log, %s/decnet.json\n  DB:         %s/decnet.db\n"
                "  worker logs: %s/logs/<worker>.log\n  watch the bus: %s/decnet bus sub '>' "
                "--state-dir %s\n",
                state.c_str(), ini.c_str(), state.c_str(), state.c_str(), state.c_str(),
                state.c_str(), state.c_str(), bin_dir.c_str(), state.c_str());
    std::fflush(stdout);
    auto spawn = [&](const fleet::WorkerInfo& w) {
      fleet::ChildSpec spec;
      spec.name = w.name;
      spec.path = bin_dir + "/" + w.executable;
      spec.env = env;
      spec.log_path = state + "/logs/" + w.name + ".log";
      if (!Exists(spec.path)) {
        std::fprintf(stderr, "decnet fleet up: %s not built (%s); skipping\n", w.name.c_str(),
                     spec.path.c_str());
        return;
      }
      (void)sup.Spawn(std::move(spec));
    };
    bool others_started = false;
    size_t expected = 0;
    for (const auto& w : *workers) expected += only == ",," || only.find("," + w.name + ",") != std::string::npos;
    auto start_others = [&] {
      if (others_started) return;
      others_started = true;
      for (const auto& w : *workers) {
        if (w.name == "bus") continue;
        if (only != ",," && only.find("," + w.name + ",") == std::string::npos) continue;
        spawn(w);
      }
    };
    size_t ready_seen = 0;
    sup.OnChange([&](const fleet::ChildStatus& c) {
      WritePids(sup, state + "/fleet.pids");
      if (c.state == fleet::ChildState::kReady) {
        std::printf("  %-18s READY (pid %d)\n", c.name.c_str(), c.pid);
        std::fflush(stdout);
        if (c.name == "bus") start_others();
        if (++ready_seen == expected) PrintTable(sup, stdout);
      } else if (c.state == fleet::ChildState::kFailed || c.state == fleet::ChildState::kBackoff) {
        std::printf("  %-18s %s (exit %d; log: %s/logs/%s.log)\n", c.name.c_str(),
                    fleet::ChildStateName(c.state), c.last_exit, state.c_str(), c.name.c_str());
        std::fflush(stdout);
      }
    });
    // The bus first: the others connect to it (they would retry anyway, but the log stays quiet).
    bool has_bus = false;
    for (const auto& w : *workers) {
      if (w.name == "bus" && (only == ",," || only.find(",bus,") != std::string::npos)) {
        spawn(w);
        has_bus = true;
      }
    }
    if (!has_bus) start_others();

#ifdef DECNET_FLEET_DECKIES
    // The deckies of the active netns topologies run here beside the workers: `decnet deploy`
    // writes a launch spec per decky into the private (root-only) directory and sends SIGHUP; we
    // start, restart (supervisor backoff) and stop them. Root only: a decky enters its namespace.
    std::string private_dir;
    std::map<std::string, std::vector<std::string>> decky_argv;  // decky -> argv it runs with
    if (::geteuid() == 0) {
      if (auto p = deploy::PrivateDir(state)) {
        private_dir = *p;
        (void)deploy::WriteFileAtomic(deploy::SupervisorPidPath(private_dir),
                                      std::to_string(::getpid()) + "\n", 0600);
      } else {
        std::fprintf(stderr, "decnet fleet up: no deckies: %s\n", p.error().message.c_str());
      }
    }
    auto sync_deckies = [&] {
      if (private_dir.empty()) return;
      auto specs = deploy::ReadLaunchSpecs(private_dir);
      for (auto it = decky_argv.begin(); it != decky_argv.end();) {
        auto want = specs.find(it->first);
        const std::string child = "decky-" + it->first;
        if (want == specs.end() || want->second != it->second) {
          sup.Stop(child);  // removed or changed: stop it; a changed one starts again below
          it = decky_argv.erase(it);
        } else {
          ++it;
        }
      }
      for (const auto& [name, argv] : specs) {
        if (decky_argv.count(name)) continue;
        const std::string child = "decky-" + name;
        if (const fleet::ChildStatus* c = sup.Find(child);
            c != nullptr && c->state != fleet::ChildState::kExited &&
            c->state != fleet::ChildState::kFailed) {
          continue;  // still stopping the previous one; start on the next pass
        }
        sup.Forget(child);
        fleet::ChildSpec spec;
        spec.name = child;
        spec.path = argv[0];
        spec.args.assign(argv.begin() + 1, argv.end());
        spec.env = env;
        spec.log_path = state + "/logs/" + child + ".log";
        decky_argv[name] = argv;
        (void)sup.Spawn(std::move(spec));
      }
      for (const auto& c : sup.Children()) {
        if (c.name.rfind("decky-", 0) == 0 && !decky_argv.count(c.name.substr(6)) &&
            (c.state == fleet::ChildState::kExited || c.state == fleet::ChildState::kFailed))
          sup.Forget(c.name);
      }
      WritePids(sup, state + "/fleet.pids");
    };
    Timer decky_timer(&loop);
    decky_timer.Start(0, 2000, sync_deckies);
    uv_signal_t sighup;
    uv_signal_init(&loop, &sighup);
    sighup.data = &sync_deckies;
    uv_signal_start(&sighup, [](uv_signal_t* s, int) {
      (*static_cast<decltype(sync_deckies)*>(s->data))();
    }, SIGHUP);
#endif
    Timer table(&loop);
    if (cfg.Int("table_interval") > 0) {
      const uint64_t every = static_cast<uint64_t>(cfg.Int("table_interval")) * 1000;
      table.Start(every, every, [&] { PrintTable(sup, stdout); });
    }
    bool stopping = false;
    auto stop = [&] {
      if (stopping) return;
      stopping = true;
      std::printf("\nstopping the fleet...\n");
      std::fflush(stdout);
      table.Stop();
#ifdef DECNET_FLEET_DECKIES
      decky_timer.Stop();
      uv_signal_stop(&sighup);
      if (!private_dir.empty()) ::unlink(deploy::SupervisorPidPath(private_dir).c_str());
#endif
      sup.StopAll(15000, [&] {
        PrintTable(sup, stdout);
        for (const auto& c : sup.Children()) {
          if (c.last_exit != 0 && c.last_exit != -1) {
            std::printf("  %-18s stopped with exit %d (log: %s/logs/%s.log)\n", c.name.c_str(),
                        c.last_exit, state.c_str(), c.name.c_str());
            rc = 1;
          }
        }
        uv_stop(&loop);
      });
    };
    Timer duration(&loop);
    if (cfg.Double("duration") > 0) {
      duration.Start(static_cast<uint64_t>(cfg.Double("duration") * 1000), 0, stop);
    }
    uv_signal_t sigint, sigterm;
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    sigint.data = sigterm.data = &stop;
    auto on_sig = [](uv_signal_t* s, int) { (*static_cast<decltype(stop)*>(s->data))(); };
    uv_signal_start(&sigint, on_sig, SIGINT);
    uv_signal_start(&sigterm, on_sig, SIGTERM);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
#ifdef DECNET_FLEET_DECKIES
    uv_close(reinterpret_cast<uv_handle_t*>(&sighup), nullptr);
#endif
  }
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  return rc;
}

int StatusCmd(int argc, char** argv) {
  Config cfg("fleet", "decnet fleet status: the local fleet's workers and their memory");
  cfg.AddString("state_dir", "state", "state directory of the fleet");
  if (Status st = cfg.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet fleet status: %s\n", st.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) return std::fputs(cfg.Usage().c_str(), stdout), 0;
  const std::string path = AbsolutePath(cfg.String("state_dir")) + "/fleet.pids";
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) {
    std::fprintf(stderr, "decnet fleet status: no fleet state at %s (is `decnet fleet up` running?)\n",
                 path.c_str());
    return 1;
  }
  std::printf("%-20s %8s %-9s %9s %9s %9s\n", "worker", "pid", "state", "PSS KiB", "Anon KiB", "USS KiB");
  char name[128], st[32];
  int pid, restarts;
  uint64_t total = 0;
  while (std::fscanf(f, "%127s %d %31s %d", name, &pid, st, &restarts) == 4) {
    ProcMem m;
    const bool alive = pid > 0 && ::kill(pid, 0) == 0;
    if (alive) {
      if (auto r = ReadProcMem(pid)) m = *r;
    }
    total += m.pss_kib;
    std::printf("%-20s %8d %-9s %9llu %9llu %9llu\n", name, pid, alive ? st : "down",
                static_cast<unsigned long long>(m.pss_kib), static_cast<unsigned long long>(m.pss_anon_kib),
                static_cast<unsigned long long>(m.uss_kib));
  }
  std::fclose(f);
  std::printf("%-20s %8s %-9s %9llu\n", "TOTAL (ΣPSS)", "", "", static_cast<unsigned long long>(total));
  return 0;
}

int FleetCommand(int argc, char** argv) {
  if (argc >= 2 && !std::strcmp(argv[1], "up")) return Up(argc - 1, argv + 1);
  if (argc >= 2 && !std::strcmp(argv[1], "status")) return StatusCmd(argc - 1, argv + 1);
  std::fprintf(stderr, "usage: decnet fleet up [--state-dir DIR] [--only a,b] [--duration S]\n"
                       "       decnet fleet status [--state-dir DIR]\n");
  return argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) ? 0 : 2;
}

}  // namespace

DECNET_COMMAND("fleet", "run the local fleet (up) or show it (status)", FleetCommand);
