// The executor: walks the parse tree, expands words, wires pipes and redirections, finds commands.
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <utility>

#include "decnet/decoy/persona.h"
#include "decnet/services/shell/fetch.h"
#include "state.h"

namespace decnet::services::shell {
namespace {

bool IsIfs(char c) { return c == ' ' || c == '\t' || c == '\n'; }

std::string HomeOf(std::string_view user) {
  return user == "root" ? std::string("/root") : "/home/" + std::string(user);
}

// The per-session overlay budget: settings fs_max_bytes / fs_max_entries of the login service.
Fs::Budget BudgetFor(const decoy::Persona& p, const std::string& service) {
  Fs::Budget b;
  const std::string bytes = p.Setting(service, "fs_max_bytes"),
                    entries = p.Setting(service, "fs_max_entries");
  if (!bytes.empty()) b.max_bytes = std::strtoull(bytes.c_str(), nullptr, 10);
  if (!entries.empty()) b.max_entries = std::strtoull(entries.c_str(), nullptr, 10);
  return b;
}

}  // namespace

void Out::Write(std::string_view s) {
  const size_t room = cap_ > buf_.size() ? cap_ - buf_.size() : 0;
  if (s.size() > room) dropped_ += s.size() - room;
  buf_.append(s.substr(0, std::min(room, s.size())));
}

// One redirected output: collected, then written to the fake filesystem when the command ends.
struct ShellState::Redirections {
  struct File {
    std::string path;
    bool append = false;
    std::unique_ptr<Out> out;
  };
  std::vector<File> files;
  Out null{0};
  std::string input;
  bool has_input = false;
};

ShellState::ShellState(decoy::Connection& c, const ShellOptions& o)
    : conn(c),
      options(o),
      facts(FactsFor(c.host().persona())),
      fs(BaseTreeFor(c.host().persona(), facts), BudgetFor(c.host().persona(), o.service)) {
  // One command line's output stays well under what the connection queues for a slow peer.
  limits.max_output =
      std::min(limits.max_output, std::max<size_t>(4096, c.host().limits().max_output_bytes / 2));
  user = options.user.empty() ? "root" : options.user;
  home = HomeOf(user);
  AddLoginAccount();
  cwd = home;
  // The address the attacker reached is the one `ip a` shows (unless it is loopback: tests, local
  // runs).
  const std::string& local_ip = c.local().ip;
  if (!local_ip.empty() && !local_ip.starts_with("127.") && local_ip != "::1" &&
      local_ip.find(':') == std::string::npos) {
    facts.ip = local_ip;
    facts.gateway = local_ip.substr(0, local_ip.rfind('.')) + ".1";
  }
  const bool root = user == "root";
  SetVar("PATH",
         root ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
              : "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games",
         true);
  SetVar("HOME", home, true);
  SetVar("USER", user, true);
  SetVar("LOGNAME", user, true);
  SetVar("SHELL", facts.busybox ? "/bin/ash" : "/bin/bash", true);
  SetVar("TERM", options.term.empty() ? "xterm" : options.term, true);
  SetVar("LANG", facts.busybox ? "C.UTF-8" : "en_US.UTF-8", true);
  SetVar("SHLVL", "1", true);
  SetVar("HOSTNAME", facts.hostname);
  SetVar("IFS", " \t\n");
  SetVar("PPID", std::to_string(20000 + c.id() * 37 % 9000));  // the session's sshd (see ps)
  if (!facts.busybox) {
    const bool old = facts.distro == "ubuntu20" || facts.distro == "centos7";
    SetVar("BASH_VERSION", facts.family == Family::kUbuntu
                               ? (old ? "5.0.17(1)-release" : "5.1.16(1)-release")
                           : old ? "4.2.46(2)-release"
                                 : "5.2.15(1)-release");
  }
}

// A login the persona's accounts lack (the accept policy let "admin" in): it gets uid 1001, a line
// in passwd, group and shadow, and a home, in this session's overlay, so id, ls -l and grep agree.
void ShellState::AddLoginAccount() {
  for (const Account& a : facts.accounts)
    if (a.name == user) return;
  const bool busybox = facts.busybox;
  facts.accounts.push_back(
      {user, 1001, 1001, user + ",,,", home, busybox ? "/bin/ash" : "/bin/bash"});
  auto append = [this](const char* path, const std::string& line) {
    if (const Node* n = fs.Lookup(path)) fs.Write(path, n->data + line, false, facts.build_epoch);
  };
  append("/etc/passwd",
         user + ":x:1001:1001:" + user + ",,,:" + home + ":" + facts.accounts.back().shell + "\n");
  append("/etc/group", user + ":x:1001:\n");
  append("/etc/shadow",
         user + ":!:" + std::to_string(facts.build_epoch / 86400) + ":0:99999:7:::\n");
  if (!fs.Lookup(home)) {
    fs.Mkdir(home, facts.build_epoch, true);
    fs.Chown(home, user, user);
  }
}

int64_t ShellState::Now() const { return conn.host().WallUs() / 1'000'000; }

std::string ShellState::Var(std::string_view name) const {
  if (name == "PWD") return cwd;
  if (name == "OLDPWD") return oldpwd;
  if (name == "UID" || name == "EUID") return user == "root" ? "0" : "1000";
  if (name == "RANDOM") return std::to_string((conn.host().NowMs() * 2654435761u >> 7) % 32768);
  auto it = vars_.find(name);
  return it == vars_.end() ? std::string() : it->second;
}

void ShellState::SetVar(const std::string& name, std::string value, bool exported) {
  if (value.size() > limits.max_var_bytes) {
    value.resize(limits.max_var_bytes);
    ++expansions_refused;
  }
  if (name == "PWD") {
    cwd = NormalizePath("/", value);
    return;
  }
  auto it = vars_.find(name);
  const size_t old = it == vars_.end() ? 0 : it->second.size() + name.size();
  if ((it == vars_.end() && vars_.size() >= limits.max_vars) ||
      vars_bytes_ - old + value.size() + name.size() > limits.max_vars_bytes) {
    ++expansions_refused;
    return;
  }
  vars_bytes_ = vars_bytes_ - old + value.size() + name.size();
  vars_[name] = std::move(value);
  if (exported && exported_.size() < limits.max_vars) exported_.insert(name);
}

void ShellState::UnsetVar(const std::string& name) {
  if (auto it = vars_.find(name); it != vars_.end()) {
    vars_bytes_ -= it->second.size() + name.size();
    vars_.erase(it);
  }
  exported_.erase(name);
}

std::string ShellState::PromptText() const {
  const bool root = user == "root";
  std::string where = cwd;
  if (cwd == home) {
    where = "~";
  } else if (cwd.starts_with(home + "/")) {
    where = "~" + cwd.substr(home.size());
  }
  const char sigil = root ? '#' : '$';
  if (facts.busybox) return where + " " + sigil + " ";
  if (facts.family == Family::kRhel) {
    const std::string base = where == "~" ? where : std::string(Basename(cwd));
    return "[" + user + "@" + facts.hostname + " " + base + "]" + sigil + " ";
  }
  return user + "@" + facts.hostname + ":" + where + sigil + " ";
}

void ShellState::FsFail(Ctx& c, std::string_view cmd, std::string_view path, FsError e) {
  std::string m(cmd);
  m.append(": ");
  m.append(path);
  m.append(": ");
  m.append(FsErrorText(e));
  m.push_back('\n');
  c.Error(m);
}

void ShellState::Download(const DownloadRequest& req) {
  ++downloads;
  conn.host()
      .log()
      .New(options.service, "file_download_attempt")
      .From(conn)
      .Add("url", req.url)
      .Add("tool", req.tool)
      .Add("output", req.output)
      .Add("cwd", cwd)
      .Add("user", user)
      .Emit();
  // Operator-enabled capture (fetch.h): the payload is fetched and stored by the decky; what the
  // attacker sees stays the failed download the command prints.
  if (req.tool == "wget" || req.tool == "curl") {
    StartPayloadFetch(conn.host(), {options.service, conn.remote(), conn.local().port, conn.id()},
                      req.url);
  }
}

bool ShellState::CanAsk(const Ctx& c) const {
  return options.interactive && terminal != nullptr && c.io.out == terminal && c.io.in.empty() &&
         !dialog;
}

void Ctx::PauseOutput(uint64_t ms) { sh.PauseOutput(io, ms); }

void ShellState::PauseOutput(const Io& io, uint64_t ms) {
  if (io.out != terminal || terminal == nullptr || pauses.size() >= 8) return;
  pauses.push_back({terminal->bytes().size(), ms});
}

void ShellState::LogSecret(std::string_view type, std::string_view principal,
                           std::string_view secret, std::string_view tool) {
  conn.host()
      .log()
      .New(options.service, type)
      .From(conn)
      .Secret(principal, secret, "plaintext")
      .Add("tool", tool)
      .Add("user", user)
      .Emit();
}

int ShellState::RunLine(std::string_view line, Io io) {
  if (depth >= limits.max_depth) {
    io.err->Write(facts.busybox ? "-sh: recursion too deep\n"
                                : "-bash: maximum function nesting level exceeded (8)\n");
    return 1;
  }
  ParseResult parsed = ParseCommandLine(line);
  if (!parsed.ok()) {
    io.err->Write((facts.busybox ? "-sh: " : "-bash: ") + parsed.error + "\n");
    return last_status = 2;
  }
  ++depth;
  const int status = RunScript(parsed.script, io);
  --depth;
  return status;
}

int ShellState::RunScript(const Script& s, Io io) {
  int status = last_status;
  for (const AndOr& list : s.lists) {
    if (exit_requested || break_levels > 0 || continue_requested) break;
    status = RunAndOr(list, io);
  }
  return status;
}

int ShellState::RunAndOr(const AndOr& list, Io io) {
  int status = RunPipeline(list.pipelines[0], io);
  for (size_t i = 0; i < list.ops.size() && !exit_requested && !break_levels && !continue_requested;
       ++i) {
    const bool run = list.ops[i] == AndOr::Op::kAnd ? status == 0 : status != 0;
    if (run) status = RunPipeline(list.pipelines[i + 1], io);
  }
  return status;
}

int ShellState::RunPipeline(const Pipeline& p, Io io) {
  if (p.commands.size() == 1) return last_status = RunCommand(p.commands[0], io);
  std::string input(io.in);
  int status = 0;
  for (size_t i = 0; i < p.commands.size(); ++i) {
    const bool last = i + 1 == p.commands.size();
    Out pipe(limits.max_output);
    Io sub{input, last ? io.out : &pipe, io.err};
    status = RunCommand(p.commands[i], sub);
    if (!last) input = std::move(pipe.bytes());
  }
  return last_status = status;
}

int ShellState::RunCommand(const Command& cmd, Io io) {
  if (cmd.kind == Command::Kind::kSimple) return RunSimple(cmd.simple, io);
  size_t budget = limits.max_expansion;
  Redirections r;
  if (!ApplyRedirects(cmd.redirects, &budget, &io, &r)) return FlushRedirects(&r, io, 1);
  return FlushRedirects(&r, io, RunCompound(cmd, io));
}

// The loops stop at the per-line step bound like everything else (`while :; do :; done` ends).
int ShellState::RunCompound(const Command& cmd, Io io) {
  auto out_of_steps = [this] { return steps > limits.max_steps || exit_requested; };
  int status = 0;
  switch (cmd.kind) {
    case Command::Kind::kIf: {
      size_t i = 0;
      for (; i + 1 < cmd.parts.size(); i += 2) {
        if (RunScript(cmd.parts[i], io) == 0) return RunScript(cmd.parts[i + 1], io);
        if (out_of_steps()) return 1;
      }
      return i < cmd.parts.size() ? RunScript(cmd.parts[i], io) : 0;
    }
    case Command::Kind::kFor: {
      std::vector<std::string> values;
      size_t budget = limits.max_expansion;
      for (const Word& w : cmd.items)
        if (!Expand(w, &values, &budget, io)) return 1;
      ++loop_depth;
      for (const std::string& v : values) {
        SetVar(cmd.variable, v);
        status = RunScript(cmd.parts[0], io);
        if (LoopShouldStop() || out_of_steps()) break;
      }
      --loop_depth;
      return status;
    }
    case Command::Kind::kWhile:
    case Command::Kind::kUntil: {
      ++loop_depth;
      for (;;) {
        const int cond = RunScript(cmd.parts[0], io);
        if ((cond == 0) != (cmd.kind == Command::Kind::kWhile) || out_of_steps()) break;
        status = RunScript(cmd.parts[1], io);
        if (LoopShouldStop() || out_of_steps()) break;
      }
      --loop_depth;
      return status;
    }
    case Command::Kind::kGroup:
      return RunScript(cmd.parts[0], io);
    case Command::Kind::kFunction:
      return DefineFunction(cmd, io);
    case Command::Kind::kSubshell: {
      // A child shell: its cd, variables and exit stay inside it.
      const std::string saved_cwd = cwd;
      const auto saved_vars = vars_;
      const auto saved_exported = exported_;
      const size_t saved_bytes = vars_bytes_;
      status = RunScript(cmd.parts[0], io);
      if (exit_requested) status = exit_status;
      exit_requested = false;
      cwd = saved_cwd;
      vars_ = saved_vars;
      exported_ = saved_exported;
      vars_bytes_ = saved_bytes;
      return status;
    }
    case Command::Kind::kSimple:
      break;
  }
  return RunSimple(cmd.simple, io);
}

int ShellState::DefineFunction(const Command& cmd, Io io) {
  auto it = functions_.find(cmd.variable);
  const size_t old = it == functions_.end() ? 0 : it->second.size();
  if ((it == functions_.end() && functions_.size() >= limits.max_functions) ||
      function_bytes_ - old + cmd.body_text.size() > limits.max_function_bytes) {
    ++expansions_refused;
    io.err->Write("-bash: " + cmd.variable + ": cannot define function: out of memory\n");
    return 1;
  }
  function_bytes_ = function_bytes_ - old + cmd.body_text.size();
  functions_[cmd.variable] = cmd.body_text;
  return 0;
}

bool ShellState::UnsetFunction(const std::string& name) {
  auto it = functions_.find(name);
  if (it == functions_.end()) return false;
  function_bytes_ -= it->second.size();
  functions_.erase(it);
  return true;
}

// After one pass of a loop body: true when `break` asked this loop to end.
bool ShellState::LoopShouldStop() {
  if (continue_requested) {
    continue_requested = false;
    return false;
  }
  if (break_levels > 0) {
    --break_levels;
    return true;
  }
  return false;
}

int ShellState::RunSimple(const SimpleCommand& cmd, Io io) {
  if (++steps > limits.max_steps) {
    if (steps == limits.max_steps + 1)
      io.err->Write("-bash: fork: retry: Resource temporarily unavailable\n");
    return 254;
  }
  size_t budget = limits.max_expansion;
  std::vector<std::pair<std::string, std::string>> assigned;
  for (const auto& [name, value] : cmd.assignments)
    assigned.emplace_back(name, ExpandOne(value, &budget, io));
  std::vector<std::string> argv;
  for (const Word& w : cmd.words) {
    if (!Expand(w, &argv, &budget, io)) {
      io.err->Write("-bash: " + (argv.empty() ? std::string("sh") : argv[0]) +
                    ": Argument list too long\n");
      return 126;
    }
  }
  Redirections r;
  if (!ApplyRedirects(cmd.redirects, &budget, &io, &r)) return FlushRedirects(&r, io, 1);
  if (argv.empty()) {
    for (auto& [name, value] : assigned) SetVar(name, std::move(value), IsExported(name));
    return FlushRedirects(&r, io, 0);
  }
  return FlushRedirects(&r, io, RunArgv(std::move(argv), io));
}

bool ShellState::ApplyRedirects(const std::vector<Redirect>& redirects, size_t* budget, Io* io,
                                Redirections* r) {
  Out* fds[3] = {nullptr, io->out, io->err};
  r->files.reserve(redirects.size());
  for (const Redirect& rd : redirects) {
    if (rd.op == Redirect::Op::kDupOut) {
      if (rd.fd >= 1 && rd.fd <= 2)
        fds[rd.fd] = rd.dup_to >= 1 && rd.dup_to <= 2 ? fds[rd.dup_to] : &r->null;
      continue;
    }
    if (rd.op == Redirect::Op::kHereDoc) {
      r->input = rd.here_expand ? ExpandOne(HereDocWord(rd.here_text), budget, *io) : rd.here_text;
      r->has_input = true;
      continue;
    }
    const std::string target = ExpandOne(rd.target, budget, *io);
    if (rd.op == Redirect::Op::kHereString) {
      r->input = target + "\n";
      r->has_input = true;
      continue;
    }
    if (rd.op == Redirect::Op::kIn) {
      const Node* n = fs.Lookup(Abs(target));
      if (!n || n->IsDir()) {
        io->err->Write("-bash: " + target + ": " +
                       FsErrorText(n ? FsError::kIsDir : FsError::kNoEnt) + "\n");
        return false;
      }
      r->input = n->data;
      r->has_input = true;
      continue;
    }
    Out* sink = &r->null;
    if (target != "/dev/null") {
      r->files.push_back(
          {Abs(target), rd.op == Redirect::Op::kAppend, std::make_unique<Out>(limits.max_output)});
      sink = r->files.back().out.get();
    }
    if (rd.fd == -1) {
      fds[1] = fds[2] = sink;
    } else if (rd.fd >= 1 && rd.fd <= 2) {
      fds[rd.fd] = sink;
    }
  }
  io->out = fds[1];
  io->err = fds[2];
  if (r->has_input) io->in = r->input;
  return true;
}

int ShellState::FlushRedirects(Redirections* r, Io io, int status) {
  for (auto& f : r->files) {
    const FsError e = fs.Write(f.path, f.out->bytes(), f.append, Now());
    if (e != FsError::kOk) {
      io.err->Write("-bash: " + std::string(Basename(f.path)) + ": " + FsErrorText(e) + "\n");
      status = 1;
    }
  }
  return status;
}

int ShellState::RunArgv(std::vector<std::string> argv, Io io) {
  if (argv.empty()) return 0;
  std::string name = argv[0];
  if (name.find('/') != std::string::npos) {
    std::string path;
    const Node* n = fs.Lookup(Abs(name), &path);
    const char* why = !n                      ? "No such file or directory"
                      : n->IsDir()            ? "Is a directory"
                      : (n->mode & 0111) == 0 ? "Permission denied"
                                              : nullptr;
    if (why) {
      io.err->Write((facts.busybox ? "-sh: " : "-bash: ") + name + ": " + why + "\n");
      return n ? 126 : 127;
    }
    const std::string_view dir = Dirname(path);
    if (n->data.empty() &&
        (dir == "/usr/bin" || dir == "/usr/sbin" || dir == "/bin" || dir == "/sbin")) {
      // A busybox applet link runs as the applet it was called by.
      name = std::string(Basename(Basename(path) == "busybox" ? std::string_view(name) : path));
    } else {
      return RunFile(path, std::move(argv), io);
    }
  }
  // A function runs its body one level deeper: runaway recursion meets RunLine's depth bound, which
  // bash words as "maximum function nesting level exceeded".
  if (auto f = functions_.find(name); f != functions_.end()) {
    const std::string body = f->second;  // the body may redefine itself
    return RunWithArgs(body, std::string(), {argv.begin() + 1, argv.end()}, io);
  }
  const auto& table = Commands();
  auto it = table.find(name);
  if (it == table.end()) {
    io.err->Write(facts.busybox ? "-sh: " + name + ": not found\n"
                                : "-bash: " + name + ": command not found\n");
    return 127;
  }
  argv[0] = name;
  Ctx c{*this, io, std::move(argv)};
  return it->second(c);
}

int ShellState::RunFile(const std::string& path, std::vector<std::string> argv, Io io) {
  const Node* n = fs.Lookup(path);
  if (n->data.starts_with("\x7f"
                          "ELF") ||
      n->data.empty()) {
    if (n->data.empty()) return 0;
    io.err->Write("-bash: " + argv[0] + ": cannot execute binary file: Exec format error\n");
    return 126;
  }
  const std::string script = n->data;  // the run may change the file
  return RunWithArgs(script, argv[0], {argv.begin() + 1, argv.end()}, io);
}

int ShellState::RunWithArgs(std::string_view text, std::string name, std::vector<std::string> args,
                            Io io) {
  std::vector<std::string> saved_args = std::exchange(positional, std::move(args));
  const std::string saved_name = arg0;
  if (!name.empty()) arg0 = std::move(name);
  const int status = RunLine(text, io);
  positional = std::move(saved_args);
  arg0 = saved_name;
  return status;
}

bool ShellState::Expand(const Word& w, std::vector<std::string>* fields, size_t* budget, Io io) {
  const size_t first = fields->size();
  std::string cur;
  bool have = false;
  for (const Segment& s : w.segments) {
    std::string value;
    switch (s.kind) {
      case Segment::Kind::kLiteral:
        cur += s.text;
        have = have || s.quoted || !s.text.empty();
        continue;
      case Segment::Kind::kTilde:
        cur += s.text.empty() ? home : HomeOf(s.text);
        have = true;
        continue;
      case Segment::Kind::kVariable:
        value = ExpandVariable(s.text);
        break;
      case Segment::Kind::kCommand:
        value = Substitute(s.text, io);
        break;
    }
    if (value.size() > *budget) {
      ++expansions_refused;
      return false;
    }
    if (s.quoted) {
      cur += value;
      have = true;
      continue;
    }
    for (char c : value) {  // field splitting on IFS whitespace
      if (IsIfs(c)) {
        if (have) fields->push_back(std::move(cur));
        cur.clear();
        have = false;
      } else {
        cur.push_back(c);
        have = true;
      }
    }
  }
  if (have) fields->push_back(std::move(cur));
  if (w.HasGlob()) {
    std::vector<std::string> raw(fields->begin() + static_cast<ptrdiff_t>(first), fields->end());
    fields->resize(first);
    for (const std::string& f : raw) Glob(f, fields);
  }
  for (size_t i = first; i < fields->size(); ++i) {
    if ((*fields)[i].size() + 1 > *budget) {
      ++expansions_refused;
      return false;
    }
    *budget -= (*fields)[i].size() + 1;
  }
  return true;
}

std::string ShellState::ExpandOne(const Word& w, size_t* budget, Io io) {
  std::vector<std::string> fields;
  if (!Expand(w, &fields, budget, io)) return {};
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(' ');
    out += fields[i];
  }
  return out;
}

