// The remote side of `scp -t` (the rcp protocol OpenSSH's `scp -O` speaks): it acks with \0, reads
// C (file), D (directory, needs -r), E (end of directory) and T (times, from -p) records, then a C
// record's bytes and their \0, and stores each file as an artifact with a `file_upload` event.
// Errors are what OpenSSH's scp writes back: "\1scp: <message>\n" for one file (the transfer goes
// on), "\2..." or an exit for a broken protocol.
//
// Wiring, in the SSH service on `exec`:
//   std::vector<std::string> args;
//   if (ParseScpSinkCommand(command, &args))
//     scp_ = std::make_unique<ScpSink>(conn, ChannelIo{send_fn, close_fn}, TransferContext{...},
//     args);
//   ... channel data -> scp_->Feed(data); channel EOF -> scp_->Eof();
// The constructor sends the first \0 (scp's sink speaks first).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/services/ssh_files/common.h"

namespace decnet::decoy {
class Connection;
}

namespace decnet::services::ssh_files {

// True when `command` (an exec request) runs scp's sink: "scp [-v] [-r] [-p] [-d] -t [--]
// <target>", optionally with a path to scp ("/usr/bin/scp"). `args` gets the words after "scp",
// shell quoting
// ('...', "...", \x) undone. False for anything else (scp -f, other programs).
bool ParseScpSinkCommand(std::string_view command, std::vector<std::string>* args);

class ScpSink {
 public:
  // `args`: the words after "scp" (e.g. {"-r", "-t", "--", "/tmp/"}).
  ScpSink(decoy::Connection& conn, ChannelIo io, TransferContext ctx,
          std::vector<std::string> args);
  // Discards a partial file.
  ~ScpSink();
  ScpSink(const ScpSink&) = delete;
  ScpSink& operator=(const ScpSink&) = delete;

  void Feed(std::string_view channel_data);
  // The client is done: exit 0, or 1 if any file failed (as scp's exit status).
  void Eof();
  bool closed() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::services::ssh_files
