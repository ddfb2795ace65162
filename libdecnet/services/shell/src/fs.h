// The fake filesystem of a decky's shell. The base tree (built once per process from the persona,
// then immutable and shared by every session) plus a per-session overlay of what the attacker
// wrote, kept in memory and bounded in bytes and entries. Nothing here touches the host's disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::services::shell {

struct Node {
  enum class Kind : uint8_t { kFile, kDir, kLink, kDevice };
  Kind kind = Kind::kFile;
  uint16_t mode = 0644;  // permission bits only
  std::string owner = "root", group = "root";
  std::string data;        // file bytes, or the link target
  int64_t mtime = 0;       // epoch seconds
  uint64_t size_hint = 0;  // ls size of files whose bytes we do not keep (binaries)
  bool IsDir() const { return kind == Kind::kDir; }
  uint64_t Size() const { return data.empty() ? size_hint : data.size(); }
};

// Absolute, normalized paths ("/", "/etc/passwd") -> nodes. Built once, then read-only.
struct BaseTree {
  std::map<std::string, Node, std::less<>> nodes;
  void Add(std::string path, Node n) { nodes[std::move(path)] = std::move(n); }
  void Dir(std::string path, uint16_t mode = 0755, int64_t mtime = 0);
  void File(std::string path, std::string data, uint16_t mode = 0644, int64_t mtime = 0);
  void Link(std::string path, std::string target, int64_t mtime = 0);
};

// "a/../b", "./x", "//y" relative to `cwd` -> "/b"-style absolute paths. No symlinks resolved.
std::string NormalizePath(std::string_view cwd, std::string_view path);
std::string_view Dirname(std::string_view abs_path);   // "/a/b" -> "/a"; "/a" -> "/"
std::string_view Basename(std::string_view abs_path);  // "/a/b" -> "b"

enum class FsError : uint8_t { kOk, kNoEnt, kNotDir, kIsDir, kExists, kNoSpace, kNotEmpty, kPerm };
// strerror wording: "No such file or directory", ...
const char* FsErrorText(FsError e);

class Fs {
 public:
  struct Budget {
    size_t max_bytes = 1 << 20;  // file bytes + path bytes the overlay may hold
    size_t max_entries = 1024;   // overlay entries (writes, directories, deletions)
  };
  Fs(std::shared_ptr<const BaseTree> base, Budget budget);

  // Follows symlinks (bounded hops). nullptr when absent. `resolved` gets the final path.
  const Node* Lookup(std::string_view abs_path, std::string* resolved = nullptr) const;
  // The path with every symlink of its directories (and of itself when `follow_last`) resolved.
  std::string Resolve(std::string_view abs_path, bool follow_last = true) const;
  // Children of a directory: (name, node), sorted by name. Empty when not a directory.
  std::vector<std::pair<std::string, const Node*>> List(std::string_view abs_dir) const;

  FsError Write(std::string_view abs_path, std::string_view data, bool append, int64_t now);
  FsError Mkdir(std::string_view abs_path, int64_t now, bool parents = false);
  FsError Remove(std::string_view abs_path, bool recursive);
  FsError Rename(std::string_view from, std::string_view to, int64_t now);
  FsError Copy(std::string_view from, std::string_view to, int64_t now);
  FsError Symlink(std::string_view target, std::string_view link_path, int64_t now);
  FsError Chmod(std::string_view abs_path, uint16_t mode);
  FsError Chown(std::string_view abs_path, std::string_view owner, std::string_view group);
  FsError Touch(std::string_view abs_path, int64_t now);

  // Drops every write of the session (at its end: the memory goes back before the transport frees
  // us).
  void Clear() {
    overlay_.clear();
    overlay_bytes_ = 0;
  }
  size_t overlay_bytes() const { return overlay_bytes_; }
  size_t overlay_entries() const { return overlay_.size(); }
  uint64_t refused() const { return refused_; }

 private:
  const Node* LookupExact(std::string_view path) const;  // no symlinks followed
  FsError Put(std::string path, std::optional<Node> node);
  static size_t CostOf(std::string_view path, const std::optional<Node>& node);

  std::shared_ptr<const BaseTree> base_;
  Budget budget_;
  // nullopt = deleted (a whiteout over the base tree).
  std::map<std::string, std::optional<Node>, std::less<>> overlay_;
  size_t overlay_bytes_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace decnet::services::shell
