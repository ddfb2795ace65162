// decnet-floor: the memory-floor harness (DESIGN.md §3).
//
// For each worker of the worker list: start it alone with an isolated state dir, wait for READY, idle, read
// /proc/PID/smaps_rollup and /proc/PID/status. Then start the whole fleet together and read each worker
// again. Reference rows: a C pause() program and a Python interpreter with asyncio/sqlite3/ssl/json.
// Prints a Markdown table, writes JSON, and with --gate exits 1 when a worker is over its budget:
//   Pss_Anon is gated on the solo run (private memory: what the worker itself costs, repeatable);
//   PSS is gated on the fleet run, where shared library pages are divided among the workers that map them,
//   as they are on a real host (a solo PSS charges one process for all of libstdc++).
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "decnet/core/config.h"
#include "decnet/core/json.h"
#include "decnet/core/loop.h"
#include "decnet/core/paths.h"
#include "decnet/core/procmem.h"
#include "decnet/core/runtime.h"
#include "decnet/fleet/supervisor.h"
#include "decnet/fleet/worker_list.h"

namespace {

using namespace decnet;

struct Row {
  std::string name;
  std::string kind;  // solo, fleet, reference
  bool ready = false;
  ProcMem mem;
  uint64_t file_bytes = 0;
  uint64_t text_bytes = 0;
};

// Size of the executable file and of its executable PT_LOAD segments (the text every instance maps).
void ExeSizes(const std::string& path, Row& row) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > static_cast<off_t>(sizeof(Elf64_Ehdr))) {
    row.file_bytes = static_cast<uint64_t>(st.st_size);
    void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      const auto* eh = static_cast<const Elf64_Ehdr*>(map);
      if (!std::memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
          eh->e_phoff + uint64_t{eh->e_phnum} * sizeof(Elf64_Phdr) <= static_cast<uint64_t>(st.st_size)) {
        const auto* ph = reinterpret_cast<const Elf64_Phdr*>(static_cast<const char*>(map) + eh->e_phoff);
        for (int i = 0; i < eh->e_phnum; ++i) {
          if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) row.text_bytes += ph[i].p_filesz;
        }
      }
      ::munmap(map, static_cast<size_t>(st.st_size));
    }
  }
  ::close(fd);
}

// Runs the loop until pred() or timeout_ms.
template <typename Pred>
bool RunUntil(uv_loop_t* loop, uint64_t timeout_ms, Pred pred) {
  bool timed_out = false;
  Timer t(loop);
  t.Start(timeout_ms, 0, [&] { timed_out = true; });
  while (!pred() && !timed_out) uv_run(loop, UV_RUN_ONCE);
  return pred();
}

void Idle(uv_loop_t* loop, uint64_t ms) {
  RunUntil(loop, ms, [] { return false; });
}

struct Env {
  std::string bin_dir, bench_dir;
  double idle_s = 2;
};

fleet::ChildSpec SpecFor(const std::string& name, const std::string& path, const std::string& state) {
  fleet::ChildSpec s;
  s.name = name;
  s.path = path;
  s.restart = false;
  s.env = {{"DECNET_STATE_DIR", state},
           {"DECNET_CONFIG", state + "/decnet.ini"},
           {"DECNET_JWT_SECRET", "floor-harness-secret-0123456789abcdef0123456789abcdef"}};
  s.log_path = state + "/" + name + ".log";
  return s;
}

// A worker of the list; a templated one (the decky) runs as its example instance.
fleet::ChildSpec SpecFor(const fleet::WorkerInfo& w, const std::string& bin_dir, const std::string& state) {
  fleet::ChildSpec s = SpecFor(w.name, bin_dir + "/" + w.executable, state);
  s.args = w.instance_args;
  return s;
}

std::string MakeState(const std::string& base, const std::string& name) {
  std::string dir = base + "/" + name;
  (void)MakeDirs(dir);
  if (FILE* f = std::fopen((dir + "/decnet.ini").c_str(), "we")) {
    std::fputs("[decnet]\n", f);
    std::fclose(f);
  }
  return dir;
}

