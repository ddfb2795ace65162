#include "distro.h"

#include <time.h>

#include <array>
#include <cstdio>
#include <map>
#include <mutex>
#include <string_view>

#include "decnet/core/text.h"
#include "state.h"

namespace decnet::services::shell {
namespace {

constexpr std::string_view kSvc = "shell";

Family FamilyOf(std::string_view distro) {
  if (distro.starts_with("ubuntu")) return Family::kUbuntu;
  if (distro == "rocky9" || distro == "centos7" || distro == "fedora") return Family::kRhel;
  if (distro == "alpine") return Family::kAlpine;
  if (distro == "arch") return Family::kArch;
  return Family::kDebian;  // debian, kali, and anything unknown
}

// /etc/os-release as each distro ships it (the fields scanners and bots read).
std::string OsReleaseFor(std::string_view distro) {
  if (distro == "ubuntu22")
    return "PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n"
           "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
           "ID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://"
           "help.ubuntu.com/\"\n"
           "BUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n"
           "PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n"
           "UBUNTU_CODENAME=jammy\n";
  if (distro == "ubuntu20")
    return "NAME=\"Ubuntu\"\nVERSION=\"20.04.6 LTS (Focal Fossa)\"\nID=ubuntu\nID_LIKE=debian\n"
           "PRETTY_NAME=\"Ubuntu 20.04.6 "
           "LTS\"\nVERSION_ID=\"20.04\"\nHOME_URL=\"https://www.ubuntu.com/\"\n"
           "SUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/"
           "ubuntu/\"\n"
           "PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n"
           "VERSION_CODENAME=focal\nUBUNTU_CODENAME=focal\n";
  if (distro == "rocky9")
    return "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos "
           "fedora\"\n"
           "VERSION_ID=\"9.3\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue "
           "Onyx)\"\n"
           "ANSI_COLOR=\"0;32\"\nLOGO=\"fedora-logo-icon\"\nCPE_NAME=\"cpe:/"
           "o:rocky:rocky:9::baseos\"\n"
           "HOME_URL=\"https://rockylinux.org/\"\nBUG_REPORT_URL=\"https://bugs.rockylinux.org/"
           "\"\n";
  if (distro == "centos7")
    return "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
           "VERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\nANSI_COLOR=\"0;31\"\n"
           "CPE_NAME=\"cpe:/o:centos:centos:7\"\nHOME_URL=\"https://www.centos.org/\"\n"
           "BUG_REPORT_URL=\"https://bugs.centos.org/\"\n";
  if (distro == "fedora")
    return "NAME=\"Fedora Linux\"\nVERSION=\"39 (Server Edition)\"\nID=fedora\nVERSION_ID=39\n"
           "PRETTY_NAME=\"Fedora Linux 39 (Server "
           "Edition)\"\nCPE_NAME=\"cpe:/o:fedoraproject:fedora:39\"\n"
           "HOME_URL=\"https://fedoraproject.org/\"\nVARIANT=\"Server "
           "Edition\"\nVARIANT_ID=server\n";
  if (distro == "alpine")
    return "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux "
           "v3.19\"\n"
           "HOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/"
           "alpine/aports/-/issues\"\n";
  if (distro == "kali")
    return "PRETTY_NAME=\"Kali GNU/Linux Rolling\"\nNAME=\"Kali "
           "GNU/Linux\"\nVERSION_ID=\"2024.1\"\n"
           "VERSION=\"2024.1\"\nVERSION_CODENAME=kali-rolling\nID=kali\nID_LIKE=debian\n"
           "HOME_URL=\"https://www.kali.org/\"\nSUPPORT_URL=\"https://forums.kali.org/\"\n"
           "BUG_REPORT_URL=\"https://bugs.kali.org/\"\nANSI_COLOR=\"1;31\"\n";
  if (distro == "arch")
    return "NAME=\"Arch Linux\"\nPRETTY_NAME=\"Arch Linux\"\nID=arch\nBUILD_ID=rolling\n"
           "ANSI_COLOR=\"38;2;23;147;209\"\nHOME_URL=\"https://archlinux.org/\"\n"
           "DOCUMENTATION_URL=\"https://wiki.archlinux.org/\"\nLOGO=archlinux-logo\n";
  return "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
         "GNU/Linux\"\nVERSION_ID=\"12\"\n"
         "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
         "HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\n"
         "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n";
}

std::string FieldOf(const std::string& os_release, std::string_view key) {
  const std::string needle = std::string(key) + "=";
  size_t at = os_release.rfind("\n" + needle);
  at = os_release.starts_with(needle) ? 0 : (at == std::string::npos ? at : at + 1);
  if (at == std::string::npos) return {};
  const size_t end = os_release.find('\n', at);
  std::string v = os_release.substr(at + needle.size(), end - at - needle.size());
  if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

std::string KernelVersionFor(Family f, const std::string& kernel) {
  switch (f) {
    case Family::kUbuntu: {
      const size_t dash = kernel.find('-');
      const std::string build =
          dash == std::string::npos
              ? "1"
              : kernel.substr(dash + 1, kernel.find('-', dash + 1) - dash - 1);
      return "#" + build + "-Ubuntu SMP Mon Oct 2 15:18:56 UTC 2023";
    }
    case Family::kRhel:
      return "#1 SMP PREEMPT_DYNAMIC Thu Dec 21 16:03:58 UTC 2023";
    case Family::kAlpine:
      return "#1-Alpine SMP PREEMPT_DYNAMIC Wed, 17 Jan 2024 09:02:48 +0000";
    case Family::kArch:
      return "#1 SMP PREEMPT_DYNAMIC Sat, 03 Feb 2024 00:33:51 +0000";
    case Family::kDebian:
      break;
  }
  return "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)";
}

constexpr std::string_view kCpus[] = {
    "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz",
    "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", "AMD EPYC 7402P 24-Core Processor",
    "Intel(R) Xeon(R) CPU E5-2650 v2 @ 2.60GHz"};
constexpr int kCpuCounts[] = {1, 2, 2, 4, 4, 8};
constexpr uint64_t kMemGiB[] = {1, 2, 4, 4, 8, 16};
constexpr std::string_view kHumans[] = {"admin", "deploy", "dev", "backup", "sysadmin", "jenkins"};

std::string Ip(uint64_t h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "10.%u.%u.%u", unsigned((h >> 8) % 250 + 1),
                unsigned((h >> 16) % 250), unsigned((h >> 24) % 250 + 2));
  return buf;
}

std::string Mac(uint64_t h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "52:54:00:%02x:%02x:%02x", unsigned(h & 0xff),
                unsigned((h >> 8) & 0xff), unsigned((h >> 16) & 0xff));
  return buf;
}

std::vector<Account> AccountsFor(const HostFacts& f) {
  std::vector<Account> a = {{"root", 0, 0, "root", "/root", f.busybox ? "/bin/ash" : "/bin/bash"}};
  const std::string nologin = f.family == Family::kRhel ? "/sbin/nologin" : "/usr/sbin/nologin";
  if (f.busybox) {
    a.push_back({"bin", 1, 1, "bin", "/bin", "/sbin/nologin"});
    a.push_back({"daemon", 2, 2, "daemon", "/sbin", "/sbin/nologin"});
    a.push_back({"sshd", 22, 22, "sshd", "/dev/null", "/sbin/nologin"});
    a.push_back({"nobody", 65534, 65534, "nobody", "/", "/sbin/nologin"});
  } else if (f.family == Family::kRhel) {
    a.push_back({"bin", 1, 1, "bin", "/bin", nologin});
    a.push_back({"daemon", 2, 2, "daemon", "/sbin", nologin});
    a.push_back({"adm", 3, 4, "adm", "/var/adm", nologin});
    a.push_back({"nobody", 65534, 65534, "Kernel Overflow User", "/", nologin});
    a.push_back({"sshd", 74, 74, "Privilege-separated SSH", "/usr/share/empty.sshd", nologin});
    a.push_back({"chrony", 992, 988, "chrony system user", "/var/lib/chrony", nologin});
  } else {
    a.push_back({"daemon", 1, 1, "daemon", "/usr/sbin", nologin});
    a.push_back({"bin", 2, 2, "bin", "/bin", nologin});
    a.push_back({"sys", 3, 3, "sys", "/dev", nologin});
    a.push_back({"sync", 4, 65534, "sync", "/bin", "/bin/sync"});
    a.push_back({"www-data", 33, 33, "www-data", "/var/www", nologin});
    a.push_back({"nobody", 65534, 65534, "nobody", "/nonexistent", nologin});
    a.push_back({"systemd-network", 998, 998, "systemd Network Management", "/", nologin});
    a.push_back({"messagebus", 100, 107, "", "/nonexistent", nologin});
    a.push_back({"sshd", 101, 65534, "", "/run/sshd", nologin});
  }
  a.push_back({f.user, 1000, 1000, f.user + ",,,", "/home/" + f.user,
               f.busybox ? "/bin/ash" : "/bin/bash"});
  return a;
}

std::string PasswdText(const HostFacts& f) {
  std::string out;
  for (const Account& a : f.accounts)
    out += a.name + ":x:" + std::to_string(a.uid) + ":" + std::to_string(a.gid) + ":" + a.gecos +
           ":" + a.home + ":" + a.shell + "\n";
  return out;
}

std::string GroupText(const HostFacts& f) {
  std::string sudo = f.family == Family::kRhel || f.busybox ? "wheel" : "sudo";
  std::string out = "root:x:0:\n";
  for (const Account& a : f.accounts)
    if (a.uid != 0 && a.uid == a.gid) out += a.name + ":x:" + std::to_string(a.gid) + ":\n";
  out += sudo + ":x:" + (sudo == "wheel" ? "10" : "27") + ":" + f.user + "\n";
  out += "adm:x:4:" + f.user + "\n";
  return out;
}

// $6$ crypt strings that look real (salt and hash from the persona; they crack to nothing).
std::string ShadowText(const HostFacts& f, const decoy::Persona& p) {
  static constexpr char kB64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  const int64_t days = f.build_epoch / 86400;
  for (const Account& a : f.accounts) {
    std::string hash = "*";
    if (a.uid == 0 || a.uid == 1000) {
      hash = "$6$";
      uint64_t h = p.Hash(kSvc, "shadow:" + a.name);
      for (int i = 0; i < 16 + 86; ++i) {
        if (i == 16) hash.push_back('$');
        hash.push_back(kB64[h % 64]);
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
      }
    }
    out += a.name + ":" + hash + ":" + std::to_string(days) + ":0:99999:7:::\n";
  }
  return out;
}

std::string CpuInfo(const HostFacts& f) {
  std::string out;
  const bool amd = f.cpu_model.starts_with("AMD");
  for (int i = 0; i < f.cpus; ++i) {
    out +=
        "processor\t: " + std::to_string(i) +
        "\nvendor_id\t: " + (amd ? "AuthenticAMD" : "GenuineIntel") +
        "\ncpu family\t: " + (amd ? "23" : "6") + "\nmodel\t\t: " + (amd ? "49" : "79") +
        "\nmodel name\t: " + f.cpu_model + "\nstepping\t: " + (amd ? "0" : "1") +
        "\nmicrocode\t: 0x1\ncpu MHz\t\t: 2399.998\ncache size\t: 16384 KB\nphysical id\t: 0\n"
        "siblings\t: " +
        std::to_string(f.cpus) + "\ncore id\t\t: " + std::to_string(i) +
        "\ncpu cores\t: " + std::to_string(f.cpus) +
        "\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\n"
        "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
        "clflush mmx "
        "fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid "
        "tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes "
        "xsave "
        "avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch fsgsbase bmi1 avx2 smep bmi2 erms "
        "invpcid rdseed adx smap xsaveopt arat\nbogomips\t: 4799.99\nclflush size\t: 64\n"
        "cache_alignment\t: 64\naddress sizes\t: 46 bits physical, 48 bits virtual\npower "
        "management:\n\n";
  }
  return out;
}

std::string MemInfo(const HostFacts& f) {
  const uint64_t total = f.mem_kb, free = total * 23 / 100, avail = total * 61 / 100;
  const uint64_t buffers = total * 3 / 100, cached = total * 34 / 100;
  auto line = [](std::string_view k, uint64_t v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%-16s%8llu kB\n", (std::string(k) + ":").c_str(),
                  static_cast<unsigned long long>(v));
    return std::string(buf);
  };
  return line("MemTotal", total) + line("MemFree", free) + line("MemAvailable", avail) +
         line("Buffers", buffers) + line("Cached", cached) + line("SwapCached", 0) +
         line("Active", total * 31 / 100) + line("Inactive", total * 28 / 100) +
         line("SwapTotal", f.mem_kb / 2) + line("SwapFree", f.mem_kb / 2 - 1024) +
         line("Dirty", 148) + line("Shmem", total / 100) + line("Slab", total * 4 / 100);
}

