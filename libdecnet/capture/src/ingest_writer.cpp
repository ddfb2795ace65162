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
  if (log_.fd >= 0) close(log_.fd);
  if (json_.fd >= 0) close(json_.fd);
}

Status IngestWriter::Write(File& f, const std::string& text) {
  struct stat st;
  // Rotated (new inode) or removed: reopen, as the collector does.
  if (f.fd >= 0 && (stat(f.path.c_str(), &st) != 0 || st.st_ino != f.ino)) {
    close(f.fd);
    f.fd = -1;
  }
  if (f.fd < 0) {
    f.fd = open(f.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (f.fd < 0) {
      ++write_errors_;
      return MakeError(Errc::kIo, f.path + ": " + std::strerror(errno));
    }
    if (fstat(f.fd, &st) == 0) f.ino = st.st_ino;
  }
  std::string buf = text + '\n';
  ssize_t n = write(f.fd, buf.data(), buf.size());
  if (n != ssize_t(buf.size())) {
    ++write_errors_;
    return MakeError(Errc::kIo, f.path + ": short write: " + std::strerror(errno));
  }
  return Ok();
}

Status IngestWriter::Append(const std::string& line, const std::string& record) {
  Status a = Write(log_, line);
  Status b = Write(json_, record);
  if (!a) return a;
  return b;
}

}  // namespace decnet::capture