// Starts `specs` together (the first one first, the rest after it is READY), measures each, stops all.
std::vector<Row> Measure(const std::vector<fleet::ChildSpec>& specs, const std::string& kind,
                         const std::string& notify, double idle_s) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<Row> rows;
  {
    fleet::Supervisor sup(&loop, notify);
    if (!sup.Start()) return rows;
    auto ready = [&](const std::string& n) {
      const fleet::ChildStatus* c = sup.Find(n);
      return c && c->state == fleet::ChildState::kReady;
    };
    auto gone = [&](const std::string& n) {
      const fleet::ChildStatus* c = sup.Find(n);
      return !c || c->state == fleet::ChildState::kFailed || c->state == fleet::ChildState::kExited;
    };
    for (size_t i = 0; i < specs.size(); ++i) {
      (void)sup.Spawn(specs[i]);
      if (i == 0 && specs.size() > 1) {
        RunUntil(&loop, 10000, [&] { return ready(specs[0].name) || gone(specs[0].name); });
      }
    }
    RunUntil(&loop, 15000, [&] {
      for (auto& s : specs) {
        if (!ready(s.name) && !gone(s.name)) return false;
      }
      return true;
    });
    Idle(&loop, static_cast<uint64_t>(idle_s * 1000));
    for (auto& s : specs) {
      Row r;
      r.name = s.name;
      r.kind = kind;
      const fleet::ChildStatus* c = sup.Find(s.name);
      r.ready = c && c->state == fleet::ChildState::kReady;
      if (c && c->pid > 0) {
        if (auto m = ReadProcMem(c->pid)) r.mem = *m;
      }
      ExeSizes(s.path, r);
      rows.push_back(r);
    }
    bool done = false;
    sup.StopAll(10000, [&] { done = true; });
    RunUntil(&loop, 12000, [&] { return done; });
  }
  CloseAllHandles(&loop);
  uv_loop_close(&loop);
  return rows;
}

std::string Kib(uint64_t v) { return std::to_string(v); }

}  // namespace