std::string ProcVersion(const HostFacts& f) {
  std::string builder =
      "(debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU "
      "Binutils for Debian) 2.40)";
  if (f.family == Family::kUbuntu)
    builder =
        "(buildd@lcy02-amd64-017) (x86_64-linux-gnu-gcc-11 (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, "
        "GNU "
        "ld (GNU Binutils for Ubuntu) 2.38)";
  if (f.family == Family::kRhel)
    builder =
        "(mockbuild@iad1-prod-build001.bld.equ.rockylinux.org) (gcc (GCC) 11.4.1 20230605 (Red Hat "
        "11.4.1-2), GNU ld version 2.35.2-42.el9)";
  if (f.family == Family::kAlpine)
    builder =
        "(buildozer@build-3-19-x86_64) (gcc (Alpine 13.2.1_git20231014) 13.2.1 20231014, GNU ld "
        "(GNU "
        "Binutils) 2.41)";
  return "Linux version " + f.kernel + " " + builder + " " + f.kernel_version + "\n";
}

// Bait: what an intruder looks for first, all fake (documentation ranges, invented keys).
void AddBait(BaseTree& t, const HostFacts& f, const decoy::Persona& p, const std::string& home,
             const std::string& who, int64_t mtime) {
  t.Dir(home, who == "root" ? 0700 : 0750, mtime);
  t.File(home + "/.bashrc",
         "# ~/.bashrc: executed by bash(1) for non-login shells.\n"
         "[ -z \"$PS1\" ] && return\nHISTCONTROL=ignoreboth\nHISTSIZE=1000\n"
         "alias ll='ls -alF'\nalias la='ls -A'\n",
         0644, mtime);
  t.File(home + "/.profile",
         "# ~/.profile: executed by the command interpreter for login shells.\n"
         "if [ -n \"$BASH_VERSION\" ]; then\n    . \"$HOME/.bashrc\"\nfi\n",
         0644, mtime);
  const std::string db = "db" + std::to_string(1 + p.Hash(kSvc, "db") % 4) + ".internal";
  t.File(home + "/.bash_history",
         "ls -la\nsudo systemctl status nginx\ncd /var/www/app\ngit pull\nvi .env\n"
         "mysql -u app -h " +
             db + " -p\ndocker ps\nssh " + f.user +
             "@10.0.3.17\n"
             "tail -f /var/log/nginx/error.log\nexit\n",
         0600, mtime);
  t.Dir(home + "/.ssh", 0700, mtime);
  t.File(home + "/.ssh/known_hosts",
         "|1|" + Base64Encode(std::to_string(p.Hash(kSvc, "kh1"))) + "=|" +
             Base64Encode(std::to_string(p.Hash(kSvc, "kh2"))) +
             "= ssh-ed25519 "
             "AAAAC3NzaC1lZDI1NTE5AAAAIKx3c1Lq8bW0ZyF5n8vR2mQp7dTg4HsJeUaXoNiC9lVw\n"
             "10.0.3.17 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMx"
             "R2k7Qz0WfVYp3LhU9sTnJ4bGc8eD1aOi6mXvK5yHqZ=\n",
         0644, mtime);
  t.File(home + "/.ssh/authorized_keys",
         "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF9pT2wq8JZr4mYd7LkV3cXs0nHb6uEaGoRi1yBtNfQp " +
             f.user + "@workstation\n",
         0600, mtime);
  char key[48];
  std::snprintf(key, sizeof key, "%016llx%016llx",
                static_cast<unsigned long long>(p.Hash(kSvc, "k1")),
                static_cast<unsigned long long>(p.Hash(kSvc, "k2")));
  t.File(home + "/.env",
         "APP_ENV=production\nDB_HOST=" + db +
             "\nDB_USER=app\nDB_PASSWORD=" + std::string(key).substr(0, 20) +
             "\nAWS_ACCESS_KEY_ID=AKIA" + AsciiLower(std::string(key).substr(8, 16)) +
             "\nAWS_SECRET_ACCESS_KEY=" + Base64Encode(key).substr(0, 40) +
             "\nREDIS_URL=redis://:" + std::string(key).substr(4, 12) + "@10.0.3.21:6379/0\n",
         0600, mtime);
}

