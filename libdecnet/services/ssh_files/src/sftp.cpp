// SFTP v3 server. Wire facts (types, flags, status codes and messages, the 256 KiB bound, the
// extension list, READDIR's 100 names per reply, the ls -l long name) follow
// draft-ietf-secsh-filexfer-02 and OpenSSH's sftp-server as a client observes it.
#include "decnet/services/ssh_files/sftp.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/service.h"
#include "decnet/services/ssh_files/tree.h"
#include "wire.h"

namespace decnet::services::ssh_files {
namespace {

enum : uint8_t {
  kInit = 1,
  kVersion = 2,
  kOpen = 3,
  kClose = 4,
  kRead = 5,
  kWrite = 6,
  kLstat = 7,
  kFstat = 8,
  kSetstat = 9,
  kFsetstat = 10,
  kOpendir = 11,
  kReaddir = 12,
  kRemove = 13,
  kMkdir = 14,
  kRmdir = 15,
  kRealpath = 16,
  kStat = 17,
  kRename = 18,
  kReadlink = 19,
  kSymlink = 20,
  kStatus = 101,
  kHandle = 102,
  kData = 103,
  kName = 104,
  kAttrs = 105,
  kExtended = 200,
  kExtendedReply = 201,
};
enum : uint32_t {
  kFxOk = 0,
  kFxEof = 1,
  kFxNoSuchFile = 2,
  kFxPermissionDenied = 3,
  kFxFailure = 4,
  kFxBadMessage = 5,
  kFxOpUnsupported = 8,
};
enum : uint32_t {
  kAttrSize = 1,
  kAttrUidGid = 2,
  kAttrPerm = 4,
  kAttrTime = 8,
  kAttrExt = 0x80000000
};
enum : uint32_t {
  kOpenRead = 1,
  kOpenWrite = 2,
  kOpenAppend = 4,
  kOpenCreat = 8,
  kOpenTrunc = 0x10,
  kOpenExcl = 0x20
};

constexpr size_t kNamesPerReaddir = 100;  // sftp-server sends at most 100 names per READDIR
constexpr uint64_t kOpensshMaxOpenHandles = 1019;  // what limits@ reports under a 1024-fd rlimit
constexpr int kExitBadLength = 11;  // sftp-server's exit when a length is over its bound
constexpr int kExitFatal = 255;     // fatal(): a field did not parse

// The eleven extensions of OpenSSH 9.2's VERSION, in its order.
constexpr std::pair<std::string_view, std::string_view> kExtensions[] = {
    {"posix-rename@openssh.com", "1"},
    {"statvfs@openssh.com", "2"},
    {"fstatvfs@openssh.com", "2"},
    {"hardlink@openssh.com", "1"},
    {"fsync@openssh.com", "1"},
    {"lsetstat@openssh.com", "1"},
    {"limits@openssh.com", "1"},
    {"expand-path@openssh.com", "1"},
    {"copy-data", "1"},
    {"home-directory", "1"},
    {"users-groups-by-id@openssh.com", "1"},
};

const char* StatusMessage(uint32_t code) {
  switch (code) {
    case kFxOk:
      return "Success";
    case kFxEof:
      return "End of file";
    case kFxNoSuchFile:
      return "No such file";
    case kFxPermissionDenied:
      return "Permission denied";
    case kFxFailure:
      return "Failure";
    case kFxBadMessage:
      return "Bad message";
    case kFxOpUnsupported:
      return "Operation unsupported";
  }
  return "Unknown error";
}

uint32_t ToStatus(FsResult r) {
  switch (r) {
    case FsResult::kOk:
      return kFxOk;
    case FsResult::kNoSuchFile:
      return kFxNoSuchFile;
    case FsResult::kPermissionDenied:
      return kFxPermissionDenied;
    case FsResult::kFailure:
      return kFxFailure;
  }
  return kFxFailure;
}

// Attributes a client sends (only what setstat applies is kept).
struct Attrs {
  uint32_t flags = 0;
  uint32_t perm = 0;
  uint32_t mtime = 0, atime = 0;
};

bool ReadAttrs(WireReader& r, Attrs* a) {
  uint64_t size;
  uint32_t u32;
  std::string_view s;
  if (!r.U32(&a->flags)) return false;
  if ((a->flags & kAttrSize) && !r.U64(&size)) return false;
  if ((a->flags & kAttrUidGid) && !(r.U32(&u32) && r.U32(&u32))) return false;
  if ((a->flags & kAttrPerm) && !r.U32(&a->perm)) return false;
  if ((a->flags & kAttrTime) && !(r.U32(&a->atime) && r.U32(&a->mtime))) return false;
  if (a->flags & kAttrExt) {
    uint32_t count;
    if (!r.U32(&count)) return false;
    // Each pair is at least 8 bytes, so `count` cannot make this loop outrun the packet.
    for (uint32_t i = 0; i < count; ++i)
      if (!(r.Str(&s) && r.Str(&s))) return false;
  }
  return true;
}

void PutAttrs(WireWriter& w, const FileNode& n) {
  w.U32(kAttrSize | kAttrUidGid | kAttrPerm | kAttrTime);
  w.U64(n.size);
  w.U32(n.uid);
  w.U32(n.gid);
  w.U32(n.PosixMode());
  w.U32(static_cast<uint32_t>(n.atime));
  w.U32(static_cast<uint32_t>(n.mtime));
}

// strmode(3) as ls -l shows it, with the trailing space for the ACL mark.
std::string ModeString(const FileNode& n) {
  const uint32_t m = n.mode;
  std::string s = n.dir ? "d" : "-";
  auto rwx = [&](uint32_t shift, uint32_t special, char set, char unset) {
    s += (m >> shift) & 4 ? 'r' : '-';
    s += (m >> shift) & 2 ? 'w' : '-';
    const bool x = (m >> shift) & 1;
    s += (m & special) ? (x ? set : unset) : (x ? 'x' : '-');
  };
  rwx(6, 04000, 's', 'S');
  rwx(3, 02000, 's', 'S');
  rwx(0, 01000, 't', 'T');
  return s + " ";
}

// A node's attributes without its contents (a listing holds many, for as long as its handle).
FileNode Meta(const FileNode& n) {
  FileNode m;
  m.dir = n.dir;
  m.mode = n.mode;
  m.uid = n.uid;
  m.gid = n.gid;
  m.owner = n.owner;
  m.group = n.group;
  m.size = n.size;
  m.mtime = n.mtime;
  m.atime = n.atime;
  return m;
}

// The long name of a READDIR entry, as `ls -l` inside sftp prints it.
std::string LongName(const std::string& name, const FileNode& n, int64_t now) {
  constexpr int64_t kSixMonths = 182 * 86400;
  char tbuf[32];
  const time_t t = static_cast<time_t>(n.mtime);
  struct tm tm;
  gmtime_r(&t, &tm);
  const bool recent = now - kSixMonths < n.mtime && n.mtime < now + kSixMonths;
  strftime(tbuf, sizeof tbuf, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
  char buf[160];
  const int ulen = std::max<int>(8, static_cast<int>(n.owner.size()));
  const int glen = std::max<int>(8, static_cast<int>(n.group.size()));
  snprintf(buf, sizeof buf, "%s %3u %-*s %-*s %8llu %s ", ModeString(n).c_str(), n.dir ? 2u : 1u,
           ulen, n.owner.c_str(), glen, n.group.c_str(), static_cast<unsigned long long>(n.size),
           tbuf);
  return buf + name;
}

}  // namespace

struct SftpServer::Impl {
  struct Handle {
    std::string name;  // the handle string the client holds
    bool dir = false;
    bool eisdir = false;  // a directory opened as a file: reads fail as read(2) does
    std::string path;
    // Directories: the listing taken at OPENDIR, served 100 at a time.
    std::vector<std::pair<std::string, FileNode>> entries;
    size_t next = 0;
    // Files open for reading: served from the tree's node at `path` (never copied per handle).
    bool readable = false;
    // Files open for writing: the upload in progress.
    std::unique_ptr<decoy::ArtifactStore::Upload> upload;
    bool append = false;
    uint64_t written = 0;
    std::string kept;  // for reading the upload back later (bounded by max_readback_bytes)
    uint32_t mode = 0644;
  };

