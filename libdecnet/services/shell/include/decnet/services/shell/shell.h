// The emulated shell that SSH and Telnet sessions share (issue 15).
//
// One Shell per login session. The transport (SSH channel, Telnet connection) feeds it the
// attacker's bytes and gives it a Terminal to write to; the shell does the line discipline when
// interactive (echo, backspace, ^C, ^D, ^U), parses what is typed (`;`, `&&`, `||`, pipes,
// redirections, quotes, `$(...)`, backticks, variables), runs it against a per-decky fake
// filesystem (writes kept per session in memory, bounded; nothing touches the real host) and logs
// every command line as an event.
//
// Everything runs on the decky's loop thread. A command may be asynchronous (a real download when
// an operator enabled fetching): input that arrives meanwhile is buffered (bounded) and run after
// it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::shell {

// What the shell writes to. The transport turns output into channel data / Telnet bytes.
class Terminal {
 public:
  virtual ~Terminal() = default;
  // Bytes for the attacker's screen. In interactive (pty) mode "\n" is already "\r\n".
  virtual void Output(std::string_view bytes) = 0;
  // The shell is done (`exit`, ^D on an empty line, the end of an exec command): the transport
  // sends the exit status and closes the channel / connection. Called once; no Output after it.
  virtual void Exit(int status) = 0;
};

struct ShellOptions {
  std::string service;      // "ssh" or "telnet": the APP-NAME of the shell's events
  std::string user;         // the account logged in ("root")
  bool interactive = true;  // a pty: prompt, echo, line editing, "\r\n" output
  uint16_t term_cols = 80, term_rows = 24;
  std::string term;           // TERM from pty-req / Telnet TTYPE ("xterm-256color"), may be empty
  std::string client_banner;  // SSH client version string, for the session events
  bool record = true;         // keep an asciicast v2 recording (interactive sessions)
};

// Counts a Shell keeps (reported in the session end event and in health).
struct ShellStats {
  uint64_t commands = 0;  // command lines run
  uint64_t bytes_in = 0, bytes_out = 0;
  uint64_t downloads = 0;          // file_download_attempt events
  uint64_t truncated_lines = 0;    // input lines over the limit (cut)
  uint64_t fs_writes_refused = 0;  // writes past the per-session filesystem budget
};

class Shell {
 public:
  virtual ~Shell() = default;
  // Interactive: prints the MOTD/last-login banner as the persona's distro does, then the prompt.
  virtual void Start() = 0;
  // Raw bytes typed by the attacker (interactive) or stdin of an exec command.
  virtual void Feed(std::string_view bytes) = 0;
  // Non-interactive: runs one command line (SSH `exec`, `sh -c`), writes its output, then Exit().
  virtual void Exec(std::string_view command_line) = 0;
  // The client closed its side (EOF on stdin).
  virtual void Eof() = 0;
  // The terminal was resized (SSH window-change, Telnet NAWS).
  virtual void Resize(uint16_t cols, uint16_t rows) = 0;
  // The transport is going away: store the recording, log session end. Idempotent; no Terminal
  // calls.
  virtual void Close() = 0;
  virtual const ShellStats& stats() const = 0;
};

// A shell for one session on `conn` (its host gives the persona, events, artifacts and bounds).
// `terminal` must outlive the shell.
std::unique_ptr<Shell> NewShell(decoy::Connection& conn, Terminal& terminal, ShellOptions options);

}  // namespace decnet::services::shell
