// IngestTail: the ingester's core, with no event loop and no bus, so tests drive it directly.
//
// It tails <ingest>.json from a byte offset kept in `state` (key "ingest_worker_position", value
// {"position": N, "inode": I}, compatible with the Python original's {"position": N}). RunBatch() reads
// complete lines from the offset, decodes each, and writes logs + bounty + credentials + the new offset
// in ONE transaction: after a crash at any point, either the whole batch and its offset are in the DB or
// neither is, so every line is stored exactly once. Rows are inserted while decoding (nothing is
// accumulated), so memory does not grow with the batch size.
//
// File changes: a file shorter than the offset was truncated (copytruncate): start over at 0. A path that
// now names another inode was rotated by rename: drain the old file (still open) to its end, then switch
// to the new one at offset 0. Bad lines are counted, appended with their offset to the reject file, and
// skipped; a line longer than max_line_bytes is skipped up to its newline.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "decnet/core/result.h"
#include "decnet/storage/ingest.h"
#include "decnet/storage/repository.h"

namespace decnet::storage {

struct IngestTailOptions {
  std::string path;            // the .json file
  std::string reject_path;     // where rejected lines go (JSON lines); empty: not written
  size_t batch_size = 5000;    // lines per transaction
  size_t read_chunk = 64 * 1024;
  IngestLimits limits;
  int64_t reject_file_max_bytes = 16 << 20;  // beyond this rejects are only counted
  size_t max_batch_credentials = 256;        // kept per batch for publishing; the rest counted
  std::string state_key = "ingest_worker_position";
};

struct IngestStats {
  uint64_t lines = 0;  // good lines stored
  uint64_t bounties = 0;
  uint64_t credentials = 0;
  uint64_t rejects[kRejectReasonCount] = {};
  uint64_t rejects_total = 0;
  uint64_t rejects_unwritten = 0;  // over reject_file_max_bytes
  uint64_t batches = 0;
  uint64_t db_errors = 0;
  uint64_t truncations = 0;
  uint64_t rotations = 0;
  uint64_t credentials_unpublished = 0;  // over max_batch_credentials
};

struct BatchResult {
  size_t lines = 0;    // lines consumed (good + rejected)
  size_t stored = 0;   // good lines stored
  bool more = false;   // stopped at batch_size with more data waiting: call again now
  int64_t position = 0;
  std::vector<CredentialRow> credentials;  // stored in this batch (at most max_batch_credentials)
};

class IngestTail {
 public:
  IngestTail(Repository& repo, IngestTailOptions opts);
  ~IngestTail();
  IngestTail(const IngestTail&) = delete;
  IngestTail& operator=(const IngestTail&) = delete;

  // Loads the saved offset. A saved inode that is not the file's current one means the file was rotated
  // while we were down: start the current file at 0.
  Status Start();

  // One batch. A DB error rolls back and leaves the offset where it was (retry later); the file being
  // absent is not an error (0 lines).
  Result<BatchResult> RunBatch();

  int64_t position() const { return pos_; }
  const IngestStats& stats() const { return stats_; }

 private:
  Status OpenFile();
  bool CheckFileChanges(int64_t* new_pos, bool* switch_file);
  void CheckSavedInode();
  void Reject(RejectReason why, int64_t offset, std::string_view line);
  Result<BatchResult> Process(int64_t start_pos, bool switch_after);
  std::string StateJson(int64_t pos, ino_t ino) const;

  Repository& repo_;
  IngestTailOptions opts_;
  int fd_ = -1;
  ino_t ino_ = 0;
  uint64_t saved_ino_ = 0;  // inode in the saved state, until the first open compares it
  int64_t pos_ = 0;
  bool skipping_long_line_ = false;  // inside an over-long line: drop up to the next newline
  int reject_fd_ = -1;
  int64_t reject_bytes_ = 0;
  std::string buf_;
  IngestRecord rec_;
  static constexpr size_t kLogFlushRows = 100;  // bounded: ~100 rows in memory at most
  std::vector<LogRow> logs_;
  IngestStats stats_;
  IngestStats pending_;  // this batch's counts, added to stats_ when it commits
};

}  // namespace decnet::storage
