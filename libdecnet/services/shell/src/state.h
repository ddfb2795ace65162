// The state one shell session runs commands against, and the command table. Internal to svc_shell
// (the tests include it to check the executor alone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/service.h"
#include "decnet/services/shell/shell.h"
#include "distro.h"
#include "fs.h"
#include "parser.h"

namespace decnet::services::shell {

// A bounded output buffer: past `cap` bytes, output is dropped and counted (one command cannot make
// the decky hold megabytes). cap 0 = /dev/null.
class Out {
 public:
  explicit Out(size_t cap) : cap_(cap) {}
  void Write(std::string_view s);
  std::string& bytes() { return buf_; }
  uint64_t dropped() const { return dropped_; }

 private:
  std::string buf_;
  size_t cap_;
  uint64_t dropped_ = 0;
};

struct Io {
  std::string_view in;
  Out* out = nullptr;
  Out* err = nullptr;
};

struct SessionLimits {
  size_t max_output = 256 << 10;     // one command line's output
  size_t max_expansion = 256 << 10;  // argv bytes of one command ("Argument list too long")
  size_t max_var_bytes = 64 << 10;   // one variable's value
  size_t max_vars = 256;
  size_t max_vars_bytes = 128 << 10;  // all variables together (names and values)
  int max_depth = 8;                  // $( ) / sh -c / scripts inside each other
  size_t max_history = 500;
  size_t max_steps = 10000;  // simple commands run for one input line (scripts, recursion)
  size_t max_functions = 32;
  size_t max_function_bytes = 16 << 10;  // all function bodies together
};

class ShellState;
struct Ctx {
  ShellState& sh;
  Io io;
  std::vector<std::string> argv;
  void Print(std::string_view s) { io.out->Write(s); }
  void Error(std::string_view s) { io.err->Write(s); }
  void PauseOutput(uint64_t ms);  // a pause before what follows, when it goes to the terminal
};
using CommandFn = int (*)(Ctx& c);

using CommandTable = std::map<std::string, CommandFn, std::less<>>;
// name -> implementation. Built once; also the listing of /bin and /usr/bin.
const CommandTable& Commands();
void AddFileCommands(CommandTable& t);     // commands_files.cpp
void AddSystemCommands(CommandTable& t);   // commands_system.cpp
void AddNetworkCommands(CommandTable& t);  // commands_net.cpp
void AddExtraCommands(CommandTable& t);    // commands_extra.cpp

// Names bash resolves itself (no file in /usr/bin): cd, export, alias, ...
bool IsShellBuiltin(std::string_view name);

// A download the shell was asked to make (the seam for operator-enabled real fetching).
struct DownloadRequest {
  std::string url, tool, output;
};

class ShellState {
 public:
  ShellState(decoy::Connection& conn, const ShellOptions& options);

  // Parses and runs one line (depth counted); returns its exit status. Used by the session for what
  // is typed and by $( ), sh -c, scripts and sudo.
  int RunLine(std::string_view line, Io io);
  // Runs one already split command (sudo, busybox APPLET, xargs).
  int RunArgv(std::vector<std::string> argv, Io io);

  std::string Var(std::string_view name) const;
  void SetVar(const std::string& name, std::string value, bool exported = false);
  void UnsetVar(const std::string& name);
  bool UnsetFunction(const std::string& name);
  const std::map<std::string, std::string, std::less<>>& vars() const { return vars_; }
  bool IsExported(const std::string& name) const { return exported_.count(name) != 0; }

  // A path argument as an absolute path (relative to cwd, ~ already expanded by the parser).
  std::string Abs(std::string_view path) const { return NormalizePath(cwd, path); }
  std::string PromptText() const;
  int64_t Now() const;
  // "cmd: path: No such file or directory" style errors.
  void FsFail(Ctx& c, std::string_view cmd, std::string_view path, FsError e);
  // Logs the attempt. The seam for operator-enabled real fetching: a fetcher would be called here
  // and its result (bytes as an artifact, or the failure) decide what the command prints. Off:
  // always fails.
  void Download(const DownloadRequest& req);
  // An event carrying a password the attacker typed or set (universal credential shape).
  void LogSecret(std::string_view type, std::string_view principal, std::string_view secret,
                 std::string_view tool);

  decoy::Connection& conn;
  const ShellOptions& options;
  HostFacts facts;
  Fs fs;
  SessionLimits limits;
  std::string user, home, cwd, oldpwd;
  int last_status = 0;
  int depth = 0;
  size_t steps = 0;
  bool exit_requested = false;
  int loop_depth = 0;
  int break_levels = 0;  // `break N` / `continue` unwinding loops
  bool continue_requested = false;
  int exit_status = 0;
  std::deque<std::string> history;
  std::vector<std::string> positional;  // $1..$9, $#, $@ of the running function or script
  std::string arg0;                     // $0 of a script ("" = the login shell's "-bash")
  // Runs `text` with $1... set to `args` (and $0 to `name` unless empty), then restores them.
  int RunWithArgs(std::string_view text, std::string name, std::vector<std::string> args, Io io);
  uint64_t downloads = 0;
  uint64_t expansions_refused = 0;
  // Pauses in the session's output (a download "connecting"): the session shows the output up to
  // `offset` of `terminal`, waits `ms`, then goes on. Only for output that reaches the terminal.
  struct Pause {
    size_t offset = 0;
    uint64_t ms = 0;
  };
  Out* terminal = nullptr;
  std::vector<Pause> pauses;
  // A command that asks the terminal for secrets (passwd, su, sudo): the session shows each prompt,
  // reads the answers without echo, then calls `done` with them; its status becomes $?.
  struct Dialog {
    std::vector<std::string> prompts;
    std::function<int(ShellState&, Io, const std::vector<std::string>&)> done;
  };
  std::optional<Dialog> dialog;
  // True when `c`'s output is the interactive terminal (a dialog can be answered).
  bool CanAsk(const Ctx& c) const;
  void PauseOutput(const Io& io, uint64_t ms);

 private:
  void AddLoginAccount();
  int RunScript(const Script& s, Io io);
  int RunAndOr(const AndOr& list, Io io);
  int RunPipeline(const Pipeline& p, Io io);
  int RunCommand(const Command& cmd, Io io);
  int RunCompound(const Command& cmd, Io io);
  bool LoopShouldStop();
  int DefineFunction(const Command& cmd, Io io);
  int RunSimple(const SimpleCommand& cmd, Io io);
  int RunFile(const std::string& path, std::vector<std::string> argv, Io io);
  bool Expand(const Word& w, std::vector<std::string>* fields, size_t* budget, Io io);
  std::string ExpandOne(const Word& w, size_t* budget, Io io);
  std::string ExpandVariable(std::string_view spec) const;
  std::string Substitute(std::string_view inner, Io io);
  void Glob(const std::string& pattern, std::vector<std::string>* fields);
  struct Redirections;
  bool ApplyRedirects(const std::vector<Redirect>& redirects, size_t* budget, Io* io,
                      Redirections* r);
  int FlushRedirects(Redirections* r, Io io, int status);
  int64_t ArithEval(std::string_view expr, Io io);

  std::map<std::string, std::string, std::less<>> vars_;
  std::set<std::string, std::less<>> exported_;
  size_t vars_bytes_ = 0;
  std::map<std::string, std::string, std::less<>> functions_;  // name -> body text
  size_t function_bytes_ = 0;
};

// Shell-style glob match: * ? [abc] [a-z] [!x].
bool GlobMatch(std::string_view pattern, std::string_view name);

}  // namespace decnet::services::shell
