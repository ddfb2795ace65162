// Shell builtins and the commands that run others: echo, printf, cd, export, sudo, sh -c,
// busybox...
#include <algorithm>

#include "cmdutil.h"

namespace decnet::services::shell {
namespace {

// echo -e / printf %b escapes. Returns false at \c (stop output).
bool Unescape(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out->push_back(s[i]);
      continue;
    }
    const char e = s[++i];
    switch (e) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'e':
        out->push_back('\x1b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case 'c':
        return false;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1]))) {
          const char h = s[++i];
          v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          ++n;
        }
        if (n == 0)
          out->append("\\x");
        else
          out->push_back(static_cast<char>(v));
        break;
      }
      case '0': {
        int v = 0, n = 0;
        while (n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') {
          v = v * 8 + (s[++i] - '0');
          ++n;
        }
        out->push_back(static_cast<char>(v));
        break;
      }
      default:
        out->push_back('\\');
        out->push_back(e);
    }
  }
  return true;
}

// "%-999999999.5" -> "%-1024.5": snprintf walks a huge width even into a small buffer.
std::string ClampSpec(std::string_view spec) {
  std::string out;
  for (size_t i = 0; i < spec.size();) {
    size_t j = i;
    while (j < spec.size() && std::isdigit(static_cast<unsigned char>(spec[j]))) ++j;
    if (j == i) {
      out.push_back(spec[i++]);
      continue;
    }
    out += j - i > 4 ? "1024" : std::string(spec.substr(i, j - i));
    i = j;
  }
  return out;
}

int Echo(Ctx& c) {
  bool newline = true, escapes = false;
  size_t i = 1;
  for (; i < c.argv.size(); ++i) {
    const std::string& a = c.argv[i];
    if (a.size() < 2 || a[0] != '-' || a.find_first_not_of("neE", 1) != std::string::npos) break;
    for (char f : a.substr(1)) {
      if (f == 'n') newline = false;
      if (f == 'e') escapes = true;
      if (f == 'E') escapes = false;
    }
  }
  std::string out;
  bool go_on = true;
  for (size_t k = i; k < c.argv.size() && go_on; ++k) {
    if (k > i) out.push_back(' ');
    if (escapes || c.sh.facts.busybox) {
      go_on = Unescape(c.argv[k], &out);
    } else {
      out += c.argv[k];
    }
  }
  if (newline && go_on) out.push_back('\n');
  c.Print(out);
  return 0;
}

// printf FORMAT ARGS...: %s %d %i %u %x %o %c %b %% with widths; the format is reused for leftover
// arguments (bounded by the argument count).
int Printf(Ctx& c) {
  if (c.argv.size() < 2) {
    c.Error("printf: usage: printf [-v var] format [arguments]\n");
    return 2;
  }
  const std::string& fmt = c.argv[1];
  size_t next = 2;
  std::string out;
  do {
    for (size_t i = 0; i < fmt.size(); ++i) {
      if (fmt[i] == '\\') {
        size_t j = i + 1;
        while (j < fmt.size() && fmt[j] != '\\' && fmt[j] != '%') ++j;
        Unescape(std::string_view(fmt).substr(i, j - i), &out);
        i = j - 1;
        continue;
      }
      if (fmt[i] != '%' || i + 1 >= fmt.size()) {
        out.push_back(fmt[i]);
        continue;
      }
      size_t j = i + 1;
      while (j < fmt.size() &&
             std::string_view("-+ #0123456789.").find(fmt[j]) != std::string_view::npos)
        ++j;
      if (j >= fmt.size()) break;
      const char conv = fmt[j];
      const std::string spec = ClampSpec(fmt.substr(i, j - i));
      const std::string arg = next < c.argv.size() ? c.argv[next++] : std::string();
      if (conv == '%')
        out.push_back('%');
      else if (conv == 's' && spec == "%")
        out += arg;
      else if (conv == 's')
        out += Fmt((spec + "s").c_str(), arg.substr(0, 256).c_str());
      else if (conv == 'b')
        Unescape(arg, &out);
      else if (conv == 'c')
        out += arg.substr(0, 1);
      else if (conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x' || conv == 'X' ||
               conv == 'o')
        out += Fmt((spec + "ll" + conv).c_str(), std::atoll(arg.c_str()));
      else
        out += fmt.substr(i, j - i + 1);
      i = j;
    }
  } while (next < c.argv.size() && next > 2);
  c.Print(out);
  return 0;
}

int Pwd(Ctx& c) {
  c.Print(c.sh.cwd + "\n");
  return 0;
}

