// The second circle of commands: what a script pipes through (tee, tr, xargs, seq), what a human
// looks around with (find, file, stat), and outbound tools that fail as on a firewalled host.
#include <algorithm>

#include "cmdutil.h"
#include "decnet/decoy/artifacts.h"

namespace decnet::services::shell {
namespace {

constexpr size_t kMaxFindVisits = 20000;  // nodes one find walks (the base tree has ~400)

void FindWalk(Ctx& c, const std::string& shown, const std::string& abs, const Args& a, int depth,
              size_t* visits) {
  if (++*visits > kMaxFindVisits) return;
  const Node* n = c.sh.fs.Lookup(abs);
  if (!n) return;
  const std::string name = a.values.count('n') ? a.values.at('n') : "";
  const std::string type = a.values.count('t') ? a.values.at('t') : "";
  const bool type_ok =
      type.empty() || (type == "d" && n->IsDir()) || (type == "f" && n->kind == Node::Kind::kFile);
  if (type_ok && (name.empty() || GlobMatch(name, Basename(abs)))) c.Print(shown + "\n");
  const int max_depth = a.values.count('m') ? std::atoi(a.values.at('m').c_str()) : 64;
  if (!n->IsDir() || depth >= max_depth || abs.starts_with("/proc")) return;
  for (const auto& [child, node] : c.sh.fs.List(abs))
    FindWalk(c, shown == "/" ? "/" + child : shown + "/" + child,
             abs == "/" ? "/" + child : abs + "/" + child, a, depth + 1, visits);
}

// find [PATH...] [-name P] [-type f|d] [-maxdepth N]: the single-dash long options mapped to
// letters.
int Find(Ctx& c) {
  Args a;
  for (size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& w = c.argv[i];
    const bool has_value = i + 1 < c.argv.size();
    if ((w == "-name" || w == "-iname") && has_value)
      a.values['n'] = c.argv[++i];
    else if (w == "-type" && has_value)
      a.values['t'] = c.argv[++i];
    else if (w == "-maxdepth" && has_value)
      a.values['m'] = c.argv[++i];
    else if (w.starts_with("-") && has_value && w != "-print" && w != "-ls")
      ++i;  // -perm X, -user X...
    else if (!w.starts_with("-"))
      a.operands.push_back(w);
  }
  if (a.operands.empty()) a.operands.push_back(".");
  int status = 0;
  size_t visits = 0;
  for (const std::string& p : a.operands) {
    if (!c.sh.fs.Lookup(c.sh.Abs(p))) {
      c.Error("find: \xe2\x80\x98" + p + "\xe2\x80\x99: No such file or directory\n");
      status = 1;
      continue;
    }
    FindWalk(c, p, c.sh.Abs(p), a, 0, &visits);
  }
  return status;
}

int Tee(Ctx& c) {
  Args a = ParseArgs(c.argv);
  int status = 0;
  for (const std::string& f : a.operands) {
    const FsError e = c.sh.fs.Write(c.sh.Abs(f), c.io.in, a.Has('a'), c.sh.Now());
    if (e != FsError::kOk) {
      c.sh.FsFail(c, "tee", f, e);
      status = 1;
    }
  }
  c.Print(c.io.in);
  return status;
}

// tr SET1 SET2 / tr -d SET: literal sets with a-z ranges.
std::string ExpandSet(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && out.size() < 1024; ++i) {
    if (i + 2 < s.size() && s[i + 1] == '-' && s[i] <= s[i + 2]) {
      for (int ch = static_cast<unsigned char>(s[i]); ch <= static_cast<unsigned char>(s[i + 2]);
           ++ch)
        out.push_back(static_cast<char>(ch));
      i += 2;
    } else if (s[i] == '\\' && i + 1 < s.size()) {
      const char e = s[++i];
      out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

int Tr(Ctx& c) {
  Args a = ParseArgs(c.argv);
  if (a.operands.empty() || (!a.Has('d') && a.operands.size() < 2)) {
    c.Error("tr: missing operand\nTry 'tr --help' for more information.\n");
    return 1;
  }
  const std::string from = ExpandSet(a.operands[0]);
  const std::string to = a.operands.size() > 1 ? ExpandSet(a.operands[1]) : "";
  std::string out;
  for (char ch : c.io.in) {
    const size_t k = from.find(ch);
    if (k == std::string::npos)
      out.push_back(ch);
    else if (!a.Has('d') && !to.empty())
      out.push_back(to[std::min(k, to.size() - 1)]);
  }
  c.Print(out);
  return 0;
}

// xargs CMD ARGS...: the words of stdin appended (one run; -n/-I not emulated).
int Xargs(Ctx& c) {
  Args a = ParseArgs(c.argv, "nIP");
  std::vector<std::string> argv =
      a.operands.empty() ? std::vector<std::string>{"echo"} : a.operands;
  std::string cur;
  for (char ch : c.io.in) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!cur.empty()) argv.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(ch);
    }
    if (argv.size() > 4096) break;
  }
  if (!cur.empty()) argv.push_back(cur);
  return c.sh.RunArgv(std::move(argv), Io{{}, c.io.out, c.io.err});
}

int Seq(Ctx& c) {
  Args a = ParseArgs(c.argv, "s");
  std::vector<long long> n;
  for (const auto& o : a.operands) n.push_back(std::atoll(o.c_str()));
  if (n.empty()) {
    c.Error("seq: missing operand\nTry 'seq --help' for more information.\n");
    return 1;
  }
  const long long first = n.size() > 1 ? n[0] : 1, step = n.size() > 2 ? n[1] : 1, last = n.back();
  if (step == 0) return 1;
  std::string out;
  for (long long v = first, k = 0; (step > 0 ? v <= last : v >= last) && k < 100000; v += step, ++k)
    out += std::to_string(v) + "\n";
  c.Print(out);
  return 0;
}

int BasenameCmd(Ctx& c) {
  if (c.argv.size() < 2) {
    c.Error("basename: missing operand\n");
    return 1;
  }
  std::string b(Basename(NormalizePath("/", c.argv[1])));
  if (c.argv.size() > 2 && b.size() > c.argv[2].size() && b.ends_with(c.argv[2]))
    b.resize(b.size() - c.argv[2].size());
  c.Print(b + "\n");
  return 0;
}

int DirnameCmd(Ctx& c) {
  if (c.argv.size() < 2) {
    c.Error("dirname: missing operand\n");
    return 1;
  }
  const std::string& p = c.argv[1];
  c.Print(std::string(p.find('/') == std::string::npos ? "." : Dirname(p)) + "\n");
  return 0;
}

int Rmdir(Ctx& c) {
  int status = 0;
  for (const std::string& d : ParseArgs(c.argv).operands) {
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(d));
    const FsError e = !n            ? FsError::kNoEnt
                      : !n->IsDir() ? FsError::kNotDir
                                    : c.sh.fs.Remove(c.sh.Abs(d), false);
    if (e != FsError::kOk) {
      c.Error("rmdir: failed to remove '" + d + "': " + FsErrorText(e) + "\n");
      status = 1;
    }
  }
  return status;
}

