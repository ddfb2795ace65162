// The directory model: a sorted map from absolute path to node, so a listing is a prefix scan.
#include "decnet/services/ssh_files/tree.h"

#include <cstdio>
#include <utility>

#include "decnet/core/paths.h"
#include "decnet/decoy/persona.h"
#include "decnet/decoy/service.h"

namespace decnet::services::ssh_files {
namespace {

constexpr size_t kPathMax = 4096;  // Linux PATH_MAX: longer paths are ENAMETOOLONG

std::string_view Parent(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return path.substr(0, slash);
}

bool IsUnder(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

// Small files of the home directory with short, plausible contents (their sizes follow them).
constexpr std::string_view kBashrc =
    "# ~/.bashrc: executed by bash(1) for non-login shells.\n"
    "\n"
    "export LS_OPTIONS='--color=auto'\n"
    "eval \"$(dircolors)\"\n"
    "alias ls='ls $LS_OPTIONS'\n"
    "alias ll='ls $LS_OPTIONS -l'\n"
    "alias l='ls $LS_OPTIONS -lA'\n"
    "\n"
    "HISTSIZE=1000\n"
    "HISTFILESIZE=2000\n";
constexpr std::string_view kProfile =
    "# ~/.profile: executed by the command interpreter for login shells.\n"
    "\n"
    "if [ \"$BASH\" ]; then\n"
    "  if [ -f ~/.bashrc ]; then\n"
    "    . ~/.bashrc\n"
    "  fi\n"
    "fi\n"
    "\n"
    "mesg n 2> /dev/null || true\n";
constexpr std::string_view kBashLogout =
    "# ~/.bash_logout: executed by bash(1) when login shell exits.\n"
    "\n"
    "if [ \"$SHLVL\" = 1 ]; then\n"
    "    [ -x /usr/bin/clear_console ] && /usr/bin/clear_console -q\n"
    "fi\n";

}  // namespace

std::string ResolvePath(std::string_view cwd, std::string_view path, std::string_view home) {
  std::string joined;
  if (!home.empty() && !path.empty() && path[0] == '~' && (path.size() == 1 || path[1] == '/')) {
    joined.assign(home);
    joined.append(path.substr(1));
  } else if (!path.empty() && path[0] == '/') {
    joined.assign(path);
  } else {
    joined.assign(cwd);
    joined += '/';
    joined.append(path);
  }
  if (joined.size() > kPathMax) return "";
  return LexicallyNormalAbsolute(joined);
}

FileTree::FileTree(std::string user, std::string home, int64_t now_epoch, size_t max_nodes,
                   uint64_t seed, int64_t boot_epoch)
    : user_(std::move(user)),
      home_(std::move(home)),
      now_(now_epoch),
      max_nodes_(max_nodes),
      rng_(seed) {
  if (user_ != "root") uid_ = gid_ = 1000;
  constexpr int64_t kDay = 86400;
  const int64_t boot =
      boot_epoch > 0 && boot_epoch <= now_epoch ? boot_epoch : now_epoch - 7 * kDay;
  const int64_t installed = boot - 30 * kDay - static_cast<int64_t>(Random() % (200 * kDay));
  auto around = [&](int64_t t, int64_t spread) {
    return t + static_cast<int64_t>(Random() % static_cast<uint64_t>(spread));
  };
  // The root of a Debian 12 host (usr-merged: bin, lib, sbin are links there; shown as dirs).
  AddBase("/", MakeNode(true, 0755, false, 4096, around(installed, kDay)));
  for (const char* d : {"bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt",
                        "proc", "run", "sbin", "srv", "sys", "usr", "var"}) {
    AddBase(std::string("/") + d, MakeNode(true, 0755, false, 4096, around(installed, 20 * kDay)));
  }
  AddBase("/root", MakeNode(true, 0700, false, 4096,
                            now_epoch - 3600 - static_cast<int64_t>(Random() % (3 * kDay))));
  AddBase("/tmp",
          MakeNode(true, 01777, false, 4096, now_epoch - static_cast<int64_t>(Random() % 3600)));
  for (const char* d : {".ICE-unix", ".X11-unix", ".XIM-unix", ".font-unix"}) {
    AddBase(std::string("/tmp/") + d, MakeNode(true, 01777, false, 4096, around(boot, 8)));
  }
  // systemd's PrivateTmp directories of long-running services, named as systemd names them: the
  // boot id, the unit, 6 random characters.
  std::string boot_id;
  for (int i = 0; i < 2; ++i) {
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Random()));
    boot_id += hex;
  }
  for (const char* unit : {"systemd-logind.service", "chrony.service"}) {
    std::string name = "/tmp/systemd-private-" + boot_id + "-" + unit + "-";
    for (int i = 0; i < 6; ++i) {
      name += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[Random() % 62];
    }
    AddBase(name, MakeNode(true, 0700, false, 4096, around(boot, 20)));
  }
  // The home: the dot files of /etc/skel, an .ssh directory, a history.
  const bool own = user_ != "root";
  if (own) AddBase(std::string(Parent(home_)), MakeNode(true, 0755, false, 4096, installed));
  AddBase(home_, MakeNode(true, 0700, own, 4096,
                          now_epoch - 3600 - static_cast<int64_t>(Random() % (3 * kDay))));
  const int64_t home_made = own ? around(installed, 60 * kDay) : installed;
  auto file = [&](const char* name, std::string_view content, uint32_t mode, int64_t mtime) {
    FileNode n = MakeNode(false, mode, own, content.size(), mtime);
    n.content.assign(content);
    AddBase(home_ + "/" + name, std::move(n));
  };
  file(".bashrc", kBashrc, 0644, home_made);
  file(".profile", kProfile, 0644, home_made);
  if (own) file(".bash_logout", kBashLogout, 0644, home_made);
  file(".bash_history", "", 0600, now_epoch - 3600 - static_cast<int64_t>(Random() % (3 * kDay)));
  const int64_t ssh_made = around(home_made, 10 * kDay);
  AddBase(home_ + "/.ssh", MakeNode(true, 0700, own, 4096, ssh_made));
  file(".ssh/authorized_keys", "", 0600, ssh_made);
}