int Cd(Ctx& c) {
  std::string target = c.argv.size() > 1 ? c.argv[1] : c.sh.home;
  const bool dash = target == "-";
  if (dash) target = c.sh.oldpwd.empty() ? c.sh.cwd : c.sh.oldpwd;
  std::string resolved;
  const Node* n = c.sh.fs.Lookup(c.sh.Abs(target), &resolved);
  if (!n || !n->IsDir()) {
    c.Error((c.sh.facts.busybox ? "-sh: cd: can't cd to " + target + ": "
                                : "-bash: cd: " + target + ": ") +
            (n ? "Not a directory" : "No such file or directory") + "\n");
    return 1;
  }
  c.sh.oldpwd = c.sh.cwd;
  c.sh.cwd = c.sh.Abs(target);  // bash keeps the logical path (through symlinks)
  if (dash) c.Print(c.sh.cwd + "\n");
  return 0;
}

int Exit(Ctx& c) {
  c.sh.exit_requested = true;
  c.sh.exit_status = c.argv.size() > 1 ? std::atoi(c.argv[1].c_str()) & 0xff : c.sh.last_status;
  return c.sh.exit_status;
}

int True(Ctx&) { return 0; }
int False(Ctx&) { return 1; }

int Export(Ctx& c) {
  if (c.argv.size() == 1 || (c.argv.size() == 2 && c.argv[1] == "-p")) {
    for (const auto& [k, v] : c.sh.vars())
      if (c.sh.IsExported(k)) c.Print("declare -x " + k + "=\"" + v + "\"\n");
    return 0;
  }
  for (size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& a = c.argv[i];
    if (a.starts_with("-")) continue;
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    if (!IsName(name)) {
      c.Error("-bash: export: `" + a + "': not a valid identifier\n");
      return 1;
    }
    c.sh.SetVar(name, eq == std::string::npos ? c.sh.Var(name) : a.substr(eq + 1), true);
  }
  return 0;
}

int Unset(Ctx& c) {
  const bool functions = c.argv.size() > 1 && c.argv[1] == "-f";
  for (size_t i = 1; i < c.argv.size(); ++i) {
    if (c.argv[i].starts_with("-")) continue;
    // As bash: a variable of that name first, else a function.
    if (functions || !c.sh.vars().count(c.argv[i])) {
      c.sh.UnsetFunction(c.argv[i]);
    } else {
      c.sh.UnsetVar(c.argv[i]);
    }
  }
  return 0;
}

int Env(Ctx& c) {
  size_t i = 1;
  while (i < c.argv.size() && c.argv[i].find('=') != std::string::npos) ++i;
  if (i < c.argv.size())
    return c.sh.RunArgv({c.argv.begin() + static_cast<ptrdiff_t>(i), c.argv.end()}, c.io);
  for (const auto& [k, v] : c.sh.vars())
    if (c.sh.IsExported(k)) c.Print(k + "=" + v + "\n");
  c.Print("PWD=" + c.sh.cwd + "\n");
  return 0;
}

int History(Ctx& c) {
  if (c.argv.size() > 1 && c.argv[1] == "-c") {
    c.sh.history.clear();
    return 0;
  }
  size_t n = 1;
  for (const std::string& h : c.sh.history) c.Print(Fmt("%5zu  ", n++) + h + "\n");
  return 0;
}

bool IsBuiltin(std::string_view n) {
  return n == "cd" || n == "echo" || n == "exit" || n == "export" || n == "history" || n == "pwd" ||
         n == "type" || n == "unset" || n == "printf" || n == "true" || n == "false" ||
         n == "logout" || n == "kill" || n == "alias" || n == "source" || n == ".";
}

int Which(Ctx& c) {
  int status = 0;
  for (const std::string& name : ParseArgs(c.argv).operands) {
    if (Commands().count(name) && !IsBuiltin(name)) {
      c.Print("/usr/bin/" + name + "\n");
    } else if (IsBuiltin(name) && name != "cd" && name != "exit" && name != "export" &&
               name != "history") {
      c.Print("/usr/bin/" + name + "\n");
    } else {
      status = 1;
    }
  }
  return status;
}

int Type(Ctx& c) {
  int status = 0;
  for (size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& name = c.argv[i];
    if (IsBuiltin(name)) {
      c.Print(name + " is a shell builtin\n");
    } else if (Commands().count(name)) {
      c.Print(name + " is /usr/bin/" + name + "\n");
    } else {
      c.Error("-bash: type: " + name + ": not found\n");
      status = 1;
    }
  }
  return status;
}

int Alias(Ctx& c) {
  if (c.argv.size() == 1)
    c.Print("alias la='ls -A'\nalias ll='ls -alF'\nalias ls='ls --color=auto'\n");
  return 0;
}