void AddBinaries(BaseTree& t, const HostFacts& f, int64_t mtime) {
  const bool merged = f.family != Family::kAlpine && f.distro != "centos7";
  for (const std::string& name : CommandNames()) {
    Node n;
    n.mode = 0755;
    n.mtime = mtime;
    n.size_hint = 35000 + (std::hash<std::string>{}(name) % 140000);
    if (f.busybox) {
      n.kind = Node::Kind::kLink;
      n.data = "/bin/busybox";
      n.size_hint = 0;
    }
    t.Add((f.busybox ? "/bin/" : "/usr/bin/") + name, n);
  }
  if (f.busybox) {
    Node bb;
    bb.mode = 0755;
    bb.mtime = mtime;
    bb.size_hint = 824904;
    t.Add("/bin/busybox", bb);
    t.Dir("/bin", 0755, mtime);
  } else if (merged) {
    t.Link("/bin", "usr/bin", mtime);
    t.Link("/sbin", "usr/sbin", mtime);
    t.Link("/lib", "usr/lib", mtime);
    t.Link("/lib64", "usr/lib64", mtime);
  } else {
    t.Dir("/bin", 0755, mtime);
    t.Dir("/sbin", 0755, mtime);
  }
}

void AddProc(BaseTree& t, const HostFacts& f, int64_t mtime) {
  t.Dir("/proc", 0555, mtime);
  t.File("/proc/cpuinfo", CpuInfo(f), 0444, mtime);
  t.File("/proc/meminfo", MemInfo(f), 0444, mtime);
  t.File("/proc/version", ProcVersion(f), 0444, mtime);
  // /proc/uptime and /proc/loadavg change: the cat command writes them at read time (empty here).
  t.File("/proc/uptime", "", 0444, mtime);
  t.File("/proc/loadavg", "", 0444, mtime);
  t.File("/proc/mounts",
         "/dev/vda1 / ext4 rw,relatime,errors=remount-ro 0 0\nproc /proc proc "
         "rw,nosuid,nodev,noexec,relatime 0 0\ntmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n",
         0444, mtime);
  t.Dir("/proc/1", 0555, mtime);
  t.File("/proc/1/cmdline",
         f.busybox ? std::string("/sbin/init\0", 11) : std::string("/sbin/init\0", 11), 0444,
         mtime);
  t.Dir("/proc/self", 0555, mtime);
  // What VM-detection scripts read: a KVM guest, as lscpu and systemd-detect-virt say.
  t.Dir("/sys/class", 0755, mtime);
  t.Dir("/sys/class/dmi", 0755, mtime);
  t.Dir("/sys/class/dmi/id", 0755, mtime);
  t.File("/sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n", 0444, mtime);
  t.File("/sys/class/dmi/id/sys_vendor", "QEMU\n", 0444, mtime);
  t.File("/sys/class/dmi/id/bios_vendor", "SeaBIOS\n", 0444, mtime);
  t.File("/proc/self/cmdline", std::string("-bash\0", 6), 0444, mtime);
  t.Link("/proc/self/exe", f.busybox ? "/bin/busybox" : "/usr/bin/bash", mtime);
}