int File(Ctx& c) {
  int status = 0;
  for (const std::string& f : ParseArgs(c.argv).operands) {
    std::string path;
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(f), &path);
    std::string what;
    if (!n) {
      what = "cannot open `" + f + "' (No such file or directory)";
      status = 1;
    } else if (n->IsDir()) {
      what = "directory";
    } else if (n->data.empty() && n->size_hint > 0) {
      what =
          "ELF 64-bit LSB pie executable, x86-64, version 1 (SYSV), dynamically linked, "
          "interpreter "
          "/lib64/ld-linux-x86-64.so.2, for GNU/Linux 3.2.0, stripped";
    } else if (n->data.empty()) {
      what = "empty";
    } else if (n->data.starts_with("\x7f"
                                   "ELF")) {
      what = "ELF executable";
    } else if (n->data.starts_with("#!")) {
      what = "POSIX shell script, ASCII text executable";
    } else {
      what = "ASCII text";
    }
    c.Print(f + ": " + what + "\n");
  }
  return status;
}

int Sha256sum(Ctx& c) {
  Args a = ParseArgs(c.argv);
  if (a.operands.empty()) {
    c.Print(decoy::Sha256Hex(c.io.in) + "  -\n");
    return 0;
  }
  int status = 0;
  for (const std::string& f : a.operands) {
    std::string path;
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(f), &path);
    if (!n || n->IsDir()) {
      c.Error("sha256sum: " + f + ": " + (n ? "Is a directory" : "No such file or directory") +
              "\n");
      status = 1;
      continue;
    }
    c.Print(decoy::Sha256Hex(FileText(c.sh, *n, path)) + "  " + f + "\n");
  }
  return status;
}