int Sleep(Ctx& c) {
  if (c.argv.size() < 2) {
    c.Error("sleep: missing operand\nTry 'sleep --help' for more information.\n");
    return 1;
  }
  // A short real pause (capped) so `sleep 2` feels like one; long sleeps end early.
  const double secs = std::atof(c.argv[1].c_str());
  if (secs > 0) c.sh.PauseOutput(c.io, static_cast<uint64_t>(std::min(secs, 3.0) * 1000));
  return 0;
}

int Sudo(Ctx& c) {
  Args a = ParseArgs(c.argv, "ugCp");
  size_t i = 1;
  while (i < c.argv.size() && c.argv[i].starts_with("-")) {
    if (c.argv[i] == "-u" || c.argv[i] == "-g") ++i;
    ++i;
  }
  if (i >= c.argv.size()) {
    if (a.Has('l')) {
      c.Print("User " + c.sh.user + " may run the following commands on " + c.sh.facts.hostname +
              ":\n    (ALL : ALL) ALL\n");
      return 0;
    }
    c.Error("usage: sudo -h | -K | -k | -V\nusage: sudo [-u user] command\n");
    return 1;
  }
  // Runs as root: the user changes for the command (and what it prints).
  const std::string as = a.values.count('u') ? a.values['u'] : "root";
  std::vector<std::string> rest(c.argv.begin() + static_cast<ptrdiff_t>(i), c.argv.end());
  auto run = [as, rest](ShellState& sh, Io io) {
    const std::string saved = sh.user;
    sh.user = as;
    const int status = sh.RunArgv(rest, io);
    sh.user = saved;
    return status;
  };
  if (IsRoot(c.sh) || !c.sh.CanAsk(c)) return run(c.sh, c.io);
  // A user's sudo asks for their password first: what they type is a credential; any is accepted.
  c.sh.dialog =
      ShellState::Dialog{{"[sudo] password for " + c.sh.user + ": "},
                         [run](ShellState& sh, Io io, const std::vector<std::string>& typed) {
                           sh.LogSecret("sudo_password", sh.user, typed[0], "sudo");
                           io.out->Write("\n");
                           return run(sh, io);
                         }};
  return 0;
}

int Su(Ctx& c) {
  Args a = ParseArgs(c.argv, "cs");
  if (a.values.count('c')) {
    const std::string saved = c.sh.user;
    c.sh.user = a.operands.empty() ? "root" : a.operands[0];
    const int status = c.sh.RunLine(a.values['c'], c.io);
    c.sh.user = saved;
    return status;
  }
  if (IsRoot(c.sh)) {
    c.sh.user = a.operands.empty() ? "root" : a.operands[0];
    return 0;
  }
  const std::string target = a.operands.empty() ? "root" : a.operands[0];
  if (!c.sh.CanAsk(c)) {
    c.Error("su: Authentication failure\n");
    return 1;
  }
  c.sh.dialog = ShellState::Dialog{
      {"Password: "}, [target](ShellState& sh, Io io, const std::vector<std::string>& typed) {
        sh.LogSecret("su_password", target, typed[0], "su");
        sh.PauseOutput(io, 2000);
        io.out->Write("\nsu: Authentication failure\n");
        return 1;
      }};
  return 0;
}

int Sh(Ctx& c) {
  Args a = ParseArgs(c.argv, "c");
  if (a.values.count('c')) {  // sh -c CMD [NAME [ARGS...]]: NAME is $0
    const std::vector<std::string>& o = a.operands;
    return c.sh.RunWithArgs(a.values['c'], o.empty() ? std::string() : o[0],
                            o.size() > 1 ? std::vector<std::string>(o.begin() + 1, o.end())
                                         : std::vector<std::string>{},
                            c.io);
  }
  if (!a.operands.empty()) {
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(a.operands[0]));
    if (!n) {
      c.Error(c.argv[0] + ": " + a.operands[0] + ": No such file or directory\n");
      return 127;
    }
    const std::string script = n->data;
    return c.sh.RunWithArgs(script, a.operands[0], {a.operands.begin() + 1, a.operands.end()},
                            c.io);
  }
  if (!c.io.in.empty()) return c.sh.RunLine(c.io.in, c.io);  // curl ... | sh
  return 0;  // a nested interactive shell: the same session goes on
}

int Source(Ctx& c) {
  if (c.argv.size() < 2) {
    c.Error("-bash: source: filename argument required\n");
    return 2;
  }
  const Node* n = c.sh.fs.Lookup(c.sh.Abs(c.argv[1]));
  if (!n || n->IsDir()) {
    c.Error("-bash: " + c.argv[1] + ": No such file or directory\n");
    return 1;
  }
  return c.sh.RunLine(n->data, c.io);
}

