// What an intruder runs to learn the machine: uname, id, w, ps, top, free, df, lscpu, systemctl,
// apt... Numbers come from HostFacts (the persona), so every tool tells the same story.
#include <time.h>

#include <algorithm>
#include <set>

#include "cmdutil.h"
#include "decnet/decoy/event_log.h"

namespace decnet::services::shell {
namespace {

std::string Clock(int64_t epoch) { return AscTime(epoch).substr(11, 8); }

std::string UptimeText(const ShellState& sh) {
  const int64_t up = sh.Now() - sh.facts.boot_epoch;
  const int64_t days = up / 86400, hours = up % 86400 / 3600, mins = up % 3600 / 60;
  std::string s = " " + Clock(sh.Now()) + " up ";
  if (days) s += std::to_string(days) + (days == 1 ? " day, " : " days, ");
  s += hours ? Fmt("%2lld:%02lld", static_cast<long long>(hours), static_cast<long long>(mins))
             : std::to_string(mins) + " min";
  return s + ",  1 user,  load average: 0.08, 0.03, 0.01";
}

std::string Uname(const ShellState& sh, char field) {
  switch (field) {
    case 's':
      return "Linux";
    case 'n':
      return sh.facts.hostname;
    case 'r':
      return sh.facts.kernel;
    case 'v':
      return sh.facts.kernel_version;
    case 'm':
      return "x86_64";
    case 'p':
    case 'i':  // Debian's coreutils do not know the processor type; Ubuntu's and Fedora's patch it
               // in
      return sh.facts.family == Family::kDebian ? "unknown" : "x86_64";
    case 'o':
      return sh.facts.busybox ? "Linux" : "GNU/Linux";
  }
  return {};
}

int UnameCmd(Ctx& c) {
  Args a = ParseArgs(c.argv);
  for (const std::string& l : a.longs) {
    if (l == "kernel-release") a.flags += 'r';
    if (l == "all") a.flags += 'a';
    if (l == "nodename") a.flags += 'n';
    if (l == "machine") a.flags += 'm';
  }
  for (char f : a.flags) {
    if (std::string_view("asnrvmpio").find(f) == std::string_view::npos) {
      c.Error(std::string("uname: invalid option -- '") + f +
              "'\nTry 'uname --help' for more information.\n");
      return 1;
    }
  }
  // -a leaves out -p and -i when they are "unknown" (Debian: "... x86_64 GNU/Linux"; Ubuntu and
  // RHEL: "... x86_64 x86_64 x86_64 GNU/Linux"; busybox: "... x86_64 Linux").
  const bool known_cpu = c.sh.facts.family != Family::kDebian && !c.sh.facts.busybox;
  std::string order = a.Has('a') ? (known_cpu ? "snrvmpio" : "snrvmo") : "";
  if (!a.Has('a')) {
    for (char f : std::string_view("snrvmpio"))
      if (a.Has(f)) order += f;
  }
  if (order.empty()) order = "s";
  std::string out;
  for (char f : order) out += (out.empty() ? "" : " ") + Uname(c.sh, f);
  c.Print(out + "\n");
  return 0;
}

const Account* FindAccount(const ShellState& sh, std::string_view name) {
  for (const Account& a : sh.facts.accounts)
    if (a.name == name) return &a;
  return nullptr;
}

int Id(Ctx& c) {
  Args a = ParseArgs(c.argv);
  const std::string who = a.operands.empty() ? c.sh.user : a.operands[0];
  const Account* acc = FindAccount(c.sh, who);
  if (!acc && !a.operands.empty()) {
    c.Error("id: \xe2\x80\x98" + who + "\xe2\x80\x99: no such user\n");
    return 1;
  }
  const uint32_t uid = acc ? acc->uid : 1001, gid = acc ? acc->gid : 1001;
  if (a.Has('u')) {
    c.Print((a.Has('n') ? who : std::to_string(uid)) + "\n");
    return 0;
  }
  if (a.Has('g')) {
    c.Print((a.Has('n') ? who : std::to_string(gid)) + "\n");
    return 0;
  }
  std::string groups = std::to_string(gid) + "(" + who + ")";
  if (uid == 1000) {
    const bool wheel = c.sh.facts.family == Family::kRhel || c.sh.facts.busybox;
    groups += wheel ? ",10(wheel)" : ",4(adm),24(cdrom),27(sudo),30(dip),46(plugdev)";
  }
  c.Print("uid=" + std::to_string(uid) + "(" + who + ") gid=" + std::to_string(gid) + "(" + who +
          ") groups=" + groups + "\n");
  return 0;
}

int Whoami(Ctx& c) {
  c.Print(c.sh.user + "\n");
  return 0;
}

int Hostname(Ctx& c) {
  Args a = ParseArgs(c.argv);
  if (a.Has('I') || a.Has('i')) {
    c.Print(c.sh.facts.ip + (a.Has('I') ? " \n" : "\n"));
  } else if (!a.operands.empty()) {
    if (!IsRoot(c.sh)) {
      c.Error("hostname: you must be root to change the host name\n");
      return 1;
    }
  } else {
    c.Print(c.sh.facts.hostname + "\n");
  }
  return 0;
}

int Uptime(Ctx& c) {
  Args a = ParseArgs(c.argv);
  if (a.Has('p')) {
    const int64_t up = c.sh.Now() - c.sh.facts.boot_epoch;
    c.Print("up " + std::to_string(up / 86400 / 7) + " weeks, " + std::to_string(up / 86400 % 7) +
            " days, " + std::to_string(up % 86400 / 3600) + " hours, " +
            std::to_string(up % 3600 / 60) + " minutes\n");
    return 0;
  }
  c.Print(UptimeText(c.sh) + "\n");
  return 0;
}

std::string LoginTime(const ShellState& sh) { return Clock(sh.Now() - 60).substr(0, 5); }

int W(Ctx& c) {
  c.Print(UptimeText(c.sh) +
          "\nUSER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n" +
          Pad(c.sh.user, 8) + " pts/0    " + Pad(c.sh.conn.remote().ip, 16) + " " +
          LoginTime(c.sh) + "    0.00s  0.02s  0.00s w\n");
  return 0;
}

int Who(Ctx& c) {
  const time_t t = static_cast<time_t>(c.sh.Now() - 60);
  struct tm tm;
  gmtime_r(&t, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
  c.Print(Pad(c.sh.user, 8) + " pts/0        " + when + " (" + c.sh.conn.remote().ip + ")\n");
  return 0;
}

struct Proc {
  std::string user;
  int pid, ppid;
  int vsz, rss;
  std::string tty, stat, cmd;
};

std::vector<Proc> Procs(const ShellState& sh) {
  const bool systemd = !sh.facts.busybox;
  const int base = 400 + static_cast<int>(sh.facts.boot_epoch % 300);
  const int me = 20000 + static_cast<int>(sh.conn.id() * 37 % 9000);
  std::vector<Proc> p = {
      {"root", 1, 0, 168756, 12976, "?", "Ss", systemd ? "/sbin/init" : "/sbin/init"},
      {"root", 2, 0, 0, 0, "?", "S", "[kthreadd]"},
      {"root", 3, 2, 0, 0, "?", "I<", "[rcu_gp]"},
      {"root", 12, 2, 0, 0, "?", "S", "[ksoftirqd/0]"},
      {"root", 14, 2, 0, 0, "?", "I", "[rcu_preempt]"},
      {"root", 54, 2, 0, 0, "?", "I<", "[kworker/0:1H-kblockd]"},
  };
  if (systemd) {
    p.push_back({"root", base, 1, 48224, 15028, "?", "Ss", "/lib/systemd/systemd-journald"});
    p.push_back({"root", base + 31, 1, 26028, 6432, "?", "Ss", "/lib/systemd/systemd-udevd"});
    p.push_back({"root", base + 205, 1, 6612, 2648, "?", "Ss", "/usr/sbin/cron -f"});
    p.push_back({"messagebus", base + 207, 1, 8284, 4192, "?", "Ss",
                 "/usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile "
                 "--systemd-activation --syslog-only"});
    p.push_back({"root", base + 212, 1, 222220, 5124, "?", "Ssl", "/usr/sbin/rsyslogd -n -iNONE"});
    p.push_back({"root", base + 230, 1, 15432, 9012, "?", "Ss",
                 "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"});
    p.push_back({"root", base + 241, 1, 5876, 1020, "tty1", "Ss+",
                 "/sbin/agetty -o -p -- \\u --noclear - linux"});
  } else {
    p.push_back({"root", base, 1, 1600, 900, "?", "S", "/sbin/syslogd -t -n"});
    p.push_back({"root", base + 40, 1, 1600, 800, "?", "S", "/usr/sbin/crond -c /etc/crontabs -f"});
    p.push_back({"root", base + 80, 1, 4300, 2100, "?", "S",
                 "sshd: /usr/sbin/sshd [listener] 0 of 10-100 startups"});
  }
  // The login's parent as the service runs it: sshd's per-session process, or telnetd and login.
  if (sh.options.service == "telnet") {
    p.push_back({"root", me - 2, 1, 2884, 1700, "?", "Ss",
                 sh.facts.busybox ? "telnetd" : "in.telnetd: " + sh.conn.remote().ip});
    p.push_back({"root", me, me - 2, 8996, 4300, "pts/0", "Ss", "login -- " + sh.user});
  } else {
    p.push_back({"root", me, base + 230, 17104, 10956, "?", "Ss", "sshd: " + sh.user + "@pts/0"});
  }
  p.push_back({sh.user, me + 9, me, 8780, 5360, "pts/0", "Ss", sh.facts.busybox ? "-sh" : "-bash"});
  return p;
}

int Ps(Ctx& c) {
  const std::vector<Proc> procs = Procs(c.sh);
  const int me = procs.back().pid;
  std::string mode = c.argv.size() > 1 ? c.argv[1] : "";
  for (size_t i = 2; i < c.argv.size(); ++i) mode += c.argv[i];
  const std::string start =
      AscTime(c.sh.facts.boot_epoch).substr(4, 3) + AscTime(c.sh.facts.boot_epoch).substr(8, 2);
  if (c.sh.facts.busybox) {
    c.Print("PID   USER     TIME  COMMAND\n");
    for (const Proc& p : procs)
      c.Print(Fmt("%5d %-8s  0:00 ", p.pid, p.user.substr(0, 8).c_str()) + p.cmd + "\n");
    c.Print(Fmt("%5d %-8s  0:00 ps", me + 40, c.sh.user.substr(0, 8).c_str()) + "\n");
    return 0;
  }
  if (mode.find('a') != std::string::npos && mode.find('u') != std::string::npos) {
    c.Print("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n");
    for (const Proc& p : procs)
      c.Print(Fmt("%-8s %7d  0.0  %3.1f %6d %5d %-8s %-4s %-5s   0:%02d ",
                  p.user.substr(0, 8).c_str(), p.pid,
                  p.rss * 100.0 / static_cast<double>(c.sh.facts.mem_kb), p.vsz, p.rss,
                  p.tty.c_str(), p.stat.c_str(),
                  p.pid < 1000 ? start.c_str() : LoginTime(c.sh).c_str(), p.pid % 60) +
              p.cmd + "\n");
    c.Print(Fmt("%-8s %7d  0.0  0.0  11084  4420 pts/0    R+   %s   0:00 ps ",
                c.sh.user.substr(0, 8).c_str(), me + 40, LoginTime(c.sh).c_str()) +
            mode + "\n");
    return 0;
  }
  if (mode.find('e') != std::string::npos || mode.find('A') != std::string::npos) {
    c.Print("UID          PID    PPID  C STIME TTY          TIME CMD\n");
    for (const Proc& p : procs)
      c.Print(Fmt("%-8s %7d %7d  0 %-5s %-8s 00:00:%02d ", p.user.substr(0, 8).c_str(), p.pid,
                  p.ppid, p.pid < 1000 ? start.c_str() : LoginTime(c.sh).c_str(), p.tty.c_str(),
                  p.pid % 60) +
              p.cmd + "\n");
    c.Print(Fmt("%-8s %7d %7d  0 %s pts/0    00:00:00 ps -ef\n", c.sh.user.substr(0, 8).c_str(),
                me + 40, me, LoginTime(c.sh).c_str()));
    return 0;
  }
  c.Print(
      Fmt("    PID TTY          TIME CMD\n%7d pts/0    00:00:00 bash\n%7d pts/0    00:00:00 ps\n",
          me, me + 40));
  return 0;
}

int Top(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  const double mib = static_cast<double>(f.mem_kb) / 1024;
  const std::vector<Proc> procs = Procs(c.sh);
  std::string out =
      "top - " + UptimeText(c.sh).substr(1) + "\n" +
      Fmt("Tasks: %3zu total,   1 running, %3zu sleeping,   0 stopped,   0 zombie\n",
          procs.size() + 90, procs.size() + 89) +
      "%Cpu(s):  0.3 us,  0.2 sy,  0.0 ni, 99.5 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st\n" +
      Fmt("MiB Mem : %8.1f total, %8.1f free, %8.1f used, %8.1f buff/cache\n", mib, mib * 0.23,
          mib * 0.39, mib * 0.38) +
      Fmt("MiB Swap: %8.1f total, %8.1f free, %8.1f used. %8.1f avail Mem\n\n", mib / 2,
          mib / 2 - 1, 1.0, mib * 0.61) +
      "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n";
  for (const Proc& p : procs) {
    // top shows the program name: no brackets for kernel threads, no path, no "sshd:" colon.
    std::string name = p.cmd.substr(0, p.cmd.find(' '));
    if (name.starts_with("[")) {
      name = p.cmd.substr(1, p.cmd.size() - 2);
    } else {
      name = std::string(Basename(name));
      if (name.ends_with(":")) name.pop_back();
    }
    out += Fmt("%7d %-8s  20   0 %7d %6d %6d S   0.0 %5.1f   0:%02d.%02d ", p.pid,
               p.user.substr(0, 8).c_str(), p.vsz, p.rss, p.rss / 2,
               p.rss * 100.0 / static_cast<double>(f.mem_kb), p.pid % 60, p.pid % 100) +
           name + "\n";
  }
  c.Print(out);
  return 0;
}

int Free(Ctx& c) {
  Args a = ParseArgs(c.argv);
  const HostFacts& f = c.sh.facts;
  const uint64_t total = f.mem_kb, used = total * 39 / 100, freek = total * 23 / 100,
                 shared = total / 100;
  const uint64_t cache = total - used - freek, avail = total * 61 / 100, swap = total / 2;
  auto v = [&](uint64_t kb) {
    if (a.Has('h')) {
      std::string h = HumanSize(kb * 1024);
      if (!h.empty() && std::isalpha(static_cast<unsigned char>(h.back()))) h += "i";
      return h;
    }
    if (a.Has('m')) return std::to_string(kb / 1024);
    if (a.Has('g')) return std::to_string(kb / 1024 / 1024);
    return std::to_string(kb);
  };
  if (f.busybox) {
    c.Print("              total        used        free      shared  buff/cache   available\n");
  } else {
    c.Print("               total        used        free      shared  buff/cache   available\n");
  }
  c.Print("Mem:    " + Pad(v(total), 12, true) + Pad(v(used), 12, true) + Pad(v(freek), 12, true) +
          Pad(v(shared), 12, true) + Pad(v(cache), 12, true) + Pad(v(avail), 12, true) + "\n");
  c.Print("Swap:   " + Pad(v(swap), 12, true) + Pad(v(1024), 12, true) +
          Pad(v(swap - 1024), 12, true) + "\n");
  return 0;
}

int Df(Ctx& c) {
  Args a = ParseArgs(c.argv);
  const HostFacts& f = c.sh.facts;
  const bool h = a.Has('h');
  struct Row {
    std::string fs;
    uint64_t size, used;
    std::string mount;
  };
  const uint64_t mem = f.mem_kb;
  std::vector<Row> rows = {{"udev", mem / 2, 0, "/dev"},
                           {"tmpfs", mem / 10, 1100, "/run"},
                           {"/dev/vda1", f.disk_kb, f.disk_used_kb, "/"},
                           {"tmpfs", mem / 2, 0, "/dev/shm"},
                           {"tmpfs", 5120, 0, "/run/lock"}};
  if (f.busybox) rows.erase(rows.begin());
  c.Print(h ? "Filesystem      Size  Used Avail Use% Mounted on\n"
            : "Filesystem     1K-blocks    Used Available Use% Mounted on\n");
  for (const Row& r : rows) {
    const uint64_t avail = r.size - r.used;
    const std::string pct = std::to_string(r.size ? (r.used * 100 + r.size - 1) / r.size : 0) + "%";
    if (h) {
      c.Print(Pad(r.fs, 15) + Pad(HumanSize(r.size * 1024), 5, true) +
              Pad(r.used ? HumanSize(r.used * 1024) : "0", 6, true) +
              Pad(HumanSize(avail * 1024), 6, true) + Pad(pct, 5, true) + " " + r.mount + "\n");
    } else {
      c.Print(Pad(r.fs, 14) + Pad(std::to_string(r.size), 10, true) +
              Pad(std::to_string(r.used), 8, true) + Pad(std::to_string(avail), 10, true) +
              Pad(pct, 5, true) + " " + r.mount + "\n");
    }
  }
  return 0;
}

int DetectVirt(Ctx& c) {
  c.Print("kvm\n");
  return 0;
}

int Dmidecode(Ctx& c) {
  if (!IsRoot(c.sh)) {
    c.Error(
        "/sys/firmware/dmi/tables/smbios_entry_point: Permission denied\nScanning /dev/mem for "
        "entry point.\n"
        "/dev/mem: Permission denied\n");
    return 1;
  }
  Args a = ParseArgs(c.argv, "st");
  const std::string key = a.values.count('s') ? a.values['s'] : "";
  if (key == "system-product-name")
    c.Print("Standard PC (Q35 + ICH9, 2009)\n");
  else if (key == "system-manufacturer")
    c.Print("QEMU\n");
  else if (key == "bios-vendor")
    c.Print("SeaBIOS\n");
  else
    c.Print(
        "# dmidecode 3.4\nGetting SMBIOS data from sysfs.\nSMBIOS 2.8 present.\n\nHandle 0x0100, "
        "DMI type 1, 27 bytes\n"
        "System Information\n\tManufacturer: QEMU\n\tProduct Name: Standard PC (Q35 + ICH9, "
        "2009)\n");
  return 0;
}

int Nproc(Ctx& c) {
  c.Print(std::to_string(c.sh.facts.cpus) + "\n");
  return 0;
}

int Lscpu(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  const bool amd = f.cpu_model.starts_with("AMD");
  c.Print(
      "Architecture:            x86_64\n  CPU op-mode(s):        32-bit, 64-bit\n"
      "  Address sizes:         46 bits physical, 48 bits virtual\n  Byte Order:            Little "
      "Endian\n"
      "CPU(s):                  " +
      std::to_string(f.cpus) + "\n  On-line CPU(s) list:   0-" + std::to_string(f.cpus - 1) +
      "\nVendor ID:               " + (amd ? "AuthenticAMD" : "GenuineIntel") +
      "\n  Model name:            " + f.cpu_model + "\n    CPU family:          " +
      (amd ? "23" : "6") + "\n    Model:               " + (amd ? "49" : "79") +
      "\n    Thread(s) per core:  1\n"
      "    Core(s) per socket:  " +
      std::to_string(f.cpus) +
      "\n    Socket(s):           1\n"
      "    Stepping:            1\n    BogoMIPS:            4799.99\nVirtualization features:\n"
      "  Hypervisor vendor:     KVM\n  Virtualization type:   full\n");
  return 0;
}

int Crontab(Ctx& c) {
  Args a = ParseArgs(c.argv, "u");
  const std::string who = a.values.count('u') ? a.values['u'] : c.sh.user;
  const std::string path = "/var/spool/cron/crontabs/" + who;
  if (a.Has('l')) {
    const Node* n = c.sh.fs.Lookup(path);
    if (!n) {
      c.Error("no crontab for " + who + "\n");
      return 1;
    }
    c.Print(n->data);
    return 0;
  }
  if (a.Has('r')) {
    c.sh.fs.Remove(path, false);
    return 0;
  }
  // crontab FILE or crontab - (stdin): install it in the overlay, where crontab -l finds it.
  std::string text;
  if (!a.operands.empty() && a.operands[0] != "-") {
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(a.operands[0]));
    if (!n) {
      c.Error("crontab: can't open '" + a.operands[0] + "': No such file or directory\n");
      return 1;
    }
    text = n->data;
  } else {
    text = std::string(c.io.in);
  }
  c.sh.fs.Mkdir("/var/spool/cron/crontabs", c.sh.Now(), true);
  const FsError e = c.sh.fs.Write(path, text, false, c.sh.Now());
  if (e != FsError::kOk) {
    c.Error(std::string("crontab: write error: ") + FsErrorText(e) + "\n");
    return 1;
  }
  return 0;
}

int Dmesg(Ctx& c) {
  if (!IsRoot(c.sh)) {
    c.Error("dmesg: read kernel buffer failed: Operation not permitted\n");
    return 1;
  }
  c.Print("[    0.000000] Linux version " + c.sh.facts.kernel + " " + c.sh.facts.kernel_version +
          "\n[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-" + c.sh.facts.kernel +
          " root=/dev/vda1 ro quiet\n[    0.000000] BIOS-provided physical RAM map:\n"
          "[    0.000000] Hypervisor detected: KVM\n[    0.412043] virtio_net virtio0 eth0: "
          "renamed from ens3\n"
          "[    1.208112] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: "
          "none.\n");
  return 0;
}

int Last(Ctx& c) {
  const int64_t now = c.sh.Now();
  const std::string prev = AscTime(now - 26 * 3600).substr(0, 16),
                    boot = AscTime(c.sh.facts.boot_epoch);
  c.Print(Pad(c.sh.user, 8) + " pts/0        " + Pad(c.sh.conn.remote().ip, 16) + " " +
          AscTime(now).substr(0, 16) + "   still logged in\n" + Pad(c.sh.facts.user, 8) +
          " pts/0        " + Pad(c.sh.facts.last_login_from, 16) + " " + prev + " - " +
          AscTime(now - 25 * 3600).substr(11, 5) +
          "  (00:" + Fmt("%02d", static_cast<int>(c.sh.facts.boot_epoch % 60)) +
          ")\nreboot   system boot  " + Pad(c.sh.facts.kernel, 16) + " " + boot.substr(0, 16) +
          "   still running\n\nwtmp begins " + boot + "\n");
  return 0;
}

int Systemctl(Ctx& c) {
  Args a = ParseArgs(c.argv);
  const bool service_cmd = c.argv[0] == "service";
  std::string verb = a.operands.empty() ? "" : a.operands[0];
  std::string unit = a.operands.size() > 1 ? a.operands[1] : "";
  if (service_cmd) std::swap(verb, unit);
  if (verb.empty() && !service_cmd) verb = "list-units";
  if (verb == "status" && !unit.empty()) {
    if (unit.ends_with(".service")) unit.resize(unit.size() - 8);
    static const std::set<std::string_view> known = {"ssh",   "sshd",    "cron",
                                                     "crond", "rsyslog", "systemd-journald"};
    if (!known.count(unit)) {
      c.Error("Unit " + unit + ".service could not be found.\n");
      return 4;
    }
    c.Print("\xe2\x97\x8f " + unit + ".service - " +
            (unit.starts_with("ssh") ? "OpenBSD Secure Shell server" : unit) +
            "\n     Loaded: loaded (/lib/systemd/system/" + unit +
            ".service; enabled; preset: enabled)\n"
            "     Active: active (running) since " +
            AscTime(c.sh.facts.boot_epoch + 9) +
            " UTC\n"
            "   Main PID: " +
            std::to_string(400 + c.sh.facts.boot_epoch % 300 + 230) + " (" + unit + ")\n");
    return 0;
  }
  if (verb == "list-units" || verb.empty()) {
    c.Print(
        "  UNIT                 LOAD   ACTIVE SUB     DESCRIPTION\n  cron.service         loaded "
        "active running "
        "Regular background program processing daemon\n  ssh.service          loaded active "
        "running OpenBSD "
        "Secure Shell server\n  rsyslog.service      loaded active running System Logging "
        "Service\n");
    return 0;
  }
  if (!IsRoot(c.sh)) {
    c.Error("Failed to " + verb + " " + unit +
            ".service: Access denied\nSee system logs and 'systemctl status " + unit +
            ".service' for details.\n");
    return 1;
  }
  return 0;  // start/stop/enable as root: silence is what systemctl prints on success
}

int Apt(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  if (f.family != Family::kDebian && f.family != Family::kUbuntu) {
    c.Error((f.busybox ? "-sh: " + c.argv[0] + ": not found\n"
                       : "-bash: " + c.argv[0] + ": command not found\n"));
    return 127;
  }
  Args a = ParseArgs(c.argv);
  const std::string verb = a.operands.empty() ? "" : a.operands[0];
  if (verb.empty()) {
    c.Print("apt 2.6.1 (amd64)\nUsage: apt [options] command\n");
    return 1;
  }
  if (!IsRoot(c.sh)) {
    c.Error(
        "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n"
        "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you "
        "root?\n");
    return 100;
  }
  if (verb == "update") {
    const std::string mirror = f.family == Family::kUbuntu ? "http://archive.ubuntu.com/ubuntu"
                                                           : "http://deb.debian.org/debian";
    c.PauseOutput(1500);
    c.Print("Err:1 " + mirror + " InRelease\n  Temporary failure resolving '" +
            mirror.substr(7, mirror.find('/', 7) - 7) +
            "'\nReading package lists... Done\nW: Failed to fetch " + mirror +
            "/dists/InRelease  Temporary failure "
            "resolving\nW: Some index files failed to download. They have been ignored, or old "
            "ones used instead.\n");
    return 0;
  }
  // The lock an unattended upgrade holds: what a busy real server answers.
  c.Error(
      "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process " +
      std::to_string(2000 + f.boot_epoch % 3000) +
      " (unattended-upgr)\nN: Be aware that removing the lock file "
      "is not a solution and may break your system.\nE: Unable to acquire the dpkg frontend lock "
      "(/var/lib/dpkg/lock-frontend), is another process using it?\n");
  return 100;
}

int Yum(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  if (f.family != Family::kRhel) {
    c.Error((f.busybox ? "-sh: " + c.argv[0] + ": not found\n"
                       : "-bash: " + c.argv[0] + ": command not found\n"));
    return 127;
  }
  if (!IsRoot(c.sh)) {
    c.Error(
        "Error: This command has to be run with superuser privileges (under the root user on most "
        "systems).\n");
    return 1;
  }
  c.PauseOutput(1500);
  c.Error(
      "Errors during downloading metadata for repository 'baseos':\n  - Curl error (6): Couldn't "
      "resolve host name "
      "for https://mirrors.rockylinux.org/mirrorlist?arch=x86_64&repo=BaseOS-9 [Could not resolve "
      "host: "
      "mirrors.rockylinux.org]\nError: Failed to download metadata for repo 'baseos': Cannot "
      "prepare internal "
      "mirrorlist: Curl error (6): Couldn't resolve host name\n");
  return 1;
}

int Apk(Ctx& c) {
  if (c.sh.facts.family != Family::kAlpine) {
    c.Error("-bash: apk: command not found\n");
    return 127;
  }
  c.PauseOutput(1000);
  c.Error(
      "fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\nWARNING: "
      "fetching "
      "https://dl-cdn.alpinelinux.org/alpine/v3.19/main: temporary error (try again later)\n");
  return 1;
}

int Kill(Ctx& c) {
  Args a = ParseArgs(c.argv, "s");
  if (a.Has('l')) {
    c.Print(
        " 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 4) SIGILL\t 5) SIGTRAP\n 6) SIGABRT\t 7) SIGBUS\t "
        "8) SIGFPE\t 9) "
        "SIGKILL\t10) SIGUSR1\n");
    return 0;
  }
  int status = 0;
  for (const std::string& pid : a.operands) {
    c.Error("-bash: kill: (" + pid + ") - " +
            (IsRoot(c.sh) ? "No such process" : "Operation not permitted") + "\n");
    status = 1;
  }
  return status;
}

int Killall(Ctx& c) {
  Args a = ParseArgs(c.argv, "s");
  for (const std::string& name : a.operands) c.Error(name + ": no process found\n");
  return 1;
}

int Pkill(Ctx&) { return 1; }  // pkill says nothing when nothing matched

// passwd / chpasswd: what is typed (or piped) is a credential the attacker sets.
void LogPasswordChange(Ctx& c, const std::string& who, std::string_view secret) {
  c.sh.LogSecret("password_change", who, secret, c.argv.empty() ? "passwd" : c.argv[0]);
}

int Passwd(Ctx& c) {
  Args a = ParseArgs(c.argv);
  const std::string who = a.operands.empty() ? c.sh.user : a.operands[0];
  if (!a.operands.empty() && !IsRoot(c.sh) && who != c.sh.user) {
    c.Error("passwd: You may not view or modify password information for " + who + ".\n");
    return 1;
  }
  if (c.sh.CanAsk(c)) {
    c.sh.dialog = ShellState::Dialog{
        {"New password: ", "Retype new password: "},
        [who](ShellState& sh, Io io, const std::vector<std::string>& typed) {
          if (typed[0] != typed[1]) {
            io.out->Write(
                "Sorry, passwords do not match.\npasswd: Authentication token manipulation error\n"
                "passwd: password unchanged\n");
            return 10;
          }
          Ctx c{sh, io, {"passwd"}};
          LogPasswordChange(c, who, typed[0]);
          io.out->Write("passwd: password updated successfully\n");
          return 0;
        }};
    return 0;
  }
  if (c.io.in.empty()) {
    c.Error("passwd: Authentication token manipulation error\npasswd: password unchanged\n");
    return 10;
  }
  const std::string_view in = c.io.in;
  LogPasswordChange(c, who, in.substr(0, in.find('\n')));
  c.Print("New password: Retype new password: passwd: password updated successfully\n");
  return 0;
}

int Chpasswd(Ctx& c) {
  std::string_view in = c.io.in;
  while (!in.empty()) {
    const size_t nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    if (const size_t colon = line.find(':'); colon != std::string_view::npos)
      LogPasswordChange(c, std::string(line.substr(0, colon)), line.substr(colon + 1));
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }
  return 0;
}

// Interpreters: a one-liner "runs" without output (most are reverse shells or downloaders, whose
// silence is what the attacker expects); an interactive interpreter is not emulated.
int Interpreter(Ctx& c) {
  const std::string& name = c.argv[0];
  if (name == "python" && c.sh.facts.family != Family::kRhel) {
    c.Error("-bash: python: command not found\n");
    return 127;
  }
  Args a = ParseArgs(c.argv, "ecE");
  if (a.HasLong("version") || a.Has('V') || a.Has('v')) {
    c.Print(name == "perl" ? "\nThis is perl 5, version 36, subversion 0 (v5.36.0) built for "
                             "x86_64-linux-gnu-thread-multi\n"
                           : "Python 3.11.2\n");
    return 0;
  }
  if (!a.values.count('e') && !a.values.count('c') && a.operands.empty() && c.io.in.empty())
    return 0;
  if (!a.operands.empty() && !c.sh.fs.Lookup(c.sh.Abs(a.operands[0]))) {
    c.Error(name == "perl"
                ? "Can't open perl script \"" + a.operands[0] + "\": No such file or directory\n"
                : name + ": can't open file '" + c.sh.Abs(a.operands[0]) +
                      "': [Errno 2] No such file or directory\n");
    return 2;
  }
  return 0;
}

int Date(Ctx& c) {
  Args a = ParseArgs(c.argv);
  for (const std::string& op : a.operands) {
    if (op == "+%s") {
      c.Print(std::to_string(c.sh.Now()) + "\n");
      return 0;
    }
  }
  const std::string t = AscTime(c.sh.Now());
  c.Print(t.substr(0, 20) + "UTC " + t.substr(20) + "\n");
  return 0;
}

int Arch(Ctx& c) {
  c.Print("x86_64\n");
  return 0;
}

int LsbRelease(Ctx& c) {
  const HostFacts& f = c.sh.facts;
  c.Print("No LSB modules are available.\nDistributor ID:\t" +
          std::string(f.family == Family::kUbuntu ? "Ubuntu"
                      : f.family == Family::kRhel ? "Rocky"
                                                  : "Debian") +
          "\nDescription:\t" + f.pretty_name + "\n");
  return 0;
}

int Mount(Ctx& c) {
  const Node* n = c.sh.fs.Lookup("/proc/mounts");
  if (n) c.Print(n->data);
  return 0;
}

}  // namespace

void AddSystemCommands(CommandTable& t) {
  t.insert({{"uname", UnameCmd},
            {"id", Id},
            {"whoami", Whoami},
            {"hostname", Hostname},
            {"uptime", Uptime},
            {"w", W},
            {"who", Who},
            {"ps", Ps},
            {"top", Top},
            {"free", Free},
            {"df", Df},
            {"nproc", Nproc},
            {"lscpu", Lscpu},
            {"crontab", Crontab},
            {"dmesg", Dmesg},
            {"last", Last},
            {"systemctl", Systemctl},
            {"service", Systemctl},
            {"apt", Apt},
            {"apt-get", Apt},
            {"yum", Yum},
            {"dnf", Yum},
            {"apk", Apk},
            {"kill", Kill},
            {"killall", Killall},
            {"pkill", Pkill},
            {"passwd", Passwd},
            {"chpasswd", Chpasswd},
            {"perl", Interpreter},
            {"python", Interpreter},
            {"python3", Interpreter},
            {"date", Date},
            {"arch", Arch},
            {"lsb_release", LsbRelease},
            {"mount", Mount},
            {"systemd-detect-virt", DetectVirt},
            {"dmidecode", Dmidecode}});
}

}  // namespace decnet::services::shell