  decoy::Connection& conn;
  ChannelIo io;
  TransferContext ctx;
  TransferCounters own_counters;
  TransferCounters& counters;
  std::shared_ptr<FileTree> tree;
  std::string inbuf;
  bool init_done = false;
  bool closed = false;
  uint32_t next_handle = 0;
  size_t readback_used = 0;
  std::map<std::string, Handle, std::less<>> handles;

  Impl(decoy::Connection& c, ChannelIo i, TransferContext x)
      : conn(c),
        io(std::move(i)),
        ctx(std::move(x)),
        counters(ctx.counters ? *ctx.counters : own_counters),
        tree(ctx.tree) {
    if (!tree) tree = NewHostTree(conn.host(), ctx.user, ctx.home, ctx.limits.max_nodes);
  }

  int64_t Now() const { return conn.host().WallUs() / 1000000; }

  void Exit(int status) {
    if (closed) return;
    closed = true;
    for (const auto& [name, h] : handles) counters.uploads_discarded += h.upload != nullptr;
    handles.clear();  // partial uploads are discarded with their handles
    inbuf.clear();
    if (io.close) io.close(static_cast<uint32_t>(status));
  }

  void Send(WireWriter& w) {
    if (!closed && io.send) io.send(w.Finish());
  }

  void Malformed() {
    ++counters.malformed;
    ++conn.host().counters().malformed;
    Exit(kExitFatal);
  }