int Tar(Ctx& c) {
  Args a = ParseArgs(c.argv, "fC");
  std::string archive = a.values.count('f') ? a.values['f'] : "";
  // "tar xzf x.tgz": the first word holds the letters, the next the archive.
  if (archive.empty() && c.argv.size() > 2 && c.argv[1].find('f') != std::string::npos)
    archive = c.argv[2];
  if (archive.empty()) {
    c.Error(
        "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"
        "Try 'tar --help' or 'tar --usage' for more information.\n");
    return 2;
  }
  if (!c.sh.fs.Lookup(c.sh.Abs(archive))) {
    c.Error(
        "tar: " + archive +
        ": Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n");
    return 2;
  }
  c.Error(
      "tar: This does not look like a tar archive\ntar: Exiting with failure status due to "
      "previous errors\n");
  return 2;
}

int Stat(Ctx& c) {
  int status = 0;
  for (const std::string& f : ParseArgs(c.argv).operands) {
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(f));
    if (!n) {
      c.Error("stat: cannot statx '" + f + "': No such file or directory\n");
      status = 1;
      continue;
    }
    c.Print("  File: " + f + "\n  Size: " + std::to_string(n->IsDir() ? 4096 : n->Size()) +
            "\t\tBlocks: 8          IO Block: 4096   " +
            (n->IsDir() ? "directory" : "regular file") + "\nAccess: (" + Fmt("%04o", n->mode) +
            ")  Uid: (    0/    root)   Gid: (    0/    root)\n");
  }
  return status;
}

int Yes(Ctx& c) {
  // Bounded: the output cap ends it (a real `yes` ends when the pipe closes).
  const std::string word = c.argv.size() > 1 ? c.argv[1] : "y";
  std::string out;
  while (out.size() < (64 << 10)) out += word + "\n";
  c.Print(out);
  return 0;
}

int Groups(Ctx& c) {
  c.Print(IsRoot(c.sh) ? "root\n" : c.sh.user + " adm sudo\n");
  return 0;
}

// Outbound logins: refused, as from a host whose egress is filtered.
int Ssh(Ctx& c) {
  Args a = ParseArgs(c.argv, "pilLoFRDJWc");
  if (a.operands.empty()) {
    c.Error(
        "usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] destination [command [argument "
        "...]]\n");
    return 255;
  }
  std::string host = a.operands[0];
  if (const size_t at = host.find('@'); at != std::string::npos) host = host.substr(at + 1);
  c.PauseOutput(1500);
  c.Error("ssh: connect to host " + host + " port " + (a.values.count('p') ? a.values['p'] : "22") +
          ": Connection refused\n");
  return 255;
}

int Whereis(Ctx& c) {
  for (const std::string& n : ParseArgs(c.argv).operands)
    c.Print(n + ":" + (Commands().count(n) && !IsShellBuiltin(n) ? " /usr/bin/" + n : "") + "\n");
  return 0;
}

