// Telnet (RFC 854) as one of two real daemons answers it, picked per persona (setting `product`:
// linux | busybox; default busybox on alpine or an embedded os_profile, else linux):
//
//  - linux: netkit/inetutils telnetd on Debian, Ubuntu and the RHEL family. It first asks DO TTYPE,
//    DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON and waits for the answers (nmap -sV: "Linux telnetd"),
//    then SENDs for each option the client enabled, WILL SGA, WILL ECHO, DO NAWS, prints
//    /etc/issue.net ("Debian GNU/Linux 12") and login(1)'s "<hostname> login: ". A USER sent
//    through NEW-ENVIRON goes straight to "Password: ", as login -p <user> does.
//  - busybox: busybox telnetd on IoT/alpine: DO ECHO, DO NAWS, WILL ECHO, WILL SGA, then busybox
//    login's "\r\r\n<hostname> login: " at once (nmap -sV: "BusyBox telnetd").
//
// Every password is an event `login_attempt` (the exact bytes through the credential shape, field
// `success`); the accept policy (services/shell/auth_policy.h, settings `accept`, `users`) decides.
// A failure answers "Login incorrect" after `fail_delay_ms` (3000, as login's FAIL_DELAY) and the
// connection closes after `max_attempts` (3). A login runs the shared shell (services/shell) with
// the terminal type from TTYPE and the size from NAWS (later NAWS resizes it).
//
// Bounds (settings, counted in health): `max_login_line` (256 bytes of a user name or password; the
// rest is dropped), `max_prelogin_bytes` (65536 bytes before a login succeeds, then the connection
// is closed), the SB buffer (512 bytes; a longer SB is dropped whole), `negotiate_timeout_ms`
// (linux: how long to wait for the first answers, 10000 -- longer than nmap's 6 s wait for a
// banner). Terminal type (event `terminal_type`) and NEW-ENVIRON variables (event `environ`) are
// logged once each.
#pragma once

#include <functional>
#include <memory>

#include "decnet/decoy/service.h"
#include "decnet/services/shell/shell.h"

namespace decnet::services::telnet {

std::unique_ptr<decoy::Service> MakeTelnet(decoy::Host& host);

// The seam for tests: the shell a successful login starts (MakeTelnet uses shell::NewShell).
using ShellFactory = std::function<std::unique_ptr<shell::Shell>(
    decoy::Connection& conn, shell::Terminal& terminal, shell::ShellOptions options)>;
std::unique_ptr<decoy::Service> MakeTelnetWithShell(decoy::Host& host, ShellFactory shell_factory);

}  // namespace decnet::services::telnet