  void Feed(std::string_view data) {
    while (!data.empty() && !closed) {
      const size_t room = ctx.limits.max_buffered_input - inbuf.size();
      if (room == 0) {
        ++counters.input_overflow;
        Exit(kExitBadLength);
        return;
      }
      const size_t take = std::min(room, data.size());
      inbuf.append(data.substr(0, take));
      data.remove_prefix(take);
      ProcessPackets();
    }
  }

  void ProcessPackets() {
    size_t at = 0;
    while (!closed && inbuf.size() - at >= 4) {
      const uint32_t len = LoadU32(inbuf.data() + at);
      if (len > ctx.limits.max_packet_bytes) {
        ++counters.packets_too_long;
        ++conn.host().counters().malformed;
        Exit(kExitBadLength);
        return;
      }
      if (inbuf.size() - at - 4 < len) break;
      const std::string_view packet(inbuf.data() + at + 4, len);
      at += 4 + len;
      Dispatch(packet);
    }
    if (!closed) inbuf.erase(0, at);
  }

  void Dispatch(std::string_view packet) {
    WireReader r(packet);
    uint8_t type;
    if (!r.U8(&type)) return Malformed();
    if (type == kInit) return OnInit(r);
    // Like sftp-server: any request before INIT, or a second INIT, ends the session.
    if (!init_done) return Exit(1);
    uint32_t id;
    if (!r.U32(&id)) return Malformed();
    switch (type) {
      case kOpen:
        return OnOpen(id, r);
      case kClose:
        return OnClose(id, r);
      case kRead:
        return OnRead(id, r);
      case kWrite:
        return OnWrite(id, r);
      case kLstat:
      case kStat:
        return OnStat(id, r);
      case kFstat:
        return OnFstat(id, r);
      case kSetstat:
        return OnSetstat(id, r, false);
      case kFsetstat:
        return OnSetstat(id, r, true);
      case kOpendir:
        return OnOpendir(id, r);
      case kReaddir:
        return OnReaddir(id, r);
      case kRemove:
        return OnRemove(id, r);
      case kMkdir:
        return OnMkdir(id, r);
      case kRmdir:
        return OnRmdir(id, r);
      case kRealpath:
        return OnRealpath(id, r, false);
      case kRename:
        return OnRename(id, r, false);
      case kReadlink:
        return OnReadlink(id, r);
      case kExtended:
        return OnExtended(id, r);
      default:
        return Unsupported(id);
    }
  }

  void Unsupported(uint32_t id) {
    ++counters.unsupported;
    Status(id, kFxOpUnsupported);
  }

