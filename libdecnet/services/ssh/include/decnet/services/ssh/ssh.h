// The SSH service of a decky (issue 15): our own SSH-2 server transport (transport.h), so the
// identification and every KEXINIT list are exactly those of the sshd the persona's distro ships
// (HASSHServer equal to the real one), then userauth (none, password, keyboard-interactive,
// publickey offers logged with their SHA256 fingerprint) under the shared accept policy, and
// session channels running the shared shell (pty, shell, exec, window-change, env), sftp and scp
// through ssh_files. Forwarding requests are logged with their targets and refused.
//
// Events: ssh_kex (client banner, hassh, chosen algorithms), login_attempt (every attempt, the
// password as a secret), pty_request, env, subsystem, direct_tcpip, tcpip_forward.
// Settings (ssh): version (identification), kbd_interactive, fail_delay_ms, plus the accept
// policy's accept, users, accept_after.
#pragma once

#include <memory>

#include "decnet/decoy/service.h"

namespace decnet::services::ssh {

std::unique_ptr<decoy::Service> MakeSsh(decoy::Host& host);

}  // namespace decnet::services::ssh