int Busybox(Ctx& c) {
  if (c.argv.size() < 2) {
    c.Print(
        "BusyBox v1.36.1 (2023-11-07 18:53:09 UTC) multi-call binary.\nBusyBox is copyrighted by "
        "many "
        "authors between 1998-2015.\nLicensed under GPLv2. See source distribution for detailed\n"
        "copyright notices.\n\nUsage: busybox [function [arguments]...]\n   or: busybox "
        "--list[-full]\n"
        "   or: function [arguments]...\n\n\tBusyBox is a multi-call binary that combines many "
        "common "
        "Unix\n\tutilities into a single executable.\n\nCurrently defined functions:\n");
    std::string list = "\t";
    for (const std::string& n : CommandNames()) list += n + ", ";
    c.Print(list.substr(0, list.size() - 2) + "\n");
    return 0;
  }
  if (c.argv[1] == "--list") {
    for (const std::string& n : CommandNames()) c.Print(n + "\n");
    return 0;
  }
  const std::string& applet = c.argv[1];
  if (!Commands().count(applet) || applet == "busybox") {
    c.Error(applet + ": applet not found\n");
    return 127;
  }
  return c.sh.RunArgv({c.argv.begin() + 1, c.argv.end()}, c.io);
}

int Nohup(Ctx& c) {
  if (c.argv.size() < 2) return c.argv[0] == "exec" ? 0 : 125;
  return c.sh.RunArgv({c.argv.begin() + 1, c.argv.end()}, c.io);
}

int Break(Ctx& c) {
  if (c.sh.loop_depth == 0) {
    c.Error("-bash: " + c.argv[0] + ": only meaningful in a `for', `while', or `until' loop\n");
    return 0;
  }
  if (c.argv[0] == "continue") {
    c.sh.continue_requested = true;
    return 0;
  }
  const int n = c.argv.size() > 1 ? std::max(1, std::atoi(c.argv[1].c_str())) : 1;
  c.sh.break_levels = std::min(n, c.sh.loop_depth);
  return 0;
}

int Shift(Ctx& c) {
  const size_t n =
      c.argv.size() > 1 ? static_cast<size_t>(std::max(0, std::atoi(c.argv[1].c_str()))) : 1;
  if (n > c.sh.positional.size()) return 1;
  c.sh.positional.erase(c.sh.positional.begin(),
                        c.sh.positional.begin() + static_cast<ptrdiff_t>(n));
  return 0;
}

int Getconf(Ctx& c) {
  const std::string what = c.argv.size() > 1 ? c.argv[1] : "";
  if (what == "LONG_BIT")
    c.Print("64\n");
  else if (what == "PAGESIZE" || what == "PAGE_SIZE")
    c.Print("4096\n");
  else if (what == "_NPROCESSORS_ONLN")
    c.Print(std::to_string(c.sh.facts.cpus) + "\n");
  else {
    c.Error("getconf: Unrecognized variable '" + what + "'\n");
    return 1;
  }
  return 0;
}

int Timeout(Ctx& c) {
  Args a = ParseArgs(c.argv, "sk");
  if (a.operands.size() < 2) {
    c.Error("timeout: missing operand\nTry 'timeout --help' for more information.\n");
    return 125;
  }
  return c.sh.RunArgv({a.operands.begin() + 1, a.operands.end()}, c.io);
}

}  // namespace

bool IsShellBuiltin(std::string_view n) {
  static constexpr std::string_view kBuiltins[] = {
      "cd",    "exit",    "logout", "export", "history", "type",     "unset",
      "alias", "unalias", "source", ".",      ":",       "set",      "ulimit",
      "umask", "disown",  "time",   "exec",   "break",   "continue", "shift"};
  for (std::string_view b : kBuiltins)
    if (n == b) return true;
  return false;
}

const CommandTable& Commands() {
  static const CommandTable table = [] {
    CommandTable t = {
        {"echo", Echo},     {"printf", Printf},  {"pwd", Pwd},         {"cd", Cd},
        {"exit", Exit},     {"logout", Exit},    {"true", True},       {"false", False},
        {"export", Export}, {"unset", Unset},    {"env", Env},         {"history", History},
        {"which", Which},   {"type", Type},      {"alias", Alias},     {"sleep", Sleep},
        {"sudo", Sudo},     {"su", Su},          {"sh", Sh},           {"bash", Sh},
        {"ash", Sh},        {"source", Source},  {".", Source},        {"busybox", Busybox},
        {"nohup", Nohup},   {"exec", Nohup},     {"getconf", Getconf}, {"break", Break},
        {"shift", Shift},   {"continue", Break}, {"time", Nohup},      {"timeout", Timeout},
        {"clear", True},    {"unalias", True},   {"set", True},        {"ulimit", True},
        {"umask", True},    {"sync", True},      {"disown", True},     {":", True},
    };
    AddFileCommands(t);
    AddSystemCommands(t);
    AddNetworkCommands(t);
    AddExtraCommands(t);
    return t;
  }();
  return table;
}

}  // namespace decnet::services::shell
