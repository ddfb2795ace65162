#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "decnet/core/log.h"
#include "decnet/core/runtime.h"

namespace decnet::collector {

AppendFile::AppendFile(std::string path, size_t flush_bytes)
    : path_(std::move(path)), flush_bytes_(flush_bytes) {}

AppendFile::~AppendFile() {
  Flush();
  if (fd_ >= 0) close(fd_);
}

bool AppendFile::Open(std::string* error) {
  if (Status st = MakeParentDirs(path_); !st) {
    *error = st.error().message;
    return false;
  }
  int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    *error = path_ + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  fstat(fd, &st);
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return true;
}

void AppendFile::Reopen() {
  std::string err;
  if (Open(&err)) {
    ++reopens_;
  } else {
    DLOG_ERROR("reopen failed: %s", err.c_str());
  }
}

void AppendFile::ReopenIfRotated() {
  struct stat st;
  if (stat(path_.c_str(), &st) != 0 || st.st_ino != ino_ || st.st_dev != dev_) Reopen();
}

void AppendFile::Flush() {
  if (buf_.empty()) return;
  ReopenIfRotated();
  size_t off = 0;
  while (off < buf_.size() && fd_ >= 0) {
    ssize_t n = write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (!warned_) DLOG_ERROR("write %s: %s", path_.c_str(), std::strerror(errno));
      warned_ = true;
      break;
    }
    off += static_cast<size_t>(n);
  }
  bytes_written_ += off;
  bytes_lost_ += buf_.size() - off;
  buf_.clear();
  // A burst can leave a large buffer behind; give it back once it is far above the flush size.
  if (buf_.capacity() > 4 * flush_bytes_) buf_.shrink_to_fit();
}

}  // namespace decnet::collector
