// The scp sink (`scp -t`). Record syntax, the acks and the error texts follow what OpenSSH's scp
// does as the remote side: a record is read into a 2048-byte buffer (a longer one is cut there and
// its rest read as the next record), "protocol error: ..." ends the program with status 1, a failed
// file is "\1scp: <path>: <strerror>\n" and the transfer goes on.
#include "decnet/services/ssh_files/scp.h"

#include <algorithm>
#include <utility>

#include "decnet/decoy/artifacts.h"
#include "decnet/decoy/service.h"
#include "decnet/services/ssh_files/tree.h"

namespace decnet::services::ssh_files {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Splits a command line into words the way sh would for the simple quoting scp's client uses
// ('...' with '\'' joins, "...", backslash escapes). False on an unterminated quote.
bool SplitWords(std::string_view line, std::vector<std::string>* words) {
  constexpr size_t kMaxWords = 64;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words->push_back(std::move(word));
      word.clear();
      in_word = false;
      if (words->size() > kMaxWords) return false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
    } else if (c == '\'' || c == '"') {
      const size_t end = line.find(c, i + 1);
      if (end == std::string_view::npos) return false;
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else {
      word += c;
    }
  }
  if (in_word) words->push_back(std::move(word));
  return words->size() <= kMaxWords;
}

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

struct SinkOptions {
  bool sink = false, source = false, recursive = false, preserve = false, target_is_dir = false;
  bool bad_option = false;
  std::vector<std::string> targets;
};

SinkOptions ParseOptions(const std::vector<std::string>& args) {
  SinkOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    for (char f : std::string_view(a).substr(1)) {
      switch (f) {
        case 't':
          o.sink = true;
          break;
        case 'f':
          o.source = true;
          break;
        case 'r':
          o.recursive = true;
          break;
        case 'p':
          o.preserve = true;
          break;
        case 'd':
          o.target_is_dir = true;
          break;
        case 'v':
        case 'q':
          break;
        default:
          o.bad_option = true;
      }
    }
  }
  for (; i < args.size(); ++i) o.targets.push_back(args[i]);
  return o;
}

}  // namespace

bool ParseScpSinkCommand(std::string_view command, std::vector<std::string>* args) {
  std::vector<std::string> words;
  if (!SplitWords(command, &words) || words.empty() || Basename(words[0]) != "scp") return false;
  words.erase(words.begin());
  const SinkOptions o = ParseOptions(words);
  if (!o.sink || o.source || o.bad_option) return false;
  *args = std::move(words);
  return true;
}

struct ScpSink::Impl {
  enum class State : uint8_t { kRecord, kData, kDataAck, kAckMessage, kDone };
  // One directory level of a recursive copy: where its files go.
  struct Level {
    std::string dir;       // resolved: what the model and the events use
    std::string as_named;  // as the client wrote it: what scp's messages print
    bool is_dir = false;
  };

  decoy::Connection& conn;
  ChannelIo io;
  TransferContext ctx;
  TransferCounters own_counters;
  TransferCounters& counters;
  std::shared_ptr<FileTree> tree;
  SinkOptions opts;
  State state = State::kRecord;
  std::vector<Level> levels;
  bool first_record = true;
  bool closed = false;
  int errors = 0;
  std::string line;
  // The file being received.
  std::unique_ptr<decoy::ArtifactStore::Upload> upload;
  std::string file_path, file_shown;
  uint32_t file_mode = 0;
  uint64_t remaining = 0, file_size = 0;
  std::string kept;
  size_t readback_used = 0;
  size_t files = 0;
  char ack_kind = 0;
  int64_t pending_mtime = -1, pending_atime = -1;  // from a T record

  static constexpr size_t kRecordBuffer = 2048;  // scp's buf[2048]
  static constexpr size_t kNameMax = 255;        // Linux NAME_MAX: open() says ENAMETOOLONG

  Impl(decoy::Connection& c, ChannelIo i, TransferContext x, std::vector<std::string> args)
      : conn(c),
        io(std::move(i)),
        ctx(std::move(x)),
        counters(ctx.counters ? *ctx.counters : own_counters),
        tree(ctx.tree),
        opts(ParseOptions(args)) {
    if (!tree) tree = NewHostTree(conn.host(), ctx.user, ctx.home, ctx.limits.max_nodes);
  }

