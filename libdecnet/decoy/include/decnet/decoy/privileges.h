// Process-level confinement of a decky: enter its network namespace before binding, then give up
// everything once the ports are bound (an attacker who takes over a decky gets an unprivileged process
// with no capabilities and no way to gain any).
#pragma once

#include <string>
#include <vector>

#include "decnet/core/result.h"

namespace decnet::decoy {

// setns(CLONE_NEWNET) into the namespace at `path` (/run/netns/<name>). Needs CAP_SYS_ADMIN.
Status EnterNetworkNamespace(const std::string& path);

// uid and gid of `user` from /etc/passwd (no NSS). kNotFound when absent.
struct UserIds {
  unsigned uid = 0, gid = 0;
};
Result<UserIds> LookupUser(const std::string& user);

// When running as root: setgroups/setgid/setuid to `user` (from /etc/passwd, read directly: NSS
// modules cost memory and may not exist in a FROM-scratch image). Then, as any user: PR_SET_NO_NEW_PRIVS,
// drop every capability from the bounding, ambient, permitted, effective and inheritable sets.
// kNotFound when `user` does not exist; kIo when a step fails (the process must then exit).
// `keep_gids` become the only supplementary groups (the groups of the collector and bus sockets, so
// the decky can reconnect to them after a restart of either).
Status DropPrivileges(const std::string& user, const std::vector<unsigned>& keep_gids = {});

// The effective capability mask of this process (for tests and the health event).
unsigned long long EffectiveCapabilities();

}  // namespace decnet::decoy
