#include "decnet/capture/ingest_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace decnet::capture {

IngestWriter::IngestWriter(std::string log_path, std::string json_path) {
  log_.path = std::move(log_path);
  json_.path = std::move(json_path);
}

IngestWriter::~IngestWriter() {
  (void)Flush();
  if (log_.fd >= 0) close(log_.fd);
  if (json_.fd >= 0) close(json_.fd);
}

Status IngestWriter::Reopen(File& f) {
  struct stat st;
  // Rotated (new inode) or removed: reopen, as the collector does. One stat per batch, not per
  // line.
  if (f.fd >= 0 && (stat(f.path.c_str(), &st) != 0 || st.st_ino != f.ino)) {
    close(f.fd);
    f.fd = -1;
  }
  if (f.fd >= 0) return Ok();
  f.fd = open(f.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (f.fd < 0) return MakeError(Errc::kIo, f.path + ": " + std::strerror(errno));
  if (fstat(f.fd, &st) == 0) f.ino = st.st_ino;
  return Ok();
}

Status IngestWriter::FlushFile(File& f) {
  if (f.pending.empty()) return Ok();
  Status st = Reopen(f);
  while (st && !f.pending.empty()) {
    ssize_t n = write(f.fd, f.pending.data(), f.pending.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      st = MakeError(Errc::kIo, f.path + ": write: " + std::strerror(n < 0 ? errno : EIO));
      break;
    }
    f.pending.erase(0, size_t(n));  // a short write (disk full) keeps the rest for the next try
  }
  if (st) {
    if (f.pending.capacity() > 2 * kFlushAt)
      std::string().swap(f.pending);  // a burst's buffer goes back
    return st;
  }
  ++write_errors_;
  if (f.pending.size() > kMaxPending) {
    // The disk stays full or the directory is gone: keep the newest lines, count what goes.
    size_t cut = f.pending.find('\n', f.pending.size() - kMaxPending);
    cut = cut == std::string::npos ? f.pending.size() : cut + 1;
    bytes_dropped_ += cut;
    f.pending.erase(0, cut);
  }
  return st;
}

Status IngestWriter::Flush() {
  if (log_.pending.empty() && json_.pending.empty()) return Ok();
  ++flushes_;
  Status a = FlushFile(log_);
  Status b = FlushFile(json_);
  return a ? b : a;
}

Status IngestWriter::Append(const std::string& line, const std::string& record) {
  log_.pending.append(line).push_back('\n');
  json_.pending.append(record).push_back('\n');
  if (log_.pending.size() + json_.pending.size() >= kFlushAt) return Flush();
  return Ok();
}

}  // namespace decnet::capture