void AddEtc(BaseTree& t, const HostFacts& f, const decoy::Persona& p, int64_t mtime) {
  t.Dir("/etc", 0755, mtime);
  t.File("/etc/os-release", f.os_release, 0644, mtime);
  t.Link("/usr/lib/os-release", "../../etc/os-release", mtime);
  t.File("/etc/hostname", f.hostname + "\n", 0644, mtime);
  t.File("/etc/hosts",
         "127.0.0.1\tlocalhost\n" + f.ip + "\t" + f.hostname +
             "\n\n::1\tlocalhost "
             "ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n",
         0644, mtime);
  t.File("/etc/passwd", PasswdText(f), 0644, mtime);
  t.File("/etc/group", GroupText(f), 0644, mtime);
  t.File("/etc/shadow", ShadowText(f, p), 0640, mtime);
  t.File("/etc/resolv.conf", "nameserver 10.0.0.2\nsearch internal\n", 0644, mtime);
  t.File("/etc/crontab",
         "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n"
         "17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n",
         0644, mtime);
  t.File("/etc/shells", "/bin/sh\n/bin/bash\n/usr/bin/bash\n", 0644, mtime);
  std::string issue;
  switch (f.family) {
    case Family::kDebian:
      issue = FieldOf(f.os_release, "PRETTY_NAME") + " \\n \\l\n\n";
      break;
    case Family::kUbuntu:
      issue = FieldOf(f.os_release, "PRETTY_NAME") + " \\n \\l\n\n";
      break;
    case Family::kRhel:
      issue = "\\S\nKernel \\r on an \\m\n\n";
      break;
    case Family::kAlpine:
      issue = "Welcome to Alpine Linux 3.19\nKernel \\r on an \\m (\\l)\n\n";
      break;
    case Family::kArch:
      issue = "Arch Linux \\r (\\l)\n\n";
      break;
  }
  t.File("/etc/issue", issue, 0644, mtime);
  if (f.family == Family::kDebian || f.family == Family::kUbuntu) {
    t.File("/etc/debian_version",
           f.distro == "ubuntu22"   ? "bookworm/sid\n"
           : f.distro == "ubuntu20" ? "bullseye/sid\n"
                                    : "12.5\n",
           0644, mtime);
    t.File("/etc/lsb-release",
           f.family == Family::kUbuntu
               ? "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=" + FieldOf(f.os_release, "VERSION_ID") +
                     "\nDISTRIB_CODENAME=" + FieldOf(f.os_release, "VERSION_CODENAME") +
                     "\nDISTRIB_DESCRIPTION=\"" + FieldOf(f.os_release, "PRETTY_NAME") + "\"\n"
               : "",
           0644, mtime);
  }
  if (f.family == Family::kRhel)
    t.File("/etc/redhat-release", FieldOf(f.os_release, "PRETTY_NAME") + "\n", 0644, mtime);
  if (f.family == Family::kAlpine) t.File("/etc/alpine-release", "3.19.1\n", 0644, mtime);
  t.File(
      "/etc/motd",
      f.family == Family::kDebian ? MotdFor(f, 0).substr(0, MotdFor(f, 0).find("Last login")) : "",
      0644, mtime);
  t.Dir("/etc/ssh", 0755, mtime);
  t.File("/etc/ssh/sshd_config",
         "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n"
         "PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\n"
         "X11Forwarding yes\nPrintMotd no\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
         0644, mtime);
}