std::string ShellState::ExpandVariable(std::string_view spec) const {
  if (spec == "?") return std::to_string(last_status);
  if (spec == "$") return std::to_string(1000 + conn.id() * 7919 % 30000);
  if (spec == "#") return std::to_string(positional.size());
  if (spec == "0") return arg0.empty() ? (facts.busybox ? "-sh" : "-bash") : arg0;
  if (spec == "-") return "himBHs";
  if (spec == "!") return {};
  if (spec == "@" || spec == "*") {  // "$@" is joined too: one field, not one per argument
    std::string all;
    for (size_t i = 0; i < positional.size(); ++i) all += (i ? " " : "") + positional[i];
    return all;
  }
  if (spec.size() == 1 && spec[0] >= '1' && spec[0] <= '9') {
    const size_t k = static_cast<size_t>(spec[0] - '1');
    return k < positional.size() ? positional[k] : std::string();
  }
  if (spec.starts_with("#")) return std::to_string(Var(spec.substr(1)).size());
  const size_t op = spec.find_first_of(":-=+");
  if (op == std::string_view::npos) return Var(spec);
  const std::string value = Var(spec.substr(0, op));
  std::string_view rest = spec.substr(op);
  const bool colon = rest[0] == ':';
  if (colon) rest.remove_prefix(1);
  if (rest.empty()) return value;  // ${X:3} substrings: not emulated
  const bool unset = colon ? value.empty() : !vars_.count(std::string(spec.substr(0, op)));
  if (rest[0] == '-' || rest[0] == '=') return unset ? std::string(rest.substr(1)) : value;
  if (rest[0] == '+') return unset ? std::string() : std::string(rest.substr(1));
  return value;
}

