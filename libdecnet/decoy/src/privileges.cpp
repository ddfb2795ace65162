#include "decnet/decoy/privileges.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace decnet::decoy {
namespace {

Error Sys(const std::string& what) { return MakeError(Errc::kIo, what + ": " + std::strerror(errno)); }

// Reads uid and gid of `user` from /etc/passwd (no NSS: see the header).
bool ReadPasswd(const std::string& user, uid_t* uid, gid_t* gid) {
  FILE* f = std::fopen("/etc/passwd", "re");
  if (f == nullptr) return false;
  char line[1024];
  bool found = false;
  while (!found && std::fgets(line, sizeof line, f) != nullptr) {
    std::string_view l(line);
    const size_t c1 = l.find(':');
    if (c1 == std::string_view::npos || l.substr(0, c1) != user) continue;
    const size_t c2 = l.find(':', c1 + 1), c3 = l.find(':', c2 + 1), c4 = l.find(':', c3 + 1);
    if (c2 == std::string_view::npos || c3 == std::string_view::npos || c4 == std::string_view::npos)
      break;
    *uid = static_cast<uid_t>(std::strtoul(std::string(l.substr(c2 + 1, c3 - c2 - 1)).c_str(), nullptr, 10));
    *gid = static_cast<gid_t>(std::strtoul(std::string(l.substr(c3 + 1, c4 - c3 - 1)).c_str(), nullptr, 10));
    found = true;
  }
  std::fclose(f);
  return found;
}

}  // namespace

Result<UserIds> LookupUser(const std::string& user) {
  uid_t uid = 0;
  gid_t gid = 0;
  if (!ReadPasswd(user, &uid, &gid))
    return MakeError(Errc::kNotFound, "no user '" + user + "' in /etc/passwd");
  return UserIds{uid, gid};
}

Status EnterNetworkNamespace(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Sys("open network namespace " + path);
  const int rc = setns(fd, CLONE_NEWNET);
  const int err = errno;
  close(fd);
  errno = err;
  if (rc != 0) return Sys("enter network namespace " + path);
  return Ok();
}

Status DropPrivileges(const std::string& user, const std::vector<unsigned>& keep_gids) {
  // The bounding set first, while CAP_SETPCAP is still effective (setuid clears it). Without it the
  // set stays as given, and no_new_privs below keeps it from ever being used.
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  if (geteuid() == 0 && !user.empty()) {
    auto ids = LookupUser(user);
    if (!ids) return MakeError(Errc::kNotFound, "run_as: " + ids.error().message);
    const uid_t uid = ids->uid;
    const gid_t gid = ids->gid;
    std::vector<gid_t> groups(keep_gids.begin(), keep_gids.end());
    if (setgroups(groups.size(), groups.data()) != 0) return Sys("setgroups");
    if (setresgid(gid, gid, gid) != 0) return Sys("setgid " + std::to_string(gid));
    if (setresuid(uid, uid, uid) != 0) return Sys("setuid " + std::to_string(uid));
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &hdr, data) != 0) return Sys("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Sys("no_new_privs");
  if (EffectiveCapabilities() != 0) return MakeError(Errc::kIo, "capabilities still held after drop");
  return Ok();
}

unsigned long long EffectiveCapabilities() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return ~0ULL;
  return (static_cast<unsigned long long>(data[1].effective) << 32) | data[0].effective;
}

}  // namespace decnet::decoy
