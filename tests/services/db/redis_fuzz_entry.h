// The entry of the redis fuzz target (tests/fuzz/svc_db.cpp), shared with the gtest that feeds it
// hostile inputs in every normal build: any bytes, in any split, through the parser alone and through
// whole sessions (password-protected and no-auth), must neither crash nor grow without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/testing.h"
#include "decnet/services/db/redis.h"

namespace decnet::services::db::fuzz {

inline void RedisBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  SplitInlineArgs(in, &args);
  if (size > 1) {
    const size_t cut = data[0] % size;
    GlobMatch(in.substr(0, cut), in.substr(cut));
  }
  // Small bounds so that short inputs reach every limit.
  RespParser::Bounds b;
  b.max_args = 8;
  b.max_bulk = 64;
  b.max_command_bytes = 128;
  b.max_inline = 96;
  RespParser p(b);
  p.set_unauthenticated(size % 2 == 0);
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[size - 1]) % 13 : 1;
  for (size_t at = 0; at < size && !p.failed(); at += chunk)
    p.Feed(in.substr(at, chunk), [](std::vector<std::string>&) { return true; });

  static const char* kModes[][2] = {{"required", "7.0.15"}, {"none", "6.0.16"}, {"none", "7.0.15"},
                                    {"required", "5.0.7"}, {"none", "3.2.12"}};
  for (const auto& mode : kModes) {
    decoy::PersonaInputs pi;
    pi.settings["redis"]["auth"] = mode[0];
    pi.settings["redis"]["version"] = mode[1];
    pi.settings["redis"]["password"] = "s3cret";
    auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
    auto svc = MakeRedis(*decky->decky);
    decoy::testing::FakeConnection c(*decky->decky, 6379);
    auto s = svc->NewSession(c);
    s->OnOpen();
    for (size_t at = 0; at < size && !c.closed; at += chunk) {
      s->OnData(in.substr(at, chunk));
      c.Take();
    }
    s->OnClose(decoy::CloseReason::kPeer);
  }
}

}  // namespace decnet::services::db::fuzz