std::shared_ptr<const BaseTree> BuildTree(const decoy::Persona& p, const HostFacts& f) {
  auto t = std::make_shared<BaseTree>();
  const int64_t m = f.build_epoch;
  t->Dir("/", 0755, m);
  for (const char* d : {"/boot",
                        "/dev",
                        "/home",
                        "/media",
                        "/mnt",
                        "/opt",
                        "/run",
                        "/srv",
                        "/sys",
                        "/usr",
                        "/usr/lib",
                        "/usr/lib64",
                        "/usr/local",
                        "/usr/local/bin",
                        "/usr/sbin",
                        "/usr/share",
                        "/usr/bin",
                        "/var",
                        "/var/log",
                        "/var/lib",
                        "/var/www",
                        "/var/spool",
                        "/var/spool/cron",
                        "/var/backups",
                        "/etc/cron.d"})
    t->Dir(d, 0755, m);
  t->Dir("/tmp", 01777, m);
  t->Dir("/var/tmp", 01777, m);
  t->Dir("/dev/shm", 01777, m);
  t->Dir("/root", 0700, m);
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/tty"}) {
    Node n;
    n.kind = Node::Kind::kDevice;
    n.mode = 0666;
    n.mtime = m;
    t->Add(dev, n);
  }
  AddBinaries(*t, f, m);
  AddEtc(*t, f, p, m);
  AddProc(*t, f, m);
  AddBait(*t, f, p, "/root", "root", m + 86400 * 30);
  AddBait(*t, f, p, "/home/" + f.user, f.user, m + 86400 * 31);
  for (auto& [path, node] : t->nodes) {  // the human's home belongs to them
    if (path.starts_with("/home/" + f.user)) node.owner = node.group = f.user;
  }
  t->File("/var/log/auth.log", "", 0640, m);
  t->File("/var/log/syslog", "", 0640, m);
  t->File("/var/www/html/index.html", "<html><body><h1>It works!</h1></body></html>\n", 0644, m);
  return t;
}

}  // namespace