  int64_t Now() const { return conn.host().WallUs() / 1000000; }
  size_t RecordLimit() const { return std::min(ctx.limits.max_scp_line_bytes, kRecordBuffer) - 1; }

  void Start() {
    if (opts.targets.size() != 1) return Fatal("ambiguous target");
    const std::string target = ResolvePath(tree->home(), opts.targets[0]);
    const FileNode* n = target.empty() ? nullptr : tree->Find(target);
    if (opts.target_is_dir && (!n || !n->dir)) {
      return Fatal(opts.targets[0] + (n ? ": Not a directory" : ": No such file or directory"));
    }
    levels.push_back({target, opts.targets[0], n && n->dir});
    Send(std::string_view("\0", 1));
  }

  void Send(std::string_view bytes) {
    if (!closed && io.send) io.send(bytes);
  }

  // run_err(): "\1scp: <msg>\n" to the client, counted as an error of this run.
  void RunErr(std::string_view msg) {
    ++errors;
    std::string out = "\1scp: ";
    out.append(msg);
    out += '\n';
    Send(out);
  }

  void Exit(uint32_t status) {
    if (closed) return;
    closed = true;
    state = State::kDone;
    counters.uploads_discarded += upload != nullptr;
    upload.reset();  // a partial file is discarded
    if (io.close) io.close(status);
  }

  void Fatal(std::string_view msg) {
    RunErr(msg);
    Exit(1);
  }

  void ProtocolError(std::string_view why) {
    ++counters.malformed;
    ++conn.host().counters().malformed;
    Fatal(std::string("protocol error: ") + std::string(why));
  }

  void Feed(std::string_view data) {
    while (!data.empty() && !closed) {
      switch (state) {
        case State::kRecord:
          data = FeedRecord(data);
          break;
        case State::kData:
          data = FeedData(data);
          break;
        case State::kDataAck:
          data = FeedDataAck(data);
          break;
        case State::kAckMessage:
          data = FeedAckMessage(data);
          break;
        case State::kDone:
          return;
      }
    }
  }

  std::string_view FeedRecord(std::string_view data) {
    if (line.empty() && data[0] == '\n') {
      ProtocolError("unexpected <newline>");
      return {};
    }
    const size_t room = RecordLimit() - line.size();
    const size_t nl = data.substr(0, room).find('\n');
    if (nl == std::string_view::npos) {
      const size_t take = std::min(room, data.size());
      line.append(data.substr(0, take));
      data.remove_prefix(take);
      if (line.size() < RecordLimit()) return data;
      // scp processes what fits its buffer; the rest arrives as the next record.
      ++counters.scp_lines_too_long;
      ++conn.host().counters().lines_too_long;
    } else {
      line.append(data.substr(0, nl + 1));
      data.remove_prefix(nl + 1);
    }
    std::string record = std::move(line);
    line.clear();
    OnRecord(record);
    return data;
  }

  void OnRecord(std::string record) {
    const bool first = first_record;
    first_record = false;
    if (record[0] == '\1' || record[0] == '\2') {
      // The client's own error (e.g. a local file it could not read).
      if (record[0] == '\2') return Exit(1);
      ++errors;
      return;
    }
    if (record[0] == 'E') return EndDirectory();
    if (!record.empty() && record.back() == '\n') record.pop_back();
    if (record[0] == 'T') return OnTimes(record);
    if (record[0] != 'C' && record[0] != 'D') {
      // What a shell said before scp ran ("No match."), echoed as the error.
      if (first) return Fatal(record);
      return ProtocolError("expected control record");
    }
    OnFileRecord(record);
  }

  void EndDirectory() {
    Send(std::string_view("\0", 1));
    levels.pop_back();
    if (levels.empty()) Exit(errors ? 1 : 0);  // the top-level sink() returned
  }