int Locale(Ctx& c) {
  const std::string lang = c.sh.Var("LANG");
  std::string out = "LANG=" + lang + "\nLANGUAGE=\n";
  for (const char* k :
       {"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES"})
    out += std::string(k) + "=\"" + lang + "\"\n";
  c.Print(out + "LC_ALL=\n");
  return 0;
}

// test / [: the file, string and integer tests scripts use (-f -d -e -x -s -r -w -n -z = != -eq
// ...), with ! and one -a / -o.
bool TestExpr(Ctx& c, std::vector<std::string> a, bool* bad) {
  if (a.size() > 32) {  // each ! / -a / -o recurses on a copy: keep both small
    *bad = true;
    return false;
  }
  if (!a.empty() && a[0] == "!") return !TestExpr(c, {a.begin() + 1, a.end()}, bad);
  for (size_t i = 1; i + 1 < a.size(); ++i) {
    if (a[i] == "-a")
      return TestExpr(c, {a.begin(), a.begin() + i}, bad) &&
             TestExpr(c, {a.begin() + i + 1, a.end()}, bad);
    if (a[i] == "-o")
      return TestExpr(c, {a.begin(), a.begin() + i}, bad) ||
             TestExpr(c, {a.begin() + i + 1, a.end()}, bad);
  }
  if (a.empty()) return false;
  if (a.size() == 1) return !a[0].empty();
  if (a.size() == 2) {
    const std::string& op = a[0];
    if (op == "-n") return !a[1].empty();
    if (op == "-z") return a[1].empty();
    const Node* n = c.sh.fs.Lookup(c.sh.Abs(a[1]));
    if (op == "-e" || op == "-r" || op == "-w") return n != nullptr;
    if (op == "-f") return n && n->kind == Node::Kind::kFile;
    if (op == "-d") return n && n->IsDir();
    if (op == "-x") return n && (n->mode & 0111);
    if (op == "-s") return n && n->Size() > 0;
    if (op == "-L" || op == "-h")
      return c.sh.fs.Resolve(c.sh.Abs(a[1]), false) != c.sh.fs.Resolve(c.sh.Abs(a[1]), true);
    *bad = true;
    return false;
  }
  const std::string& l = a[0];
  const std::string& op = a[1];
  const std::string& r = a[2];
  if (op == "=" || op == "==") return l == r;
  if (op == "!=") return l != r;
  const long long x = std::atoll(l.c_str()), y = std::atoll(r.c_str());
  if (op == "-eq") return x == y;
  if (op == "-ne") return x != y;
  if (op == "-lt") return x < y;
  if (op == "-le") return x <= y;
  if (op == "-gt") return x > y;
  if (op == "-ge") return x >= y;
  *bad = true;
  return false;
}

int Test(Ctx& c) {
  std::vector<std::string> a(c.argv.begin() + 1, c.argv.end());
  if (c.argv[0] == "[") {
    if (a.empty() || a.back() != "]") {
      c.Error("-bash: [: missing `]'\n");
      return 2;
    }
    a.pop_back();
  }
  bool bad = false;
  const bool ok = TestExpr(c, a, &bad);
  if (bad) {
    c.Error("-bash: test: " + (a.size() > 1 ? a[1] : a[0]) + ": unary operator expected\n");
    return 2;
  }
  return ok ? 0 : 1;
}

}  // namespace

void AddExtraCommands(CommandTable& t) {
  t.insert({{"find", Find},
            {"tee", Tee},
            {"tr", Tr},
            {"xargs", Xargs},
            {"seq", Seq},
            {"basename", BasenameCmd},
            {"dirname", DirnameCmd},
            {"rmdir", Rmdir},
            {"file", File},
            {"sha256sum", Sha256sum},
            {"tar", Tar},
            {"stat", Stat},
            {"yes", Yes},
            {"groups", Groups},
            {"ssh", Ssh},
            {"scp", Ssh},
            {"whereis", Whereis},
            {"locale", Locale},
            {"test", Test},
            {"[", Test}});
}

}  // namespace decnet::services::shell
