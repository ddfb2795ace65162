// decnet-collector outputs: batched appends to the ingest files, reopened after rotation.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace decnet::collector {

// An append-only file with a write buffer. Append() only copies; Flush() writes the buffer with
// O_APPEND writes. Before each flush the path is stat()ed: when it was renamed or deleted
// (logrotate) the file is reopened, so the next bytes land in the new file. Reopen() forces that
// (SIGHUP).
class AppendFile {
 public:
  AppendFile(std::string path, size_t flush_bytes);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Opens (creating parent dirs). Returns false with errno-based message on failure.
  bool Open(std::string* error);
  void Append(std::string_view bytes) { buf_.append(bytes); }
  std::string& buffer() { return buf_; }
  bool should_flush() const { return buf_.size() >= flush_bytes_; }
  bool empty() const { return buf_.empty(); }
  void Flush();
  void Reopen();

  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t bytes_lost() const { return bytes_lost_; }
  uint64_t reopens() const { return reopens_; }
  const std::string& path() const { return path_; }

 private:
  void ReopenIfRotated();
  std::string path_;
  size_t flush_bytes_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::string buf_;
  uint64_t bytes_written_ = 0, bytes_lost_ = 0, reopens_ = 0;
  bool warned_ = false;
};

}  // namespace decnet::collector