  // T<mtime> <usec> <atime> <usec>
  void OnTimes(std::string_view rec) {
    static const char* kWhat[] = {"mtime.sec", "mtime.usec", "atime.sec", "atime.usec"};
    size_t at = 1;
    int64_t value[4] = {};
    for (int field = 0; field < 4; ++field) {
      const size_t start = at;
      // At most 18 digits: the value fits an int64 (a larger one is "not delimited" here).
      for (; at < rec.size() && IsDigit(rec[at]) && at - start < 18; ++at) {
        value[field] = value[field] * 10 + (rec[at] - '0');
      }
      const bool last = field == 3;
      const bool delimited = last ? at == rec.size() : (at < rec.size() && rec[at] == ' ');
      if (at == start || !delimited) {
        return ProtocolError(std::string(kWhat[field]) + " not delimited");
      }
      ++at;
    }
    // The times of the next file (scp -p), as utimes() would set them.
    pending_mtime = value[0];
    pending_atime = value[2];
    Send(std::string_view("\0", 1));
  }

  // C<mode> <size> <name> or D<mode> 0 <name>
  void OnFileRecord(std::string_view rec) {
    uint32_t mode = 0;
    for (size_t i = 1; i < 5; ++i) {
      if (i >= rec.size() || rec[i] < '0' || rec[i] > '7') return ProtocolError("bad mode");
      mode = (mode << 3) | static_cast<uint32_t>(rec[i] - '0');
    }
    if (rec.size() < 6 || rec[5] != ' ') return ProtocolError("mode not delimited");
    size_t at = 6;
    if (at >= rec.size() || !IsDigit(rec[at])) return ProtocolError("size not present");
    uint64_t size = 0;
    bool overflow = false;
    for (; at < rec.size() && IsDigit(rec[at]); ++at) {
      const uint64_t digit = static_cast<uint64_t>(rec[at] - '0');
      if (size > (static_cast<uint64_t>(INT64_MAX) - digit) / 10) overflow = true;
      size = overflow ? 0 : size * 10 + digit;
    }
    if (at >= rec.size() || rec[at] != ' ') return ProtocolError("size not delimited");
    if (overflow) return ProtocolError("size out of range");  // off_t cannot hold it
    const std::string_view name = rec.substr(at + 1);
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
      return Fatal("error: unexpected filename: " + std::string(name));
    }
    const Level& level = levels.back();
    // A directory target gets the name appended as scp does ("%s%s%s"); a plain one names the file.
    const std::string shown =
        level.is_dir ? level.as_named + (level.as_named == "/" ? "" : "/") + std::string(name)
                     : level.as_named;
    if (level.is_dir && name.size() > kNameMax) return RunErr(shown + ": File name too long");
    const std::string path = level.is_dir ? ResolvePath(level.dir, name) : level.dir;
    if (rec[0] == 'D') return EnterDirectory(path, shown, mode);
    BeginFile(path, shown, mode, size);
  }

  void EnterDirectory(const std::string& path, const std::string& shown, uint32_t mode) {
    if (!opts.recursive) return Fatal("received directory without -r");
    if (levels.size() >= ctx.limits.max_scp_depth) {
      ++counters.scp_files_refused;
      return RunErr(shown + ": File name too long");
    }
    const FileNode* n = tree->Find(path);
    if (n && !n->dir) return RunErr(shown + ": Not a directory");
    if (!n) {
      const FsResult r = tree->MakeDir(path, mode | 0700);
      if (r != FsResult::kOk) return RunErr(shown + ": " + Strerror(r, false));
      LogOp("mkdir", path);
    }
    levels.push_back({path, shown, true});
    Send(std::string_view("\0", 1));  // the nested sink's first ack
  }

  std::string Strerror(FsResult r, bool full) const {
    switch (r) {
      case FsResult::kOk:
        return "Success";
      case FsResult::kNoSuchFile:
        return "No such file or directory";
      case FsResult::kPermissionDenied:
        return "Permission denied";
      case FsResult::kFailure:
        return full ? "No space left on device" : "File exists";
    }
    return "Input/output error";
  }

  void BeginFile(const std::string& path, const std::string& shown, uint32_t mode, uint64_t size) {
    const FileNode* n = tree->Find(path);
    if (n && n->dir) return RunErr(shown + ": Is a directory");
    FsResult can = path.empty() ? FsResult::kNoSuchFile : tree->CanCreateFile(path);
    // A plain target "name/" cannot be created as a file: open() says EISDIR.
    if (can == FsResult::kOk && shown.ends_with('/')) return RunErr(shown + ": Is a directory");
    if (can != FsResult::kOk) {
      if (can == FsResult::kFailure) ++counters.nodes_refused;
      return RunErr(shown + ": " + Strerror(can, true));
    }
    if (files >= ctx.limits.max_scp_files) {
      ++counters.scp_files_refused;
      return RunErr(shown + ": Disk quota exceeded");
    }
    if (size > ctx.limits.max_upload_bytes) {
      ++counters.uploads_over_limit;
      return RunErr(shown + ": No space left on device");
    }
    ++files;
    upload = conn.host().artifacts().Begin();
    file_path = path;
    file_shown = shown;
    file_mode = mode;
    file_size = remaining = size;
    kept.clear();
    Send(std::string_view("\0", 1));
    state = size ? State::kData : State::kDataAck;
  }

  std::string_view FeedData(std::string_view data) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, data.size()));
    upload->Append(data.substr(0, take));
    const size_t keep = std::min(take, ctx.limits.max_readback_bytes - readback_used);
    kept.append(data.substr(0, keep));
    readback_used += keep;
    remaining -= take;
    if (remaining == 0) state = State::kDataAck;
    return data.substr(take);
  }

  // The client's byte after the data: \0, or an error with a message line (the file is kept, as
  // the real sink has written it by then).
  std::string_view FeedDataAck(std::string_view data) {
    ack_kind = data[0];
    if (ack_kind == 0) {
      FinishFile();
      state = State::kRecord;
    } else {
      ++errors;
      line.clear();
      state = State::kAckMessage;
    }
    return data.substr(1);
  }

  std::string_view FeedAckMessage(std::string_view data) {
    const size_t nl = data.find('\n');
    const size_t take = nl == std::string_view::npos ? data.size() : nl + 1;
    line.append(data.substr(0, std::min(take, kRecordBuffer - line.size())));
    if (nl == std::string_view::npos && line.size() < kRecordBuffer) return {};
    line.clear();
    if (ack_kind == 2) {
      Exit(1);
      return {};
    }
    FinishFile();
    state = State::kRecord;
    return data.substr(take);
  }

  void FinishFile() {
    auto done = upload->Finish();
    upload.reset();
    if (!done) return RunErr(file_shown + ": Input/output error");
    FileNode n;
    // Without -p the sink's umask (022) applies to a new file's mode, as open() would.
    n.mode = file_mode & (opts.preserve ? 07777 : 07755);
    n.uid = n.gid = tree->user() == "root" ? 0 : 1000;
    n.owner = n.group = tree->user();
    n.size = done->size;
    n.mtime = pending_mtime >= 0 ? pending_mtime : Now();
    n.atime = pending_atime >= 0 ? pending_atime : n.mtime;
    pending_mtime = pending_atime = -1;
    n.content = std::move(kept);
    n.uploaded = true;
    tree->PutFile(file_path, std::move(n));
    ++counters.uploads;
    counters.upload_bytes += done->size;
    conn.host()
        .log()
        .New("ssh", "file_upload")
        .From(conn)
        .Add("protocol", "scp")
        .Add("username", tree->user())
        .Add("path", file_path)
        .Add("size", static_cast<int64_t>(done->size))
        .Add("sha256", done->sha256)
        .Add("stored", static_cast<int64_t>(done->stored))
        .Emit();
    Send(std::string_view("\0", 1));
  }

  void LogOp(std::string_view op, std::string_view path) {
    conn.host()
        .log()
        .New("ssh", "file_op")
        .From(conn)
        .Add("protocol", "scp")
        .Add("op", op)
        .Add("path", path)
        .Emit();
  }

  void Eof() {
    if (closed) return;
    if (state == State::kRecord && line.empty()) return Exit(errors ? 1 : 0);
    // The client went away inside a record or a file.
    if (state == State::kData) return Fatal("dropped connection");
    ProtocolError("lost connection");
  }
};

ScpSink::ScpSink(decoy::Connection& conn, ChannelIo io, TransferContext ctx,
                 std::vector<std::string> args)
    : impl_(std::make_unique<Impl>(conn, std::move(io), std::move(ctx), std::move(args))) {
  impl_->Start();
}
ScpSink::~ScpSink() { impl_->counters.uploads_discarded += impl_->upload != nullptr; }
void ScpSink::Feed(std::string_view channel_data) {
  if (!impl_->closed) impl_->Feed(channel_data);
}
void ScpSink::Eof() { impl_->Eof(); }
bool ScpSink::closed() const { return impl_->closed; }

}  // namespace decnet::services::ssh_files