HostFacts FactsFor(const decoy::Persona& p) {
  HostFacts f;
  f.distro = p.distro();
  f.family = FamilyOf(f.distro);
  f.busybox = f.family == Family::kAlpine || p.os_profile() == "embedded";
  f.hostname = p.hostname();
  f.kernel = p.kernel();
  f.kernel_version = KernelVersionFor(f.family, f.kernel);
  f.os_release = OsReleaseFor(f.distro);
  f.pretty_name = FieldOf(f.os_release, "PRETTY_NAME");
  f.cpu_model = std::string(kCpus[p.Hash(kSvc, "cpu") % std::size(kCpus)]);
  f.cpus = kCpuCounts[p.Hash(kSvc, "cpus") % std::size(kCpuCounts)];
  f.mem_kb = kMemGiB[p.Hash(kSvc, "mem") % std::size(kMemGiB)] * 1024 * 1024 - 180'000;
  f.disk_kb = (20 + p.Hash(kSvc, "disk") % 200) * 1024 * 1024;
  f.disk_used_kb = f.disk_kb * (20 + p.Hash(kSvc, "used") % 55) / 100;
  const uint64_t net = p.Hash(kSvc, "net");
  f.ip = Ip(net);
  f.mac = Mac(net >> 32);
  f.gateway = f.ip.substr(0, f.ip.rfind('.')) + ".1";
  std::string human = std::string(kHumans[p.Hash(kSvc, "user") % std::size(kHumans)]);
  if (f.family == Family::kUbuntu && p.Hash(kSvc, "ubuntu") % 2) human = "ubuntu";
  if (f.family == Family::kRhel && p.Hash(kSvc, "ec2") % 3 == 0) human = "ec2-user";
  f.user = p.Setting(kSvc, "user", human);
  f.boot_epoch = p.boot_epoch();
  f.build_epoch = f.boot_epoch - static_cast<int64_t>(30 + p.Hash(kSvc, "built") % 300) * 86400;
  f.last_login_from = "10.0." + std::to_string(p.Hash(kSvc, "from") % 8) + "." +
                      std::to_string(10 + p.Hash(kSvc, "from2") % 200);
  f.accounts = AccountsFor(f);
  return f;
}