std::string ShellState::Substitute(std::string_view inner, Io io) {
  if (inner.size() >= 2 && inner.front() == '(' && inner.back() == ')')
    return std::to_string(ArithEval(inner.substr(1, inner.size() - 2), io));
  Out captured(limits.max_var_bytes);
  Io sub{{}, &captured, io.err};
  last_status = RunLine(inner, sub);
  std::string out = std::move(captured.bytes());
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// $(( )): integers with + - * / % and parentheses, variables by name. Bounded by the text's length
// (each step consumes input) and by a nesting cap on parentheses.
int64_t ShellState::ArithEval(std::string_view expr, Io io) {
  struct Eval {
    ShellState& sh;
    std::string_view s;
    size_t i = 0;
    int depth = 0;
    bool bad = false;
    void Skip() {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    }
    int64_t Primary() {
      Skip();
      if (i < s.size() && s[i] == '(') {
        if (++depth > 32) return bad = true, 0;
        ++i;
        const int64_t v = Sum();
        Skip();
        if (i < s.size() && s[i] == ')')
          ++i;
        else
          bad = true;
        --depth;
        return v;
      }
      if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        const bool neg = s[i++] == '-';
        if (++depth > 32) return bad = true, 0;
        const int64_t v = Primary();
        --depth;
        return neg ? -v : v;
      }
      if (i < s.size() && s[i] == '$') ++i;
      const size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      const std::string_view tok = s.substr(start, i - start);
      if (tok.empty()) return bad = true, 0;
      if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
        uint64_t v = 0;
        for (char c : tok) v = v * 10 + static_cast<uint64_t>(c >= '0' && c <= '9' ? c - '0' : 0);
        return static_cast<int64_t>(v);
      }
      const std::string v = sh.Var(tok);
      return v.empty() ? 0 : std::atoll(v.c_str());
    }
    int64_t Product() {
      int64_t v = Primary();
      for (Skip(); i < s.size() && (s[i] == '*' || s[i] == '/' || s[i] == '%'); Skip()) {
        const char op = s[i++];
        const int64_t r = Primary();
        if (op == '*')
          v = static_cast<int64_t>(static_cast<uint64_t>(v) * static_cast<uint64_t>(r));
        else if (r == 0 || (r == -1 && v == INT64_MIN))
          bad = true;
        else
          v = op == '/' ? v / r : v % r;
      }
      return v;
    }
    int64_t Sum() {
      int64_t v = Product();
      for (Skip(); i < s.size() && (s[i] == '+' || s[i] == '-'); Skip()) {
        const char op = s[i++];
        const uint64_t r = static_cast<uint64_t>(Product());
        v = static_cast<int64_t>(op == '+' ? static_cast<uint64_t>(v) + r
                                           : static_cast<uint64_t>(v) - r);
      }
      return v;
    }
  } e{*this, expr};
  const int64_t v = e.Sum();
  e.Skip();
  if (e.bad || e.i != expr.size()) {
    io.err->Write("-bash: " + std::string(expr) + ": syntax error in expression\n");
    return 0;
  }
  return v;
}

