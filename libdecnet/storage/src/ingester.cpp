#include "decnet/storage/ingester.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "decnet/core/json.h"
#include "decnet/core/log.h"

namespace decnet::storage {

IngestTail::IngestTail(Repository& repo, IngestTailOptions opts) : repo_(repo), opts_(std::move(opts)) {}

IngestTail::~IngestTail() {
  if (fd_ >= 0) close(fd_);
  if (reject_fd_ >= 0) close(reject_fd_);
}

std::string IngestTail::StateJson(int64_t pos, ino_t ino) const {
  json::JsonWriter w;
  w.Int("position", pos).Uint("inode", static_cast<uint64_t>(ino));
  return w.Finish();
}

Status IngestTail::OpenFile() {
  if (fd_ >= 0) return Ok();
  int fd = open(opts_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return MakeError(Errc::kNotFound, opts_.path + ": not there yet");
    return MakeError(Errc::kIo, opts_.path + ": " + strerror(errno));
  }
  struct stat st{};
  fstat(fd, &st);
  fd_ = fd;
  ino_ = st.st_ino;
  return Ok();
}

Status IngestTail::Start() {
  auto saved = repo_.GetState(opts_.state_key);
  if (!saved) return saved.error();
  int64_t pos = 0;
  uint64_t saved_ino = 0;
  if (*saved) {
    rapidjson::Document doc;
    if (json::ParseObject(**saved, doc)) {
      pos = json::GetInt(doc, "position", 0);
      const rapidjson::Value& root = doc;
      auto it = root.FindMember("inode");
      if (it != root.MemberEnd() && it->value.IsUint64()) saved_ino = it->value.GetUint64();
    }
  }
  pos_ = pos < 0 ? 0 : pos;
  saved_ino_ = saved_ino;
  if (OpenFile()) CheckSavedInode();
  if (!opts_.reject_path.empty()) {
    reject_fd_ = open(opts_.reject_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (reject_fd_ < 0)
      DLOG_WARN("reject file %s: %s (rejects only counted)", opts_.reject_path.c_str(), strerror(errno));
    struct stat st{};
    if (reject_fd_ >= 0 && fstat(reject_fd_, &st) == 0) reject_bytes_ = st.st_size;
  }
  return Ok();
}

// The file we open first must be the one the saved offset belongs to; if the path now names another
// file (rotated while we were stopped, or absent at start and created since), read the new one from 0.
// A state without an inode (the Python original's) is trusted as is.
void IngestTail::CheckSavedInode() {
  if (saved_ino_ != 0 && saved_ino_ != static_cast<uint64_t>(ino_) && pos_ != 0) {
    DLOG_NOTICE("ingest file %s is not the one the saved offset belongs to (inode %llu, now %llu): "
                "reading it from 0",
                opts_.path.c_str(), static_cast<unsigned long long>(saved_ino_),
                static_cast<unsigned long long>(ino_));
    pos_ = 0;
    ++stats_.rotations;
  }
  saved_ino_ = 0;  // checked once, against the first file opened
}

// Decides where to read from. *switch_file: the path was rotated to a new inode; the open (old) file is
// read to its end first and the switch happens in the batch that drains it.
bool IngestTail::CheckFileChanges(int64_t* new_pos, bool* switch_file) {
  *new_pos = pos_;
  *switch_file = false;
  struct stat fst{};
  if (fstat(fd_, &fst) != 0) return false;
  struct stat pst{};
  bool path_ok = stat(opts_.path.c_str(), &pst) == 0;
  if (path_ok && pst.st_ino != fst.st_ino) *switch_file = true;
  if (fst.st_size < pos_) {
    // copytruncate (or an operator's truncation): everything before was already ingested.
    ++stats_.truncations;
    skipping_long_line_ = false;
    buf_.clear();
    *new_pos = 0;
  }
  return true;
}

void IngestTail::Reject(RejectReason why, int64_t offset, std::string_view line) {
  // Counted into pending_ (applied at commit); the reject file is written at once, so a batch retried
  // after a DB error may list a line twice (the file is a diagnostic, the DB is the truth).
  ++pending_.rejects[static_cast<int>(why)];
  ++pending_.rejects_total;
  if (reject_fd_ < 0) return;
  if (reject_bytes_ >= opts_.reject_file_max_bytes) {
    ++stats_.rejects_unwritten;
    return;
  }
  json::JsonWriter w;
  // The line is attacker-influenced: keep a bounded prefix; JsonWriter makes it valid UTF-8 JSON.
  w.Int("offset", offset).Str("reason", RejectReasonName(why)).Uint("length", line.size());
  w.Str("line", line.substr(0, 1024));
  std::string out = w.Finish();
  out.push_back('\n');
  ssize_t n = write(reject_fd_, out.data(), out.size());
  if (n > 0) reject_bytes_ += n;
}

Result<BatchResult> IngestTail::RunBatch() {
  if (fd_ < 0) {
    Status s = OpenFile();
    if (!s) {
      if (s.error().code == Errc::kNotFound) return BatchResult{0, 0, false, pos_, {}};
      return s.error();
    }
    CheckSavedInode();
  }
  int64_t start = pos_;
  bool switch_after = false;
  if (!CheckFileChanges(&start, &switch_after)) return MakeError(Errc::kIo, "fstat failed");
  auto r = Process(start, switch_after);
  if (!r) ++stats_.db_errors;
  return r;
}

Result<BatchResult> IngestTail::Process(int64_t start_pos, bool switch_after) {
  BatchResult res;
  logs_.clear();
  pending_ = IngestStats{};
  int64_t read_pos = start_pos;  // next byte to read from the file
  int64_t line_pos = start_pos;  // offset of the first byte in buf_ (committed position candidate)
  bool skipping = skipping_long_line_;
  buf_.clear();
  Transaction tx(repo_);
  bool began = false;
  auto begin = [&]() -> Status {
    if (began) return Ok();
    Status s = tx.Begin();
    if (s) began = true;
    return s;
  };
  bool eof = false;
  while (res.lines < opts_.batch_size && !eof) {
    size_t old = buf_.size();
    buf_.resize(old + opts_.read_chunk);
    ssize_t n = pread(fd_, buf_.data() + old, opts_.read_chunk, read_pos);
    if (n < 0) {
      buf_.resize(old);
      return MakeError(Errc::kIo, opts_.path + ": read: " + strerror(errno));
    }
    buf_.resize(old + static_cast<size_t>(n));
    read_pos += n;
    if (n == 0) eof = true;
    size_t consumed = 0;
    while (res.lines < opts_.batch_size) {
      const char* base = buf_.data() + consumed;
      size_t avail = buf_.size() - consumed;
      const void* nl = memchr(base, '\n', avail);
      if (!nl) {
        if (avail > opts_.limits.max_line_bytes) {
          // An over-long line: reject it once and drop bytes until its newline.
          if (!skipping) {
            if (Status s = begin(); !s) return s.error();
            Reject(RejectReason::kTooLong, line_pos, std::string_view(base, std::min<size_t>(avail, 1024)));
            ++res.lines;
            skipping = true;
          }
          line_pos += static_cast<int64_t>(avail);
          consumed += avail;
        }
        break;
      }
      size_t len = static_cast<const char*>(nl) - base;
      std::string_view line(base, len);
      int64_t this_pos = line_pos;
      consumed += len + 1;
      line_pos += static_cast<int64_t>(len + 1);
      if (skipping) {  // the tail of an over-long line
        skipping = false;
        continue;
      }
      if (line.empty() || line == "\r") continue;
      if (Status s = begin(); !s) return s.error();
      ++res.lines;
      RejectReason why = DecodeIngestLine(line, opts_.limits, &rec_);
      if (why != RejectReason::kNone) {
        Reject(why, this_pos, line);
        continue;
      }
      // Logs are flushed in groups (one round trip per group on MySQL); bounty and credentials go
      // one by one (rare, and credentials need their ids for publishing).
      logs_.push_back(std::move(rec_.log));
      if (logs_.size() >= kLogFlushRows) {
        if (Status s = repo_.InsertLogs(logs_); !s) return s.error();
        logs_.clear();
      }
      for (const BountyRow& b : rec_.bounties)
        if (auto id = repo_.InsertBounty(b); !id) return id.error();
      for (CredentialRow& c : rec_.credentials) {
        auto id = repo_.InsertCredential(c);
        if (!id) return id.error();
        c.id = *id;
        if (res.credentials.size() < opts_.max_batch_credentials) res.credentials.push_back(c);
        else ++pending_.credentials_unpublished;
      }
      ++res.stored;
      pending_.bounties += rec_.bounties.size();
      pending_.credentials += rec_.credentials.size();
    }
    buf_.erase(0, consumed);
  }
  if (!logs_.empty()) {
    if (Status s = repo_.InsertLogs(logs_); !s) return s.error();
    logs_.clear();
  }
  res.more = res.lines >= opts_.batch_size;
  int64_t end_pos = line_pos;
  bool do_switch = switch_after && eof && buf_.empty() && !res.more;
  ino_t ino = ino_;
  int new_fd = -1;
  if (do_switch) {
    // The old file is drained: the next batch reads the new file from 0, recorded in this transaction.
    new_fd = open(opts_.path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (new_fd >= 0 && fstat(new_fd, &st) == 0) {
      ino = st.st_ino;
      end_pos = 0;
    } else {
      do_switch = false;
      if (new_fd >= 0) close(new_fd);
      new_fd = -1;
    }
  }
  if (end_pos != pos_ || do_switch || start_pos != pos_) {
    if (Status s = begin(); !s) {
      if (new_fd >= 0) close(new_fd);
      return s.error();
    }
    if (Status s = repo_.PutState(opts_.state_key, StateJson(end_pos, ino)); !s) {
      if (new_fd >= 0) close(new_fd);
      return s.error();
    }
  }
  if (began) {
    if (Status s = tx.Commit(); !s) {
      if (new_fd >= 0) close(new_fd);
      return s.error();
    }
    ++stats_.batches;
  }
  // Committed: only now does the in-memory position move.
  pos_ = end_pos;
  skipping_long_line_ = skipping;
  stats_.lines += res.stored;
  stats_.bounties += pending_.bounties;
  stats_.credentials += pending_.credentials;
  stats_.credentials_unpublished += pending_.credentials_unpublished;
  stats_.rejects_total += pending_.rejects_total;
  for (int i = 0; i < kRejectReasonCount; ++i) stats_.rejects[i] += pending_.rejects[i];
  if (do_switch) {
    close(fd_);
    fd_ = new_fd;
    ino_ = ino;
    ++stats_.rotations;
    skipping_long_line_ = false;
    res.more = true;  // the new file may already hold lines
  }
  buf_.clear();
  buf_.shrink_to_fit();
  res.position = pos_;
  return res;
}

}  // namespace decnet::storage