  void Status(uint32_t id, uint32_t code) {
    WireWriter w;
    w.U8(kStatus);
    w.U32(id);
    w.U32(code);
    w.Str(StatusMessage(code));
    w.Str("");
    Send(w);
  }

  void OnInit(WireReader& r) {
    uint32_t version;
    if (init_done) return Exit(1);
    if (!r.U32(&version)) return Malformed();
    init_done = true;
    WireWriter w;
    w.U8(kVersion);
    w.U32(3);
    for (const auto& [name, value] : kExtensions) {
      w.Str(name);
      w.Str(value);
    }
    Send(w);
  }

  // A client path, resolved against the home (sftp-server's working directory).
  bool ReadPath(WireReader& r, std::string* path) {
    std::string_view raw;
    if (!r.Str(&raw)) return false;
    *path = ResolvePath(tree->home(), raw);
    return true;
  }

  // Non-root users cannot look into /root (mode 0700), as on the real host.
  bool Hidden(std::string_view path) const {
    return tree->user() != "root" && path.size() > 5 && path.substr(0, 6) == "/root/";
  }

  Handle* FindHandle(WireReader& r, bool* ok) {
    std::string_view h;
    *ok = r.Str(&h);
    if (!*ok) return nullptr;
    auto it = handles.find(h);
    return it == handles.end() ? nullptr : &it->second;
  }

  // Registers a handle; null (counted) when the session holds max_open_handles already.
  std::string NewHandle(Handle h) {
    if (handles.size() >= ctx.limits.max_open_handles) {
      ++counters.handles_refused;
      return {};
    }
    // sftp-server's handles are a 4-byte big-endian index.
    std::string name(4, '\0');
    StoreU32(name.data(), next_handle++);
    h.name = name;
    handles.emplace(name, std::move(h));
    return name;
  }

  void SendHandle(uint32_t id, const std::string& name) {
    if (name.empty()) return Status(id, kFxFailure);
    WireWriter w;
    w.U8(kHandle);
    w.U32(id);
    w.Str(name);
    Send(w);
  }

  void SendName(uint32_t id, const std::string& path) {
    WireWriter w;
    w.U8(kName);
    w.U32(id);
    w.U32(1);
    w.Str(path);
    w.Str(path);
    w.U32(0);  // realpath answers carry no attributes
    Send(w);
  }

  void OnOpen(uint32_t id, WireReader& r) {
    std::string path;
    uint32_t pflags;
    Attrs a;
    std::string_view raw;
    WireReader peek = r;
    if (!peek.Str(&raw) || !ReadPath(r, &path) || !r.U32(&pflags) || !ReadAttrs(r, &a)) {
      return Malformed();
    }
    if (path.empty()) return Status(id, kFxNoSuchFile);
    if (pflags & (kOpenWrite | kOpenAppend)) {
      // "name/" cannot be created as a file: EISDIR once its parent exists (scp's "dest open").
      if (raw.ends_with('/') && !Find(path)) {
        const FileNode* parent = tree->Find(ResolvePath(path, ".."));
        return Status(id, parent && parent->dir ? kFxFailure : kFxNoSuchFile);
      }
      return OpenForWrite(id, path, pflags, a);
    }
    const FileNode* n = Find(path);
    if (!n) return Status(id, Hidden(path) ? kFxPermissionDenied : kFxNoSuchFile);
    Handle h;
    h.path = path;
    h.readable = true;
    h.eisdir = n->dir;
    LogOp("open_read", path);
    SendHandle(id, NewHandle(std::move(h)));
  }

  const FileNode* Find(const std::string& path) const {
    return Hidden(path) ? nullptr : tree->Find(path);
  }