bool GlobMatch(std::string_view p, std::string_view n) {
  // Iterative with one backtrack point for '*': linear in practice, never exponential.
  size_t pi = 0, ni = 0, star = std::string_view::npos, mark = 0;
  while (ni < n.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ni;
      continue;
    }
    if (pi < p.size() && (p[pi] == '?' || p[pi] == n[ni]) && p[pi] != '[') {
      ++pi;
      ++ni;
      continue;
    }
    if (pi < p.size() && p[pi] == '[') {
      const size_t close = p.find(']', pi + 2);
      if (close != std::string_view::npos) {
        std::string_view set = p.substr(pi + 1, close - pi - 1);
        const bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
        if (negate) set.remove_prefix(1);
        bool hit = false;
        for (size_t k = 0; k < set.size(); ++k) {
          if (k + 2 < set.size() && set[k + 1] == '-') {
            hit = hit || (n[ni] >= set[k] && n[ni] <= set[k + 2]);
            k += 2;
          } else {
            hit = hit || n[ni] == set[k];
          }
        }
        if (hit != negate) {
          pi = close + 1;
          ++ni;
          continue;
        }
      } else if (n[ni] == '[') {
        ++pi;
        ++ni;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    pi = star + 1;
    ni = ++mark;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

void ShellState::Glob(const std::string& pattern, std::vector<std::string>* fields) {
  if (pattern.find_first_of("*?[") == std::string::npos) {
    fields->push_back(pattern);
    return;
  }
  const size_t slash = pattern.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : pattern.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? pattern : pattern.substr(slash + 1);
  if (dir.find_first_of("*?[") != std::string::npos) {  // globs in directories: left as typed
    fields->push_back(pattern);
    return;
  }
  const size_t before = fields->size();
  for (const auto& [name, node] : fs.List(Abs(dir.empty() ? "." : dir))) {
    if (name[0] == '.' && base[0] != '.') continue;
    if (GlobMatch(base, name)) fields->push_back(dir + name);
  }
  if (fields->size() == before) fields->push_back(pattern);  // no match: the pattern itself
}

}  // namespace decnet::services::shell