uint64_t FileTree::Random() {
  uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

FileNode FileTree::MakeNode(bool dir, uint32_t mode, bool owned_by_user, uint64_t size,
                            int64_t mtime) {
  FileNode n;
  n.dir = dir;
  n.mode = mode;
  n.uid = owned_by_user ? uid_ : 0;
  n.gid = owned_by_user ? gid_ : 0;
  n.owner = owned_by_user ? user_ : "root";
  n.group = n.owner;
  n.size = size;
  n.mtime = n.atime = mtime;
  return n;
}

std::shared_ptr<FileTree> NewHostTree(const decoy::Host& host, const std::string& user,
                                      const std::string& home, size_t max_nodes) {
  const decoy::Persona& p = host.persona();
  return std::make_shared<FileTree>(user, home, host.WallUs() / 1000000, max_nodes,
                                    p.Hash("ssh", "files_tree"), p.boot_epoch());
}

void FileTree::AddBase(std::string path, FileNode node) {
  nodes_[std::move(path)] = std::move(node);
}

const FileNode* FileTree::Find(std::string_view path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, const FileNode*>> FileTree::List(std::string_view path) const {
  std::vector<std::pair<std::string, const FileNode*>> out;
  std::string prefix(path);
  if (prefix != "/") prefix += '/';
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end(); ++it) {
    const std::string& p = it->first;
    if (p.compare(0, prefix.size(), prefix) != 0) break;
    if (p.size() == prefix.size()) continue;  // "/" itself
    const std::string_view name = std::string_view(p).substr(prefix.size());
    if (name.find('/') != std::string_view::npos) continue;  // deeper
    out.emplace_back(std::string(name), &it->second);
  }
  return out;
}

bool FileTree::Writable(std::string_view dir) const {
  if (IsUnder(dir, "/proc") || IsUnder(dir, "/sys")) return false;
  if (user_ == "root") return true;
  return IsUnder(dir, home_) || IsUnder(dir, "/tmp");
}

FsResult FileTree::CanCreateFile(std::string_view path) const {
  if (path.empty() || path == "/") return FsResult::kFailure;
  const FileNode* parent = Find(Parent(path));
  if (!parent || !parent->dir) return FsResult::kNoSuchFile;
  if (!Writable(Parent(path))) return FsResult::kPermissionDenied;
  const FileNode* existing = Find(path);
  if (existing && existing->dir) return FsResult::kFailure;  // EISDIR
  if (!existing && nodes_.size() >= max_nodes_) return FsResult::kFailure;
  return FsResult::kOk;
}

FsResult FileTree::PutFile(std::string_view path, FileNode node) {
  const FsResult r = CanCreateFile(path);
  if (r != FsResult::kOk) return r;
  node.dir = false;
  nodes_[std::string(path)] = std::move(node);
  return FsResult::kOk;
}

FsResult FileTree::MakeDir(std::string_view path, uint32_t mode) {
  if (path.empty() || Find(path)) return FsResult::kFailure;  // EEXIST
  const FileNode* parent = Find(Parent(path));
  if (!parent || !parent->dir) return FsResult::kNoSuchFile;
  if (!Writable(Parent(path))) return FsResult::kPermissionDenied;
  if (nodes_.size() >= max_nodes_) return FsResult::kFailure;
  nodes_[std::string(path)] = MakeNode(true, mode & 07777, true, 4096, now_);
  return FsResult::kOk;
}

FsResult FileTree::RemoveFile(std::string_view path) {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return FsResult::kNoSuchFile;
  if (it->second.dir) return FsResult::kFailure;  // EISDIR
  if (!Writable(Parent(path))) return FsResult::kPermissionDenied;
  nodes_.erase(it);
  return FsResult::kOk;
}

FsResult FileTree::RemoveDir(std::string_view path) {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return FsResult::kNoSuchFile;
  if (!it->second.dir || path == "/") return FsResult::kFailure;
  if (!Writable(Parent(path))) return FsResult::kPermissionDenied;
  if (!List(path).empty()) return FsResult::kFailure;  // ENOTEMPTY
  nodes_.erase(it);
  return FsResult::kOk;
}

FsResult FileTree::SetAttrs(std::string_view path, int64_t mode, int64_t mtime, int64_t atime) {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return FsResult::kNoSuchFile;
  FileNode& n = it->second;
  if (user_ != "root" && n.owner != user_) return FsResult::kPermissionDenied;
  if (mode >= 0) n.mode = static_cast<uint32_t>(mode) & 07777;
  if (mtime >= 0) n.mtime = mtime;
  if (atime >= 0) n.atime = atime;
  return FsResult::kOk;
}

FsResult FileTree::Rename(std::string_view from, std::string_view to, bool overwrite) {
  auto it = nodes_.find(from);
  if (it == nodes_.end()) return FsResult::kNoSuchFile;
  if (from == "/" || to.empty() || IsUnder(to, from)) return FsResult::kFailure;
  const FileNode* parent = Find(Parent(to));
  if (!parent || !parent->dir) return FsResult::kNoSuchFile;
  if (!Writable(Parent(from)) || !Writable(Parent(to))) return FsResult::kPermissionDenied;
  if (const FileNode* target = Find(to)) {
    // SSH2_FXP_RENAME does not overwrite (OpenSSH renames with link()); posix-rename replaces
    // files.
    if (!overwrite || target->dir || it->second.dir) return FsResult::kFailure;
    nodes_.erase(nodes_.find(to));
  }
  // Move the node and, for a directory, everything under it.
  std::vector<std::pair<std::string, FileNode>> moved;
  const std::string prefix = std::string(from) + "/";
  moved.emplace_back(std::string(to), std::move(it->second));
  nodes_.erase(it);
  for (auto c = nodes_.lower_bound(prefix);
       c != nodes_.end() && c->first.compare(0, prefix.size(), prefix) == 0;) {
    moved.emplace_back(std::string(to) + c->first.substr(prefix.size() - 1), std::move(c->second));
    c = nodes_.erase(c);
  }
  for (auto& [p, n] : moved) nodes_[std::move(p)] = std::move(n);
  return FsResult::kOk;
}

}  // namespace decnet::services::ssh_files