  void OpenForWrite(uint32_t id, const std::string& path, uint32_t pflags, const Attrs& a) {
    if (Hidden(path)) return Status(id, kFxPermissionDenied);
    const FileNode* existing = Find(path);
    if (!existing && !(pflags & kOpenCreat)) return Status(id, kFxNoSuchFile);
    if (existing && (pflags & kOpenExcl) && (pflags & kOpenCreat)) return Status(id, kFxFailure);
    const FsResult can = tree->CanCreateFile(path);
    if (can != FsResult::kOk) {
      if (can == FsResult::kFailure && !existing) ++counters.nodes_refused;
      return Status(id, ToStatus(can));
    }
    Handle h;
    h.path = path;
    h.append = pflags & kOpenAppend;
    h.mode = (a.flags & kAttrPerm) ? (a.perm & 07777) : 0644;
    h.upload = conn.host().artifacts().Begin();
    SendHandle(id, NewHandle(std::move(h)));
  }

  void OnClose(uint32_t id, WireReader& r) {
    bool ok;
    Handle* h = FindHandle(r, &ok);
    if (!ok) return Malformed();
    if (!h) return Status(id, kFxFailure);
    const uint32_t code = h->upload ? FinishUpload(*h) : kFxOk;
    handles.erase(handles.find(h->name));
    Status(id, code);
  }

  uint32_t FinishUpload(Handle& h) {
    auto done = h.upload->Finish();
    h.upload.reset();
    if (!done) return kFxFailure;
    FileNode n;
    n.mode = h.mode;
    n.uid = n.gid = tree->user() == "root" ? 0 : 1000;
    n.owner = n.group = tree->user();
    n.size = done->size;
    n.mtime = n.atime = Now();
    n.content = std::move(h.kept);
    n.uploaded = true;
    n.stored_path = done->path;
    n.stored = done->stored;
    if (tree->PutFile(h.path, std::move(n)) != FsResult::kOk) ++counters.nodes_refused;
    ++counters.uploads;
    counters.upload_bytes += done->size;
    conn.host()
        .log()
        .New("ssh", "file_upload")
        .From(conn)
        .Add("protocol", "sftp")
        .Add("username", tree->user())
        .Add("path", h.path)
        .Add("size", static_cast<int64_t>(done->size))
        .Add("sha256", done->sha256)
        .Add("stored", static_cast<int64_t>(done->stored))
        .Emit();
    return kFxOk;
  }

  void OnRead(uint32_t id, WireReader& r) {
    bool ok;
    uint64_t offset;
    uint32_t len;
    Handle* h = FindHandle(r, &ok);
    if (!ok || !r.U64(&offset) || !r.U32(&len)) return Malformed();
    if (!h || !h->readable || h->eisdir) return Status(id, kFxFailure);
    const FileNode* n = tree->Find(h->path);
    if (!n) return Status(id, kFxEof);  // removed meanwhile: reads see an empty file
    if (offset >= n->size) return Status(id, kFxEof);
    len = std::min<uint32_t>(len, static_cast<uint32_t>(ctx.limits.max_packet_bytes - 1024));
    std::string chunk;
    if (offset < n->content.size()) {
      chunk = std::string_view(n->content).substr(offset, len);
    } else if (!ReadStored(*n, offset, len, &chunk)) {
      return Status(id, kFxFailure);  // past what the store kept (or it cannot be read now)
    }
    WireWriter w;
    w.U8(kData);
    w.U32(id);
    w.Str(chunk);
    Send(w);
  }

