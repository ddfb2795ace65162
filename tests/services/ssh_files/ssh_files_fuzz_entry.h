// The entry of the ssh_files fuzz target (tests/fuzz/svc_ssh_files.cpp), shared with the gtest that
// feeds it hostile inputs in every normal build: any bytes, in any split, as an SFTP stream (after
// a valid INIT, so every request parser is reached) and as an scp sink stream (plain and -r), must
// neither crash nor leave an upload or an unbounded buffer behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/ssh_files/scp.h"
#include "decnet/services/ssh_files/sftp.h"
#include "decnet/services/ssh_files/tree.h"

namespace decnet::services::ssh_files::fuzz {

inline void Drive(std::string_view in, size_t chunk, auto& program, bool& closed) {
  for (size_t at = 0; at < in.size() && !closed; at += chunk) program.Feed(in.substr(at, chunk));
  program.Eof();
}

inline void SshFilesBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)ResolvePath("/root", in, "/root");
  std::vector<std::string> args;
  (void)ParseScpSinkCommand(in, &args);
  auto decky = std::make_unique<decoy::testing::TestDecky>();
  decoy::testing::FakeConnection conn(*decky->decky, 22);
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[0]) % 23 : 1;
  TransferContext ctx;
  ctx.limits.max_open_handles = 8;
  ctx.limits.max_nodes = 64;
  ctx.limits.max_packet_bytes = 4096;
  ctx.limits.max_buffered_input = 8192;
  for (const char* user : {"root", "alice"}) {
    ctx.user = user;
    ctx.home = std::string(user) == "root" ? "/root" : "/home/alice";
    bool closed = false;
    ChannelIo io{[](std::string_view) {}, [&closed](uint32_t) { closed = true; }};
    {
      SftpServer sftp(conn, io, ctx);
      const std::string init("\0\0\0\x05\x01\0\0\0\x03", 9);
      sftp.Feed(init);
      Drive(in, chunk, sftp, closed);
    }
    for (bool recursive : {false, true}) {
      closed = false;
      std::vector<std::string> a = {"-t", "/tmp"};
      if (recursive) a.insert(a.begin(), "-r");
      ScpSink scp(conn, io, ctx, a);
      Drive(in, chunk, scp, closed);
    }
  }
}

}  // namespace decnet::services::ssh_files::fuzz
