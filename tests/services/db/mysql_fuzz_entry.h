// The entry of the mysql fuzz target (tests/fuzz/svc_db_mysql.cpp), shared with the gtest that
// feeds it hostile inputs in every normal build: any bytes, in any split, through the packet
// reader, the login parser and whole sessions (before login, and after a login that the fuzz input
// cannot fail), must neither crash nor grow without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/db/mysql.h"

namespace decnet::services::db::fuzz {

// A HandshakeResponse41 for user "root" with PLUGIN_AUTH, so the session asks for the cleartext.
inline std::string MysqlLoginPacket(std::string_view user, std::string_view auth,
                                    std::string_view db = "", uint32_t extra_caps = 0) {
  uint32_t caps = 0x0200 | 0x8000 | 0x80000 | extra_caps;  // PROTOCOL_41 | SECURE | PLUGIN_AUTH
  if (!db.empty()) caps |= 0x08;
  std::string p;
  for (int i = 0; i < 4; ++i) p.push_back(static_cast<char>((caps >> (8 * i)) & 0xFF));
  p += std::string("\0\0\0\x01", 4);
  p.push_back(45);
  p += std::string(23, '\0');
  p += std::string(user) + std::string(1, '\0');
  p.push_back(static_cast<char>(auth.size()));
  p += auth;
  if (!db.empty()) p += std::string(db) + std::string(1, '\0');
  p += "mysql_native_password" + std::string(1, '\0');
  return p;
}

inline std::string MysqlFrame(uint8_t seq, std::string_view payload) {
  std::string out;
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
  out.push_back(static_cast<char>(seq));
  return out + std::string(payload);
}

inline void MysqlBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  mysql::LoginRequest req;
  mysql::ParseLogin(in, &req);
  size_t pos = 0;
  uint64_t v = 0;
  while (mysql::ReadLenenc(in, &pos, &v)) {
  }
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[size - 1]) % 13 : 1;
  mysql::PacketReader r(64);
  for (size_t at = 0; at < size && !r.failed(); at += chunk) {
    r.Feed(in.substr(at, chunk));
    while (r.Next()) {
    }
  }
  static const char* kProducts[] = {"mariadb", "mysql"};
  for (const char* product : kProducts) {
    for (int logged_in = 0; logged_in < 2; ++logged_in) {
      decoy::PersonaInputs pi;
      pi.settings["mysql"]["product"] = product;
      pi.settings["mysql"]["users"] = "root:toor";
      pi.settings["mysql"]["max_packet"] = "2048";
      auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
      auto svc = MakeMysql(*decky->decky);
      decoy::testing::FakeConnection c(*decky->decky, 3306);
      auto s = svc->NewSession(c);
      s->OnOpen();
      if (logged_in) {
        s->OnData(MysqlFrame(1, MysqlLoginPacket("root", std::string(20, 'x'))));
        s->OnData(MysqlFrame(3, std::string("toor\0", 5)));
      }
      for (size_t at = 0; at < size && !c.closed; at += chunk) {
        s->OnData(in.substr(at, chunk));
        c.Take();
      }
      s->OnClose(decoy::CloseReason::kPeer);
    }
  }
}

}  // namespace decnet::services::db::fuzz
