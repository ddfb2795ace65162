// A shell under test: a TestDecky, a FakeConnection, and a Terminal that keeps what the shell
// shows.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/shell/shell.h"

namespace decnet::services::shell::testing {

class TestTerminal final : public Terminal {
 public:
  void Output(std::string_view bytes) override {
    if (exited) after_exit = true;
    screen.append(bytes);
  }
  void Exit(int status) override {
    ++exits;
    exited = true;
    exit_status = status;
  }
  std::string Take() {
    std::string s = std::move(screen);
    screen.clear();
    return s;
  }
  std::string screen;
  bool exited = false, after_exit = false;
  int exits = 0, exit_status = -1;
};

// A persona of `distro`; output pauses run at `pause_percent` of their real length (1: 15 ms for a
// download's 1.5 s, so tests see the pause without waiting for it).
inline decoy::PersonaInputs Distro(std::string distro, std::string hostname = "web-01",
                                   std::string pause_percent = "1") {
  decoy::PersonaInputs in;
  in.distro = std::move(distro);
  in.hostname = std::move(hostname);
  in.settings["ssh"]["pause_percent"] = std::move(pause_percent);
  return in;
}

struct ShellSession {
  explicit ShellSession(decoy::PersonaInputs in = Distro("debian"), bool interactive = true,
                        std::string user = "root")
      : decky(std::move(in)), conn(*decky.decky, 22) {
    ShellOptions o;
    o.service = "ssh";
    o.user = std::move(user);
    o.interactive = interactive;
    o.term = "xterm-256color";
    o.client_banner = "SSH-2.0-OpenSSH_9.2p1";
    shell = NewShell(conn, term, o);
  }
  ~ShellSession() {
    if (shell) shell->Close();
  }
  // Types a line; returns what the screen showed after the echo (output and the next prompt).
  std::string Type(std::string_view line) {
    term.Take();
    shell->Feed(std::string(line) + "\r");
    Settle();
    return term.Take();
  }
  // Runs every pause the output asked for (a download "connecting") to its end.
  void Settle() {
    decky.RunUntil([this] { return !uv_loop_alive(&decky.loop); }, 30000);
  }
  // Runs a line and returns only its output (the echoed line and the prompt removed), "\n" ends.
  std::string Run(std::string_view line) {
    std::string s = Type(line);
    const size_t echo = s.find("\r\n");
    s = echo == std::string::npos ? s : s.substr(echo + 2);
    const size_t prompt = s.rfind("\r\n");
    s = prompt == std::string::npos ? std::string() : s.substr(0, prompt + 2);
    std::string out;
    for (size_t i = 0; i < s.size(); ++i)
      if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out.push_back(s[i]);
    return out;
  }
  decoy::testing::TestDecky decky;
  decoy::testing::FakeConnection conn;
  TestTerminal term;
  std::unique_ptr<Shell> shell;
};

}  // namespace decnet::services::shell::testing
