// The entry of the FTP fuzz target (tests/fuzz/svc_files.cpp), shared with the gtest that feeds it
// hostile inputs in every normal build: any bytes, in any split, through a whole control session of
// each product, must neither crash nor leave the session in a state the runtime cannot close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/files/ftp.h"

namespace decnet::services::files::fuzz {

inline void FtpSessionBytes(const uint8_t* data, size_t size) {
  static const char* kProducts[] = {"vsftpd", "proftpd", "pureftpd"};
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // The parsers alone.
  FtpCommand cmd;
  std::string ip;
  uint16_t port = 0;
  ParseFtpCommand(in, &cmd);
  ParsePortArg(in, &ip, &port);
  ParseEprtArg(in, &ip, &port);
  (void)ResolveFtpPath("/pub", in);
  for (const char* product : kProducts) {
    decoy::PersonaInputs pi;
    pi.settings["ftp"]["product"] = product;
    pi.settings["ftp"]["anonymous"] = "true";
    auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
    decky->limits.max_line_bytes = 256;  // reach the too-long path with small inputs
    auto svc = MakeFtp(*decky->decky);
    decoy::testing::FakeConnection c(*decky->decky, 21);
    c.remote_.ip = "127.0.0.1";
    auto s = svc->NewSession(c);
    s->OnOpen();
    // The first byte picks a split size, so one input exercises many chunkings.
    const size_t chunk = size ? 1 + static_cast<unsigned char>(data[0]) % 17 : 1;
    for (size_t at = 0; at < size && !c.closed; at += chunk) {
      s->OnData(in.substr(at, chunk));
      c.Take();
    }
    if (!c.closed) c.FireTimer();
    s->OnClose(decoy::CloseReason::kPeer);
    s.reset();
    svc.reset();
    decky.reset();
  }
}

}  // namespace decnet::services::files::fuzz
