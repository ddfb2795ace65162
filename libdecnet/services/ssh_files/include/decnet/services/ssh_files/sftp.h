// An SFTP version 3 server (draft-ietf-secsh-filexfer-02) as OpenSSH's sftp-server speaks it: the
// VERSION with the eleven extensions OpenSSH 9.2 advertises, its status messages, its 256 KiB
// packet bound. Uploads (OPEN for write, WRITE, CLOSE) become artifacts and a `file_upload` event;
// the directory model (tree.h) answers REALPATH/STAT/OPENDIR/READDIR and shows what was uploaded.
//
// Wiring, in the SSH service on `subsystem sftp`:
//   sftp_ = std::make_unique<SftpServer>(conn, ChannelIo{send_fn, close_fn}, TransferContext{...});
//   ... channel data -> sftp_->Feed(data); channel EOF -> sftp_->Eof();
//
// WRITE offsets: a write at the file's current end is appended; APPEND handles ignore the offset;
// any other offset (a hole or a rewrite, which no stock client sends) answers SSH_FX_FAILURE and is
// counted (writes_out_of_order), because the upload is hashed and stored as a stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/services/ssh_files/common.h"

namespace decnet::decoy {
class Connection;
}

namespace decnet::services::ssh_files {

class SftpServer {
 public:
  SftpServer(decoy::Connection& conn, ChannelIo io, TransferContext ctx);
  // Discards partial uploads (an upload counts only once its handle is closed).
  ~SftpServer();
  SftpServer(const SftpServer&) = delete;
  SftpServer& operator=(const SftpServer&) = delete;

  // Channel data from the client, in any split.
  void Feed(std::string_view channel_data);
  // The client sent EOF: like sftp-server reading EOF, exit 0 (open uploads are discarded).
  void Eof();
  bool closed() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::services::ssh_files
