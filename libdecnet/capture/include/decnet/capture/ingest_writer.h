// Appends events to the ingest files: the raw RFC 5424 line to <ingest>.log and the
// collector-shaped JSON record to <ingest>.json. Lines are buffered and written by Flush() with one
// write(2) per file per batch (O_APPEND: a write of whole lines lands whole, so the collector's
// lines and ours never interleave). The sniffer flushes after every wakeup of the capture, so a
// batch is what one poll delivered. Reopens a file that was rotated or removed. A failed write
// keeps the lines for the next Flush(), up to `max_pending` bytes per file; past that the oldest
// batch is dropped and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "decnet/core/result.h"

namespace decnet::capture {

class IngestWriter {
 public:
  static constexpr size_t kFlushAt = 64 * 1024;       // Append() flushes by itself past this
  static constexpr size_t kMaxPending = 1024 * 1024;  // kept across failed writes, per file

  IngestWriter(std::string log_path, std::string json_path);
  ~IngestWriter();  // flushes
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  // Queues one event (each argument is one line, without its newline). Returns the flush's error
  // when the buffer crossed kFlushAt and the flush failed.
  Status Append(const std::string& line, const std::string& record);
  // Writes what is queued. The error names the file; the lines stay queued for the next call.
  Status Flush();

  uint64_t write_errors() const { return write_errors_; }
  uint64_t bytes_dropped() const { return bytes_dropped_; }
  uint64_t flushes() const { return flushes_; }

 private:
  struct File {
    std::string path;
    std::string pending;
    int fd = -1;
    unsigned long ino = 0;
  };
  Status FlushFile(File& f);
  Status Reopen(File& f);
  File log_, json_;
  uint64_t write_errors_ = 0;
  uint64_t bytes_dropped_ = 0;
  uint64_t flushes_ = 0;
};

}  // namespace decnet::capture
