// What attackers upload (FTP STOR, TFTP WRQ, HTTP bodies...), kept under the decky's state dir as
// artifacts/<sha256>, size-capped per file and per decky. A file past the cap is hashed whole but only
// its first max_artifact_bytes are kept (the dropped bytes are counted).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/core/result.h"
#include "decnet/decoy/limits.h"

namespace decnet::decoy {

class ArtifactStore {
 public:
  // An empty dir keeps nothing (hash and count only).
  ArtifactStore(std::string dir, const Limits& limits, Counters& counters);
  ~ArtifactStore();
  // Creates and opens the directory. Call before the privilege drop: uploads are then created relative
  // to the open directory, so the decky needs no access to the path above it. Without Open() (tests),
  // the first upload opens it.
  // `trusted_uid`: the user the decky runs as, who owns the decky's state dir (see MakeDirs).
  Status Open(uint32_t trusted_uid = 0xFFFFFFFFu);

  // One upload in progress. Destroying it without Finish() discards the partial file.
  class Upload {
   public:
    ~Upload();
    void Append(std::string_view bytes);
    struct Done {
      std::string sha256;  // hex, of every byte received
      uint64_t size = 0;   // every byte received
      uint64_t stored = 0; // bytes kept on disk
      std::string path;    // empty when nothing was kept
    };
    Result<Done> Finish();

   private:
    friend class ArtifactStore;
    struct Impl;
    explicit Upload(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  std::unique_ptr<Upload> Begin();

  const std::string& dir() const { return dir_; }
  uint64_t stored_bytes() const { return stored_bytes_; }

 private:
  std::string dir_;
  const Limits& limits_;
  Counters& counters_;
  uint64_t stored_bytes_ = 0;
  int dir_fd_ = -1;
  uint64_t seq_ = 0;
};

// SHA-256 of `bytes` in lower-case hex (libsodium).
std::string Sha256Hex(std::string_view bytes);

}  // namespace decnet::decoy
