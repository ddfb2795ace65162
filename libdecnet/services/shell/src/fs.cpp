#include "fs.h"

#include <utility>

#include "decnet/core/paths.h"

namespace decnet::services::shell {
namespace {

constexpr int kMaxLinkHops = 16;       // ELOOP past this, as the kernel's 40 but smaller
constexpr size_t kEntryOverhead = 64;  // what one overlay entry costs besides its bytes

std::string Join(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

bool IsUnder(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.size() > 1 && path[0] == '/';
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

}  // namespace

void BaseTree::Dir(std::string path, uint16_t mode, int64_t mtime) {
  Node n;
  n.kind = Node::Kind::kDir;
  n.mode = mode;
  n.mtime = mtime;
  n.size_hint = 4096;
  Add(std::move(path), std::move(n));
}

void BaseTree::File(std::string path, std::string data, uint16_t mode, int64_t mtime) {
  Node n;
  n.mode = mode;
  n.data = std::move(data);
  n.mtime = mtime;
  Add(std::move(path), std::move(n));
}

void BaseTree::Link(std::string path, std::string target, int64_t mtime) {
  Node n;
  n.kind = Node::Kind::kLink;
  n.mode = 0777;
  n.data = std::move(target);
  n.mtime = mtime;
  Add(std::move(path), std::move(n));
}

std::string NormalizePath(std::string_view cwd, std::string_view path) {
  if (!path.empty() && path[0] == '/') return LexicallyNormalAbsolute(path);
  return LexicallyNormalAbsolute(Join(cwd, path));
}

std::string_view Dirname(std::string_view p) {
  const size_t slash = p.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return slash == 0 ? std::string_view("/") : p.substr(0, slash);
}

std::string_view Basename(std::string_view p) {
  if (p == "/") return p;
  const size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

const char* FsErrorText(FsError e) {
  switch (e) {
    case FsError::kOk:
      return "Success";
    case FsError::kNoEnt:
      return "No such file or directory";
    case FsError::kNotDir:
      return "Not a directory";
    case FsError::kIsDir:
      return "Is a directory";
    case FsError::kExists:
      return "File exists";
    case FsError::kNoSpace:
      return "No space left on device";
    case FsError::kNotEmpty:
      return "Directory not empty";
    case FsError::kPerm:
      return "Operation not permitted";
  }
  return "Input/output error";
}

Fs::Fs(std::shared_ptr<const BaseTree> base, Budget budget)
    : base_(std::move(base)), budget_(budget) {}

const Node* Fs::LookupExact(std::string_view path) const {
  if (auto it = overlay_.find(path); it != overlay_.end())
    return it->second ? &*it->second : nullptr;
  // A deleted or replaced ancestor hides what the base tree has below it.
  for (std::string_view a = Dirname(path); a != "/"; a = Dirname(a)) {
    if (auto it = overlay_.find(a); it != overlay_.end()) {
      if (!it->second || !it->second->IsDir() || it->second->size_hint == 1) return nullptr;
    }
  }
  auto it = base_->nodes.find(path);
  return it == base_->nodes.end() ? nullptr : &it->second;
}

std::string Fs::Resolve(std::string_view abs_path, bool follow_last) const {
  std::string path = NormalizePath("/", abs_path);
  for (int hops = 0; hops < kMaxLinkHops; ++hops) {
    std::string cur;
    bool changed = false;
    size_t at = 1;
    while (at <= path.size() && path != "/") {
      const size_t next = std::min(path.find('/', at), path.size());
      cur = path.substr(0, next);
      const bool last = next >= path.size();
      const Node* n = LookupExact(cur);
      if (n && n->kind == Node::Kind::kLink && (!last || follow_last)) {
        const std::string rest = last ? std::string() : path.substr(next);
        path = NormalizePath(Dirname(cur), n->data + rest);
        changed = true;
        break;
      }
      if (!n) return path;  // nothing further to resolve
      at = next + 1;
    }
    if (!changed) return path;
  }
  return path;
}

const Node* Fs::Lookup(std::string_view abs_path, std::string* resolved) const {
  std::string r = Resolve(abs_path, true);
  const Node* n = LookupExact(r);
  if (n && n->kind == Node::Kind::kLink) n = nullptr;  // a loop or a dangling link
  if (resolved) *resolved = std::move(r);
  return n;
}

std::vector<std::pair<std::string, const Node*>> Fs::List(std::string_view abs_dir) const {
  std::vector<std::pair<std::string, const Node*>> out;
  std::string dir;
  const Node* d = Lookup(abs_dir, &dir);
  if (!d || !d->IsDir()) return out;
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  std::map<std::string, const Node*> children;
  auto collect = [&](const auto& map) {
    for (auto it = map.lower_bound(prefix); it != map.end() && it->first.starts_with(prefix);
         ++it) {
      const std::string_view name = std::string_view(it->first).substr(prefix.size());
      if (name.empty() || name.find('/') != std::string_view::npos) continue;
      if (const Node* n = LookupExact(it->first)) children[std::string(name)] = n;
    }
  };
  collect(base_->nodes);
  collect(overlay_);
  out.assign(children.begin(), children.end());
  return out;
}

size_t Fs::CostOf(std::string_view path, const std::optional<Node>& node) {
  return kEntryOverhead + path.size() + (node ? node->data.size() + node->owner.size() : 0);
}

FsError Fs::Put(std::string path, std::optional<Node> node) {
  auto it = overlay_.find(path);
  const size_t old_cost = it == overlay_.end() ? 0 : CostOf(path, it->second);
  // Deleting something only the overlay had frees its entry instead of keeping a whiteout.
  if (!node && base_->nodes.find(path) == base_->nodes.end()) {
    if (it != overlay_.end()) {
      overlay_bytes_ -= old_cost;
      overlay_.erase(it);
    }
    return FsError::kOk;
  }
  const size_t new_cost = CostOf(path, node);
  const bool new_entry = it == overlay_.end();
  if (overlay_bytes_ - old_cost + new_cost > budget_.max_bytes ||
      (new_entry && overlay_.size() >= budget_.max_entries)) {
    ++refused_;
    return FsError::kNoSpace;
  }
  overlay_bytes_ = overlay_bytes_ - old_cost + new_cost;
  if (new_entry) {
    overlay_.emplace(std::move(path), std::move(node));
  } else {
    it->second = std::move(node);
  }
  return FsError::kOk;
}

FsError Fs::Write(std::string_view abs_path, std::string_view data, bool append, int64_t now) {
  const std::string path = Resolve(abs_path, true);
  const Node* parent = Lookup(Dirname(path));
  if (!parent) return FsError::kNoEnt;
  if (!parent->IsDir()) return FsError::kNotDir;
  const Node* old = LookupExact(path);
  if (old && old->IsDir()) return FsError::kIsDir;
  if (old && old->kind == Node::Kind::kDevice) return FsError::kOk;  // /dev/null and friends
  Node n = old ? *old : Node{};
  if (!old) n.mode = 0644;
  if (!append) n.data.clear();
  if (n.data.empty()) n.size_hint = 0;
  n.data.append(data);
  n.mtime = now;
  return Put(path, std::move(n));
}

FsError Fs::Mkdir(std::string_view abs_path, int64_t now, bool parents) {
  const std::string path = Resolve(abs_path, true);
  if (const Node* n = LookupExact(path))
    return parents && n->IsDir() ? FsError::kOk : FsError::kExists;
  const Node* parent = Lookup(Dirname(path));
  if (!parent && parents && path != "/") {
    if (FsError e = Mkdir(Dirname(path), now, true); e != FsError::kOk) return e;
    parent = Lookup(Dirname(path));
  }
  if (!parent) return FsError::kNoEnt;
  if (!parent->IsDir()) return FsError::kNotDir;
  Node n;
  n.kind = Node::Kind::kDir;
  n.mode = 0755;
  n.mtime = now;
  // size_hint 1 marks an opaque directory: it replaces a deleted one, whose base children stay
  // gone.
  n.size_hint = base_->nodes.count(path) ? 1 : 4096;
  return Put(path, std::move(n));
}

FsError Fs::Remove(std::string_view abs_path, bool recursive) {
  const std::string path = Resolve(abs_path, false);
  const Node* n = LookupExact(path);
  if (!n) return FsError::kNoEnt;
  if (n->IsDir() && !recursive && !List(path).empty()) return FsError::kNotEmpty;
  // Drop overlay entries below it, then hide the path itself (and so the base tree below it).
  for (auto it = overlay_.lower_bound(path); it != overlay_.end();) {
    if (!IsUnder(it->first, path)) {
      if (it->first > path && !it->first.starts_with(path)) break;
      ++it;
      continue;
    }
    overlay_bytes_ -= CostOf(it->first, it->second);
    it = overlay_.erase(it);
  }
  return Put(path, std::nullopt);
}

FsError Fs::Copy(std::string_view from, std::string_view to, int64_t now) {
  const Node* src = Lookup(from);
  if (!src) return FsError::kNoEnt;
  if (src->IsDir()) return FsError::kIsDir;
  std::string dest = Resolve(to, true);
  if (const Node* d = LookupExact(dest); d && d->IsDir()) dest = Join(dest, Basename(from));
  const Node* parent = Lookup(Dirname(dest));
  if (!parent) return FsError::kNoEnt;
  if (!parent->IsDir()) return FsError::kNotDir;
  Node n = *src;
  n.mtime = now;
  return Put(dest, std::move(n));
}

FsError Fs::Rename(std::string_view from, std::string_view to, int64_t now) {
  const std::string src = Resolve(from, false);
  const Node* n = LookupExact(src);
  if (!n) return FsError::kNoEnt;
  std::string dest = Resolve(to, true);
  if (const Node* d = LookupExact(dest); d && d->IsDir()) dest = Join(dest, Basename(src));
  if (dest == src) return FsError::kOk;
  if (n->IsDir() && !List(src).empty()) return FsError::kPerm;  // moving trees: not emulated
  const Node* parent = Lookup(Dirname(dest));
  if (!parent) return FsError::kNoEnt;
  if (!parent->IsDir()) return FsError::kNotDir;
  Node copy = *n;
  copy.mtime = now;
  if (FsError e = Put(dest, std::move(copy)); e != FsError::kOk) return e;
  return Remove(src, true);
}

FsError Fs::Symlink(std::string_view target, std::string_view link_path, int64_t now) {
  const std::string path = NormalizePath("/", link_path);
  if (LookupExact(path)) return FsError::kExists;
  const Node* parent = Lookup(Dirname(path));
  if (!parent) return FsError::kNoEnt;
  Node n;
  n.kind = Node::Kind::kLink;
  n.mode = 0777;
  n.data = std::string(target);
  n.mtime = now;
  return Put(path, std::move(n));
}

FsError Fs::Chmod(std::string_view abs_path, uint16_t mode) {
  std::string path;
  const Node* n = Lookup(abs_path, &path);
  if (!n) return FsError::kNoEnt;
  Node copy = *n;
  copy.mode = mode & 07777;
  return Put(path, std::move(copy));
}

FsError Fs::Chown(std::string_view abs_path, std::string_view owner, std::string_view group) {
  std::string path;
  const Node* n = Lookup(abs_path, &path);
  if (!n) return FsError::kNoEnt;
  Node copy = *n;
  copy.owner = std::string(owner);
  copy.group = std::string(group);
  return Put(path, std::move(copy));
}

FsError Fs::Touch(std::string_view abs_path, int64_t now) {
  std::string path;
  if (const Node* n = Lookup(abs_path, &path)) {
    Node copy = *n;
    copy.mtime = now;
    return Put(path, std::move(copy));
  }
  return Write(abs_path, "", true, now);
}

}  // namespace decnet::services::shell
