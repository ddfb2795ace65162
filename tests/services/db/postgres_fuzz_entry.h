// The entry of the postgres fuzz target (tests/fuzz/svc_db_postgres.cpp), shared with the gtest
// that feeds it hostile inputs in every normal build: any bytes, in any split, through whole
// sessions in each auth mode, straight at the startup packet and again after a successful login,
// must neither crash nor grow without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/db/postgres.h"

namespace decnet::services::db::fuzz {

// A v3 StartupMessage for user "postgres" and the cleartext password "pw" that logs in.
inline std::string PgLogin() {
  std::string params = std::string("user\0postgres\0database\0db\0\0", 27);
  std::string pkt(4, '\0');
  pkt += std::string("\x00\x03\x00\x00", 4) + params;
  const uint32_t n = static_cast<uint32_t>(pkt.size());
  pkt[0] = static_cast<char>(n >> 24), pkt[1] = static_cast<char>(n >> 16),
  pkt[2] = static_cast<char>(n >> 8), pkt[3] = static_cast<char>(n);
  return pkt + std::string("p\0\0\0\7pw\0", 8);
}

inline void PostgresBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[size - 1]) % 17 : 1;
  static const char* kModes[] = {"cleartext", "md5", "scram-sha-256"};
  for (int mode = 0; mode < 4; ++mode) {
    decoy::PersonaInputs pi;
    pi.settings["postgres"]["auth"] = kModes[mode % 3];
    pi.settings["postgres"]["users"] = "postgres:pw";
    if (mode == 1) pi.settings["postgres"]["version"] = "9.6.24";
    auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
    auto svc = MakePostgres(*decky->decky);
    decoy::testing::FakeConnection c(*decky->decky, 5432);
    auto s = svc->NewSession(c);
    s->OnOpen();
    if (mode == 3) s->OnData(PgLogin());  // cleartext login first: the bytes hit the query loop
    for (size_t at = 0; at < size && !c.closed; at += chunk) {
      s->OnData(in.substr(at, chunk));
      c.Take();
    }
    s->OnClose(decoy::CloseReason::kPeer);
  }
}

}  // namespace decnet::services::db::fuzz
