// What the persona's distro looks like from a shell: the facts one host keeps consistent across
// `uname`, /etc/os-release, the MOTD, `ps` and the fake filesystem. Every choice comes from
// Persona::Hash, so a decky shows the same machine on every start.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "decnet/decoy/persona.h"
#include "fs.h"

namespace decnet::services::shell {

enum class Family : uint8_t { kDebian, kUbuntu, kRhel, kAlpine, kArch };

struct Account {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string gecos, home, shell;
};

struct HostFacts {
  Family family = Family::kDebian;
  bool busybox = false;  // alpine / embedded: busybox applets and wording
  std::string hostname, kernel, distro;
  std::string pretty_name;     // "Debian GNU/Linux 12 (bookworm)"
  std::string kernel_version;  // uname -v: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"
  std::string os_release;      // the whole /etc/os-release
  std::string cpu_model;
  int cpus = 2;
  uint64_t mem_kb = 4'000'000;
  uint64_t disk_kb = 30'000'000, disk_used_kb = 9'000'000;
  std::string ip, mac, gateway;  // the decky's address as its `ip a` shows it
  std::string user;              // the human account (uid 1000)
  std::vector<Account> accounts;
  int64_t boot_epoch = 0;
  std::string last_login_from;
  int64_t build_epoch = 0;  // mtime of the base tree (the "install" date)
};

HostFacts FactsFor(const decoy::Persona& persona);

// The base tree of this persona, built on first use and shared by every later session of the
// process.
std::shared_ptr<const BaseTree> BaseTreeFor(const decoy::Persona& persona, const HostFacts& facts);

// The login banner (MOTD + "Last login: ...") as the distro prints it, with "\n" line ends.
std::string MotdFor(const HostFacts& facts, int64_t now_epoch);

// The shell's command names (what /bin and /usr/bin list, what `which` finds).
const std::vector<std::string>& CommandNames();

// "Fri Dec  4 19:02:05 2026" (asctime without the newline), in UTC.
std::string AscTime(int64_t epoch);

}  // namespace decnet::services::shell
