// The small file system an SFTP or scp client sees: a believable root, the user's home (dot files,
// .ssh), /tmp (the systemd and X11 directories of a Debian host), and what the session uploads,
// creates, renames or removes. Changes live only as long as the tree (one SSH connection); nothing
// is ever written to the decky's disk except through the ArtifactStore.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::decoy {
class Host;
}

namespace decnet::services::ssh_files {

struct FileNode {
  bool dir = false;
  uint32_t mode = 0;  // permission bits (07777), the type bits are derived from `dir`
  uint32_t uid = 0, gid = 0;
  std::string owner, group;
  uint64_t size = 0;
  int64_t mtime = 0, atime = 0;  // epoch seconds
  std::string content;           // what a read returns (uploads: up to max_readback_bytes)
  bool uploaded = false;         // came from the client in this connection
  std::string stored_path;       // uploads: the artifact, for reads past `content`
  uint64_t stored = 0;           // bytes of it on disk
  uint32_t PosixMode() const { return (dir ? 0040000u : 0100000u) | (mode & 07777u); }
};

enum class FsResult : uint8_t { kOk, kNoSuchFile, kPermissionDenied, kFailure };

class FileTree {
 public:
  // `max_nodes` bounds growth. The base files are dated from the host's life: installed months
  // before `boot_epoch` (0: a week before `now_epoch`), systemd's /tmp directories made at boot,
  // the history touched lately; `seed` (the persona's) varies the names and times per decky.
  FileTree(std::string user, std::string home, int64_t now_epoch, size_t max_nodes = 1024,
           uint64_t seed = 0, int64_t boot_epoch = 0);

  const std::string& home() const { return home_; }
  const std::string& user() const { return user_; }
  // The node at an absolute, normalized path; null when absent.
  const FileNode* Find(std::string_view path) const;
  // The entries of directory `path` as (name, node), sorted by name; "." and ".." not included.
  std::vector<std::pair<std::string, const FileNode*>> List(std::string_view path) const;

  // Mutations, each checked like a Linux file system would (parent exists and is a directory,
  // the user may write there). kFailure when max_nodes would be exceeded (counted by the caller).
  FsResult CanCreateFile(std::string_view path) const;
  FsResult PutFile(std::string_view path, FileNode node);
  FsResult MakeDir(std::string_view path, uint32_t mode);
  FsResult RemoveFile(std::string_view path);
  FsResult RemoveDir(std::string_view path);
  // `overwrite`: posix-rename@openssh.com replaces an existing file; SSH2_FXP_RENAME does not.
  FsResult Rename(std::string_view from, std::string_view to, bool overwrite = false);
  // chmod/utimes: `mode` (permission bits) and/or `mtime`/`atime` when given (>= 0). Only the
  // owner or root may (EPERM: kPermissionDenied).
  FsResult SetAttrs(std::string_view path, int64_t mode, int64_t mtime, int64_t atime);
  size_t size() const { return nodes_.size(); }

 private:
  bool Writable(std::string_view dir) const;
  FileNode MakeNode(bool dir, uint32_t mode, bool owned_by_user, uint64_t size, int64_t mtime);
  uint64_t Random();  // splitmix64 over `seed`
  void AddBase(std::string path, FileNode node);

  std::string user_, home_;
  int64_t now_;
  size_t max_nodes_;
  uint32_t uid_ = 0, gid_ = 0;
  uint64_t rng_;
  std::map<std::string, FileNode, std::less<>> nodes_;
};

// The tree of this host for `user` (persona-seeded, dated from its boot).
std::shared_ptr<FileTree> NewHostTree(const decoy::Host& host, const std::string& user,
                                      const std::string& home, size_t max_nodes);

// `path` resolved against `cwd` (both absolute results): "." and ".." applied, repeated and
// trailing slashes dropped, never above "/". A leading "~" or "~/" is the home (expand-path).
// Paths longer than 4096 bytes (PATH_MAX) resolve to "" (the caller answers "No such file").
std::string ResolvePath(std::string_view cwd, std::string_view path, std::string_view home = {});

}  // namespace decnet::services::ssh_files
