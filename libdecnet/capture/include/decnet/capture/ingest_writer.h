// Appends events to the ingest files: the raw RFC 5424 line to <ingest>.log and the collector-shaped JSON
// record to <ingest>.json, one line each, with one write(2) per line (O_APPEND, so the collector's lines
// and ours never interleave). Reopens a file that was rotated or removed.
#pragma once

#include <string>

#include "decnet/core/result.h"

namespace decnet::capture {

class IngestWriter {
 public:
  IngestWriter(std::string log_path, std::string json_path);
  ~IngestWriter();
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  Status Append(const std::string& line, const std::string& record);
  uint64_t write_errors() const { return write_errors_; }

 private:
  struct File {
    std::string path;
    int fd = -1;
    unsigned long ino = 0;
  };
  Status Write(File& f, const std::string& text);
  File log_, json_;
  uint64_t write_errors_ = 0;
};

}  // namespace decnet::capture
