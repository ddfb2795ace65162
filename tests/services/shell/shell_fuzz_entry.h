// The entries of the shell fuzz targets (tests/fuzz/svc_shell.cpp), shared with the gtest that
// feeds them hostile inputs in every normal build: any bytes as a command line (parser alone, then
// run) and as a typed interactive session on a Debian and a busybox persona, in any split. They
// must neither crash nor leave the shell unable to close; every bound must hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/shell/fetch.h"
#include "decnet/services/shell/shell.h"
#include "parser.h"
#include "shell_harness.h"

namespace decnet::services::shell::fuzz {

inline void ParserBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  ParseResult r = ParseCommandLine(in);
  (void)r;
  // The capture's URL reader takes what an attacker typed after wget/curl.
  if (auto url = ParseFetchableUrl(in)) (void)IsNonPublicAddress(url->host);
}

inline void ShellBytes(const uint8_t* data, size_t size) {
  static const char* kDistros[] = {"debian", "alpine"};
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  for (const char* distro : kDistros) {
    // Interactive: the bytes as typed, split by the first byte.
    {
      testing::ShellSession s(testing::Distro(distro, "fuzz-1", "0"));
      s.decky.limits.max_line_bytes = 512;  // reach the cut-line path with small inputs
      s.shell->Start();
      const size_t chunk = size ? 1 + static_cast<unsigned char>(data[0]) % 13 : 1;
      for (size_t at = 0; at < size && !s.term.exited; at += chunk) {
        s.shell->Feed(in.substr(at, chunk));
        s.Settle();
        s.term.Take();
      }
      s.shell->Eof();
      s.Settle();
      s.shell->Close();
    }
    // Exec: the bytes as one command line.
    {
      testing::ShellSession s(testing::Distro(distro, "fuzz-1", "0"), /*interactive=*/false);
      s.shell->Exec(in);
      s.Settle();
      s.shell->Close();
    }
  }
}

}  // namespace decnet::services::shell::fuzz