int main(int argc, char** argv) {
  Config cfg("floor", "decnet-floor: the idle memory of every worker, alone and as a fleet");
  cfg.AddString("workers", "", "worker list (default: <bin_dir>/../workers.tsv)");
  cfg.AddString("budgets", "", "budgets file (bench/floor_budgets.tsv)");
  cfg.AddString("bin_dir", "", "directory of the decnet-* executables (default: ../bin beside this)");
  cfg.AddString("out_md", "", "write the Markdown table here too");
  cfg.AddString("out_json", "", "write the JSON report here");
  cfg.AddDouble("idle", 2, 0, 600, "seconds each measurement idles after READY");
  cfg.AddBool("gate", false, "exit 1 when a worker is over its budget or not READY");
  cfg.AddBool("references", true, "also measure the C pause() and Python reference rows");
  if (Status st = cfg.Load(argc, argv); !st) {
    std::fprintf(stderr, "decnet-floor: %s\n", st.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) return std::fputs(cfg.Usage().c_str(), stdout), 0;
  std::string bench_dir = SelfExeDir();
  if (bench_dir.empty()) bench_dir = ".";
  const std::string bin_dir = cfg.String("bin_dir").empty() ? bench_dir + "/../bin" : cfg.String("bin_dir");
  const std::string list = cfg.String("workers").empty() ? bench_dir + "/../workers.tsv" : cfg.String("workers");
  auto workers = fleet::ReadWorkerList(list);
  if (!workers) {
    std::fprintf(stderr, "decnet-floor: %s\n", workers.error().message.c_str());
    return 2;
  }
  std::map<std::string, fleet::Budget> budgets;
  if (!cfg.String("budgets").empty()) {
    auto b = fleet::ReadBudgets(cfg.String("budgets"));
    if (!b) {
      std::fprintf(stderr, "decnet-floor: %s\n", b.error().message.c_str());
      return 2;
    }
    budgets = *b;
  }
  char tmpl[] = "/tmp/decnet-floor.XXXXXX";
  const std::string base = ::mkdtemp(tmpl) ? tmpl : "/tmp/decnet-floor";
  const double idle = cfg.Double("idle");

  std::vector<Row> solo, fleet_rows, refs;
  for (const auto& w : *workers) {
    const std::string state = MakeState(base, "solo-" + w.name);
    auto rows = Measure({SpecFor(w, bin_dir, state)}, "solo", state + "/notify.sock", idle);
    solo.insert(solo.end(), rows.begin(), rows.end());
  }
  {
    const std::string state = MakeState(base, "fleet");
    std::vector<fleet::ChildSpec> specs;
    for (const auto& w : *workers) {
      if (w.name == "bus") specs.insert(specs.begin(), SpecFor(w, bin_dir, state));
      else specs.push_back(SpecFor(w, bin_dir, state));
    }
    fleet_rows = Measure(specs, "fleet", state + "/notify.sock", idle);
  }
  if (cfg.Bool("references")) {
    const std::string state = MakeState(base, "ref");
    auto r = Measure({SpecFor("ref: C pause()", bench_dir + "/floor-pause", state)}, "reference",
                     state + "/n1.sock", idle);
    refs.insert(refs.end(), r.begin(), r.end());
    if (::access("/usr/bin/python3", X_OK) == 0 || ::system("command -v python3 >/dev/null 2>&1") == 0) {
      std::string script = std::string(DECNET_BENCH_SOURCE_DIR) + "/floor/py_floor.sh";
      auto p = Measure({SpecFor("ref: python3 asyncio+sqlite3+ssl+json", script, state)}, "reference",
                       state + "/n2.sock", idle);
      // The shell execs python3: the measured process is the interpreter.
      for (auto& row : p) row.file_bytes = row.text_bytes = 0;
      refs.insert(refs.end(), p.begin(), p.end());
    }
  }

  // Report.
  std::string md = "| worker | run | ready | Rss | Pss | Pss_Anon | Pss_File | USS | threads | exe bytes | "
                   "text bytes | budget Pss (fleet) | budget Anon (solo) | verdict |\n"
                   "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  std::string js = "{\"rows\":[";
  int failures = 0;
  uint64_t sum_fleet = 0, sum_solo = 0;
  auto add = [&](const Row& r) {
    std::string verdict = "";
    auto b = budgets.find(r.name);
    const bool gated = r.kind != "reference";
    if (gated && !r.ready) {
      verdict = "NOT READY";
      ++failures;
    } else if (gated && b == budgets.end()) {
      verdict = "NO BUDGET";
      ++failures;
    } else if (gated) {
      const bool over = r.kind == "fleet" ? r.mem.pss_kib > b->second.pss_kib
                                          : r.mem.pss_anon_kib > b->second.pss_anon_kib;
      verdict = over ? "OVER" : "ok";
      if (over) ++failures;
    }
    std::string bp = b == budgets.end() ? "-" : Kib(b->second.pss_kib);
    std::string ba = b == budgets.end() ? "-" : Kib(b->second.pss_anon_kib);
    md += "| " + r.name + " | " + r.kind + " | " + (r.ready ? "yes" : "no") + " | " + Kib(r.mem.rss_kib) +
          " | " + Kib(r.mem.pss_kib) + " | " + Kib(r.mem.pss_anon_kib) + " | " + Kib(r.mem.pss_file_kib) +
          " | " + Kib(r.mem.uss_kib) + " | " + std::to_string(r.mem.threads) + " | " +
          std::to_string(r.file_bytes) + " | " + std::to_string(r.text_bytes) + " | " + bp + " | " + ba +
          " | " + verdict + " |\n";
    if (js.back() != '[') js += ",";
    json::JsonWriter w;
    w.Str("worker", r.name).Str("run", r.kind).Bool("ready", r.ready).Uint("rss_kib", r.mem.rss_kib)
        .Uint("pss_kib", r.mem.pss_kib).Uint("pss_anon_kib", r.mem.pss_anon_kib)
        .Uint("pss_file_kib", r.mem.pss_file_kib).Uint("uss_kib", r.mem.uss_kib)
        .Int("threads", r.mem.threads).Uint("exe_bytes", r.file_bytes).Uint("text_bytes", r.text_bytes)
        .Str("verdict", verdict);
    js += w.Finish();
    if (!verdict.empty() && verdict != "ok") {
      std::fprintf(stderr, "decnet-floor: %s (%s): %s — Pss %llu KiB, Pss_Anon %llu KiB (budget %s / %s)\n",
                   r.name.c_str(), r.kind.c_str(), verdict.c_str(),
                   static_cast<unsigned long long>(r.mem.pss_kib),
                   static_cast<unsigned long long>(r.mem.pss_anon_kib), bp.c_str(), ba.c_str());
    }
  };
  for (auto& r : solo) {
    add(r);
    sum_solo += r.mem.pss_kib;
  }
  for (auto& r : fleet_rows) {
    add(r);
    sum_fleet += r.mem.pss_kib;
  }
  for (auto& r : refs) add(r);
  md += "\nΣPSS fleet (" + std::to_string(fleet_rows.size()) + " workers together): " + Kib(sum_fleet) +
        " KiB; Σ of solo PSS: " + Kib(sum_solo) + " KiB\n";
  js += "],\"fleet_pss_kib\":" + std::to_string(sum_fleet) + ",\"solo_pss_sum_kib\":" +
        std::to_string(sum_solo) + ",\"failures\":" + std::to_string(failures) + "}\n";
  std::fputs(md.c_str(), stdout);
  if (!cfg.String("out_md").empty()) {
    if (FILE* f = std::fopen(cfg.String("out_md").c_str(), "we")) std::fputs(md.c_str(), f), std::fclose(f);
  }
  if (!cfg.String("out_json").empty()) {
    if (FILE* f = std::fopen(cfg.String("out_json").c_str(), "we")) std::fputs(js.c_str(), f), std::fclose(f);
  }
  std::string rm = "rm -rf '" + base + "'";
  if (std::system(rm.c_str()) != 0) std::fprintf(stderr, "decnet-floor: could not remove %s\n", base.c_str());
  if (cfg.Bool("gate") && failures > 0) {
    std::fprintf(stderr, "decnet-floor: %d worker measurement(s) over budget or not ready\n", failures);
    return 1;
  }
  return 0;
}
