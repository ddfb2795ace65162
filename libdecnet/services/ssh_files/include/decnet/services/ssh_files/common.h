// What the SFTP server and the scp sink share: the channel seam, their bounds and counters, and the
// small directory model both see (the user's home, /tmp, and what this session uploaded).
//
// Neither speaks SSH: the SSH service (libdecnet/services/ssh) decrypts the channel, feeds its data
// to Feed(), sends what Io::send is given as channel data, and ends the channel (exit-status, EOF,
// CLOSE) when Io::close is called. Everything runs on the decky's loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace decnet::services::ssh_files {

// The channel as a file-transfer program sees its stdin/stdout.
struct ChannelIo {
  // Channel data for the client (the program's stdout).
  std::function<void(std::string_view)> send;
  // The program exited with `exit_status`: send exit-status, EOF and CLOSE. Called at most once;
  // nothing is sent after it.
  std::function<void(uint32_t exit_status)> close;
};

// Bounds on what one client controls. Every refusal is counted in TransferCounters.
struct TransferLimits {
  size_t max_packet_bytes = 256 << 10;     // SFTP packet length (OpenSSH sftp-server: 256 KiB)
  size_t max_buffered_input = 512 << 10;   // input held while a packet or line is incomplete
  size_t max_open_handles = 256;           // SFTP handles (files and directories) per session
  uint64_t max_upload_bytes = 1ull << 30;  // bytes received per upload (hashed; the store caps
                                           // what is kept: Limits::max_artifact_bytes)
  size_t max_nodes = 1024;                 // entries the session's directory model may grow to
  size_t max_readback_bytes = 1 << 20;     // bytes kept in memory so uploads can be read back
  size_t max_scp_line_bytes = 2048;        // one scp C/D/E/T record (scp reads 2048 at most:
                                           // a longer one is cut and its rest read as the next)
  size_t max_scp_files = 1000;             // files one scp session may send
  size_t max_scp_depth = 32;               // nested D records
};

// Per-decky counters (the SSH service owns one and adds them to its health event).
struct TransferCounters {
  uint64_t sftp_sessions = 0;  // counted by the caller that starts the program (the SSH service)
  uint64_t scp_sessions = 0;
  uint64_t uploads = 0;
  uint64_t upload_bytes = 0;
  uint64_t packets_too_long = 0;     // SFTP length over max_packet_bytes (the session ends)
  uint64_t input_overflow = 0;       // max_buffered_input reached (the session ends)
  uint64_t malformed = 0;            // truncated fields, bad records
  uint64_t handles_refused = 0;      // max_open_handles
  uint64_t writes_out_of_order = 0;  // SFTP WRITE at an offset other than the file's end
  uint64_t uploads_over_limit = 0;   // max_upload_bytes reached
  uint64_t nodes_refused = 0;        // max_nodes
  uint64_t scp_lines_too_long = 0;   // max_scp_line_bytes
  uint64_t scp_files_refused = 0;    // max_scp_files / max_scp_depth
  uint64_t unsupported = 0;          // SSH_FX_OP_UNSUPPORTED answers
  uint64_t uploads_discarded = 0;    // the channel ended with an upload still open (not stored)
};

// Appends the counters as JSON members (",\"ssh_files_uploads\":3,...") for AddHealth().
void AppendHealth(const TransferCounters& c, std::string* json_members);

class FileTree;

// What both programs need besides the channel. `counters` may be null (then nothing is counted).
// `tree` may be shared by every channel of one SSH connection (an sftp upload is then seen by a
// later scp and vice versa); null: the program makes its own for the user's home.
struct TransferContext {
  std::string user = "root";
  std::string home = "/root";  // absolute; REALPATH "." answers it
  TransferLimits limits;
  TransferCounters* counters = nullptr;
  std::shared_ptr<FileTree> tree;
};

}  // namespace decnet::services::ssh_files