std::shared_ptr<const BaseTree> BaseTreeFor(const decoy::Persona& p, const HostFacts& f) {
  // A decky is one persona, so this is one tree per process; tests create several personas, so the
  // cache is keyed (and bounded: a test process builds a handful).
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const BaseTree>> cache;
  const std::string key = p.ToJson();
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() >= 16) cache.erase(cache.begin());
  auto tree = BuildTree(p, f);
  cache.emplace(key, tree);
  return tree;
}

std::string AscTime(int64_t epoch) {
  const time_t t = static_cast<time_t>(epoch);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

std::string MotdFor(const HostFacts& f, int64_t now) {
  const std::string last = "Last login: " + AscTime(now - 3600 * 26 - (f.boot_epoch % 7000)) +
                           " from " + f.last_login_from + "\n";
  switch (f.family) {
    case Family::kDebian:
      return "Linux " + f.hostname + " " + f.kernel + " " + f.kernel_version +
             " x86_64\n\nThe programs included with the Debian GNU/Linux system are free "
             "software;\n"
             "the exact distribution terms for each program are described in the\n"
             "individual files in /usr/share/doc/*/copyright.\n\n"
             "Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent\npermitted by "
             "applicable law.\n" +
             last;
    case Family::kUbuntu:
      return "Welcome to " + f.pretty_name + " (GNU/Linux " + f.kernel +
             " x86_64)\n\n * Documentation:  https://help.ubuntu.com\n * Management:     "
             "https://landscape.canonical.com\n * Support:        https://ubuntu.com/advantage\n\n"
             "  System information as of " +
             AscTime(now) +
             " UTC\n\n"
             "  System load:  0.08               Processes:             " +
             std::to_string(96 + f.cpus * 8) +
             "\n  Usage of /:   " + std::to_string(f.disk_used_kb * 100 / f.disk_kb) + ".1% of " +
             std::to_string(f.disk_kb / 1024 / 1024) +
             ".00GB   Users logged in:       0\n"
             "  Memory usage: 23%                IPv4 address for eth0: " +
             f.ip +
             "\n  Swap usage:   0%\n\n\nThe list of available updates is more than a week old.\n"
             "To check for new updates run: sudo apt update\n\n" +
             last;
    case Family::kRhel:
      return (f.distro == "rocky9"
                  ? "Activate the web console with: systemctl enable --now cockpit.socket\n\n"
                  : std::string()) +
             last;
    case Family::kAlpine:
      return "Welcome to Alpine!\n\nThe Alpine Wiki contains a large amount of how-to guides and "
             "general\n"
             "information about administrating Alpine systems.\nSee "
             "<https://wiki.alpinelinux.org/>.\n\n"
             "You can setup the system with the command: setup-alpine\n\n"
             "You may change this message by editing /etc/motd.\n\n";
    case Family::kArch:
      return last;
  }
  return last;
}

const std::vector<std::string>& CommandNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, fn] : Commands())
      if (name != "exit" && name != "logout" && name != "cd" && name != "export" &&
          name != "history" && name != "type" && name != "unset" && name != "alias" &&
          name != "source" && name != ".")
        v.push_back(name);
    return v;
  }();
  return names;
}

}  // namespace decnet::services::shell