  // An upload past what is kept in memory comes back from its artifact (the store caps it).
  static bool ReadStored(const FileNode& n, uint64_t offset, uint32_t len, std::string* out) {
    if (n.stored_path.empty() || offset >= n.stored) return false;
    const int fd = open(n.stored_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    out->resize(static_cast<size_t>(std::min<uint64_t>(len, n.stored - offset)));
    const ssize_t got = pread(fd, out->data(), out->size(), static_cast<off_t>(offset));
    close(fd);
    if (got <= 0) return false;
    out->resize(static_cast<size_t>(got));
    return true;
  }

  void OnWrite(uint32_t id, WireReader& r) {
    bool ok;
    uint64_t offset;
    std::string_view data;
    Handle* h = FindHandle(r, &ok);
    if (!ok || !r.U64(&offset) || !r.Str(&data)) return Malformed();
    if (!h || !h->upload) return Status(id, kFxFailure);
    if (!h->append && offset != h->written) {
      ++counters.writes_out_of_order;
      return Status(id, kFxFailure);
    }
    if (h->written + data.size() > ctx.limits.max_upload_bytes) {
      ++counters.uploads_over_limit;
      return Status(id, kFxFailure);  // what a full disk answers
    }
    h->upload->Append(data);
    h->written += data.size();
    const size_t keep = std::min(data.size(), ctx.limits.max_readback_bytes - readback_used);
    h->kept.append(data.substr(0, keep));
    readback_used += keep;
    Status(id, kFxOk);
  }

  void SendAttrs(uint32_t id, const FileNode& n) {
    WireWriter w;
    w.U8(kAttrs);
    w.U32(id);
    PutAttrs(w, n);
    Send(w);
  }

  void OnStat(uint32_t id, WireReader& r) {
    std::string path;
    if (!ReadPath(r, &path)) return Malformed();
    const FileNode* n = Find(path);
    if (!n) return Status(id, Hidden(path) ? kFxPermissionDenied : kFxNoSuchFile);
    SendAttrs(id, *n);
  }

  void OnFstat(uint32_t id, WireReader& r) {
    bool ok;
    Handle* h = FindHandle(r, &ok);
    if (!ok) return Malformed();
    if (!h) return Status(id, kFxFailure);
    if (h->upload) {
      FileNode n;
      n.mode = h->mode;
      n.owner = n.group = tree->user();
      n.uid = n.gid = tree->user() == "root" ? 0 : 1000;
      n.size = h->written;
      n.mtime = n.atime = Now();
      return SendAttrs(id, n);
    }
    const FileNode* n = tree->Find(h->path);
    if (!n) return Status(id, kFxFailure);
    SendAttrs(id, *n);
  }

  void OnSetstat(uint32_t id, WireReader& r, bool by_handle) {
    Attrs a;
    std::string path;
    if (by_handle) {
      bool ok;
      Handle* h = FindHandle(r, &ok);
      if (!ok || !ReadAttrs(r, &a)) return Malformed();
      if (!h) return Status(id, kFxFailure);
      if (h->upload && (a.flags & kAttrPerm)) h->mode = a.perm & 07777;
      return Status(id, kFxOk);
    }
    if (!ReadPath(r, &path) || !ReadAttrs(r, &a)) return Malformed();
    if (!Find(path)) return Status(id, Hidden(path) ? kFxPermissionDenied : kFxNoSuchFile);
    const FsResult res = tree->SetAttrs(path, (a.flags & kAttrPerm) ? int64_t{a.perm} : -1,
                                        (a.flags & kAttrTime) ? int64_t{a.mtime} : -1,
                                        (a.flags & kAttrTime) ? int64_t{a.atime} : -1);
    Mutation(id, "setstat", path, res);
  }

  void OnOpendir(uint32_t id, WireReader& r) {
    std::string path;
    if (!ReadPath(r, &path)) return Malformed();
    const FileNode* n = Find(path);
    if (!n)
      return Status(id, Hidden(path) || path == "/root" ? kFxPermissionDenied : kFxNoSuchFile);
    if (!n->dir) return Status(id, kFxFailure);  // ENOTDIR
    if (path == "/root" && tree->user() != "root") return Status(id, kFxPermissionDenied);
    Handle h;
    h.dir = true;
    h.path = path;
    h.entries.emplace_back(".", Meta(*n));
    const FileNode* parent = tree->Find(ResolvePath(path, ".."));
    h.entries.emplace_back("..", Meta(parent ? *parent : *n));
    for (const auto& [name, node] : tree->List(path)) h.entries.emplace_back(name, Meta(*node));
    SendHandle(id, NewHandle(std::move(h)));
  }

  void OnReaddir(uint32_t id, WireReader& r) {
    bool ok;
    Handle* h = FindHandle(r, &ok);
    if (!ok) return Malformed();
    if (!h || !h->dir) return Status(id, kFxFailure);
    if (h->next >= h->entries.size()) return Status(id, kFxEof);
    const size_t count = std::min(kNamesPerReaddir, h->entries.size() - h->next);
    WireWriter w;
    w.U8(kName);
    w.U32(id);
    w.U32(static_cast<uint32_t>(count));
    const int64_t now = Now();
    for (size_t i = 0; i < count; ++i) {
      const auto& [name, node] = h->entries[h->next++];
      w.Str(name);
      w.Str(LongName(name, node, now));
      PutAttrs(w, node);
    }
    Send(w);
  }

  void Mutation(uint32_t id, std::string_view op, const std::string& path, FsResult result,
                std::string_view to = {}) {
    if (result == FsResult::kOk) LogOp(op, path, to);
    Status(id, ToStatus(result));
  }

  void OnRemove(uint32_t id, WireReader& r) {
    std::string path;
    if (!ReadPath(r, &path)) return Malformed();
    if (Hidden(path)) return Status(id, kFxPermissionDenied);
    Mutation(id, "remove", path, tree->RemoveFile(path));
  }

  void OnMkdir(uint32_t id, WireReader& r) {
    std::string path;
    Attrs a;
    if (!ReadPath(r, &path) || !ReadAttrs(r, &a)) return Malformed();
    if (Hidden(path)) return Status(id, kFxPermissionDenied);
    const FsResult res = tree->MakeDir(path, (a.flags & kAttrPerm) ? a.perm & 0755 : 0755);
    if (res == FsResult::kFailure && tree->size() >= ctx.limits.max_nodes) ++counters.nodes_refused;
    Mutation(id, "mkdir", path, res);
  }

  void OnRmdir(uint32_t id, WireReader& r) {
    std::string path;
    if (!ReadPath(r, &path)) return Malformed();
    if (Hidden(path)) return Status(id, kFxPermissionDenied);
    Mutation(id, "rmdir", path, tree->RemoveDir(path));
  }

  void OnRename(uint32_t id, WireReader& r, bool overwrite) {
    std::string from, to;
    if (!ReadPath(r, &from) || !ReadPath(r, &to)) return Malformed();
    if (Hidden(from) || Hidden(to)) return Status(id, kFxPermissionDenied);
    Mutation(id, "rename", from, tree->Rename(from, to, overwrite), to);
  }

  void OnReadlink(uint32_t id, WireReader& r) {
    std::string path;
    if (!ReadPath(r, &path)) return Malformed();
    // The model has no links: an existing path is EINVAL (Failure), as readlink(2) on a file.
    Status(id, Find(path) ? kFxFailure : kFxNoSuchFile);
  }

  // REALPATH and expand-path@openssh.com: the canonical path. Like OpenSSH's realpath, the last
  // component may be missing (sftp's `put -r` canonicalizes the directory before it makes it);
  // every one before it must be a directory.
  void OnRealpath(uint32_t id, WireReader& r, bool expand_tilde) {
    std::string_view raw;
    if (!r.Str(&raw)) return Malformed();
    const std::string path =
        ResolvePath(tree->home(), raw.empty() ? "." : raw, expand_tilde ? tree->home() : "");
    if (path.empty()) return Status(id, kFxNoSuchFile);
    if (Hidden(path)) return Status(id, kFxPermissionDenied);
    if (!Find(path)) {
      // "dir/", "dir/." and "dir/.." need dir itself.
      const bool names_a_file = !raw.empty() && raw.back() != '/' && !raw.ends_with("/.") &&
                                !raw.ends_with("/..") && raw != "." && raw != "..";
      if (!names_a_file) return Status(id, kFxNoSuchFile);
      const FileNode* parent = tree->Find(ResolvePath(path, ".."));
      if (!parent || !parent->dir) return Status(id, kFxNoSuchFile);
    }
    SendName(id, path);
  }

  void OnExtended(uint32_t id, WireReader& r) {
    std::string_view name;
    if (!r.Str(&name)) return Malformed();
    if (name == "limits@openssh.com") return ReplyLimits(id);
    if (name == "posix-rename@openssh.com") return OnRename(id, r, true);
    if (name == "expand-path@openssh.com") return OnRealpath(id, r, true);
    if (name == "statvfs@openssh.com") return ReplyStatvfs(id, r, false);
    if (name == "fstatvfs@openssh.com") return ReplyStatvfs(id, r, true);
    if (name == "lsetstat@openssh.com") return OnSetstat(id, r, false);
    if (name == "home-directory") return ReplyHome(id, r);
    if (name == "fsync@openssh.com") {
      bool ok;
      Handle* h = FindHandle(r, &ok);
      if (!ok) return Malformed();
      return Status(id, h ? kFxOk : kFxFailure);
    }
    if (name == "users-groups-by-id@openssh.com") return ReplyUsersGroups(id, r);
    // hardlink@ and copy-data are advertised (OpenSSH does) but refused as a full disk would be.
    if (name == "hardlink@openssh.com" || name == "copy-data") return Status(id, kFxFailure);
    Unsupported(id);
  }

  void ReplyLimits(uint32_t id) {
    WireWriter w;
    w.U8(kExtendedReply);
    w.U32(id);
    w.U64(ctx.limits.max_packet_bytes);
    w.U64(ctx.limits.max_packet_bytes - 1024);  // read length
    w.U64(ctx.limits.max_packet_bytes - 1024);  // write length
    w.U64(kOpensshMaxOpenHandles);
    Send(w);
  }

  void ReplyStatvfs(uint32_t id, WireReader& r, bool by_handle) {
    if (by_handle) {
      bool ok;
      Handle* h = FindHandle(r, &ok);
      if (!ok) return Malformed();
      if (!h) return Status(id, kFxFailure);
    } else {
      std::string path;
      if (!ReadPath(r, &path)) return Malformed();
      if (!Find(path)) return Status(id, kFxNoSuchFile);
    }
    // A 30 GiB ext4 root, a third used.
    WireWriter w;
    w.U8(kExtendedReply);
    w.U32(id);
    for (uint64_t v : {4096ull, 4096ull, 7864320ull, 5210112ull, 4808704ull, 1966080ull, 1871210ull,
                       1871210ull, 0x8d6a1f03c4b2e7a1ull, 0ull, 255ull}) {
      w.U64(v);
    }
    Send(w);
  }

  void ReplyHome(uint32_t id, WireReader& r) {
    std::string_view user;
    if (!r.Str(&user)) return Malformed();
    if (user.empty() || user == tree->user()) return SendName(id, tree->home());
    if (user == "root") return SendName(id, "/root");
    Status(id, kFxFailure);  // getpwnam() found nobody
  }

  void ReplyUsersGroups(uint32_t id, WireReader& r) {
    std::string_view uids, gids;
    if (!r.Str(&uids) || !r.Str(&gids)) return Malformed();
    auto names = [&](std::string_view ids) {
      WireWriter list;
      for (size_t at = 0; at + 4 <= ids.size(); at += 4) {
        const uint32_t v = LoadU32(ids.data() + at);
        list.Str(v == 0 ? "root" : (v == 1000 && tree->user() != "root") ? tree->user() : "");
      }
      return list.Body();
    };
    WireWriter w;
    w.U8(kExtendedReply);
    w.U32(id);
    w.Str(names(uids));
    w.Str(names(gids));
    Send(w);
  }

  void LogOp(std::string_view op, std::string_view path, std::string_view to = {}) {
    auto ev = conn.host().log().New("ssh", "file_op");
    ev.From(conn).Add("protocol", "sftp").Add("op", op).Add("path", path);
    if (!to.empty()) ev.Add("to", to);
    ev.Emit();
  }
};

SftpServer::SftpServer(decoy::Connection& conn, ChannelIo io, TransferContext ctx)
    : impl_(std::make_unique<Impl>(conn, std::move(io), std::move(ctx))) {}
SftpServer::~SftpServer() {
  if (!impl_->closed) {
    for (const auto& [name, h] : impl_->handles)
      impl_->counters.uploads_discarded += h.upload != nullptr;
  }
}
void SftpServer::Feed(std::string_view channel_data) {
  if (!impl_->closed) impl_->Feed(channel_data);
}
void SftpServer::Eof() { impl_->Exit(0); }
bool SftpServer::closed() const { return impl_->closed; }

}  // namespace decnet::services::ssh_files
