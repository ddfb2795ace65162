// The entry of the mssql fuzz target (tests/fuzz/svc_db_mssql.cpp), shared with the gtest that
// feeds it hostile inputs in every normal build: any bytes, in any split, through the message
// reader, both login parsers and whole sessions (before login, and after a login the fuzz input
// cannot fail), must neither crash nor read outside what was received.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decnet/decoy/testing.h"
#include "decnet/services/db/mssql.h"

namespace decnet::services::db::fuzz {

inline std::string Utf16(std::string_view ascii) { return mssql::Utf8ToUtf16(ascii); }

// One TDS packet: type, status (EOM by default), big-endian length including the header.
inline std::string TdsPacket(uint8_t type, std::string_view body, uint8_t status = 1) {
  const size_t len = body.size() + 8;
  std::string h{static_cast<char>(type),
                static_cast<char>(status),
                static_cast<char>(len >> 8),
                static_cast<char>(len & 0xFF),
                0,
                0,
                1,
                0};
  return h + std::string(body);
}

// A LOGIN7 body as a TDS 7.4 client builds it, the password obfuscated (nibble swap, XOR 0xA5).
inline std::string Login7(std::string_view user, std::string_view pass_utf8,
                          std::string_view host = "WS01", std::string_view app = "sqlcmd") {
  auto le32 = [](uint32_t v) {
    std::string s;
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    return s;
  };
  auto le16 = [](uint16_t v) {
    return std::string{static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
  };
  std::string pw = mssql::Utf8ToUtf16(pass_utf8);
  for (char& c : pw) {
    const auto b = static_cast<unsigned char>(c);
    c = static_cast<char>((((b << 4) | (b >> 4)) & 0xFF) ^ 0xA5);
  }
  const std::vector<std::string> fields = {Utf16(host),   Utf16(user),  pw,
                                           Utf16(app),    Utf16("db1"), "",
                                           Utf16("ODBC"), Utf16(""),    Utf16("")};
  std::string data;
  std::string pairs;
  size_t off = 94;
  for (const std::string& f : fields) {
    pairs += le16(static_cast<uint16_t>(off)) + le16(static_cast<uint16_t>(f.size() / 2));
    data += f;
    off += f.size();
  }
  std::string fixed = le32(0) + le32(0x74000004) + le32(4096) + le32(7) + le32(4242) + le32(0) +
                      std::string("\xE0\x03\x00\x00", 4) + le32(0) + le32(0x409);
  fixed += pairs + std::string(6, '\0') + le16(static_cast<uint16_t>(off)) + le16(0) +
           le16(static_cast<uint16_t>(off)) + le16(0) + le16(static_cast<uint16_t>(off)) + le16(0) +
           le32(0);
  std::string body = fixed + data;
  const std::string len = le32(static_cast<uint32_t>(body.size()));
  body.replace(0, 4, len);
  return body;
}

// A SQLBatch body: ALL_HEADERS (transaction descriptor) then the UTF-16LE text.
inline std::string Batch(std::string_view sql) {
  std::string h("\x16\x00\x00\x00\x12\x00\x00\x00\x02\x00", 10);
  h += std::string(8, '\0') + std::string("\x01\x00\x00\x00", 4);
  return h + Utf16(sql);
}

inline void MssqlBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  mssql::Login l;
  mssql::ParseLogin7(in, &l);
  mssql::ParseLogin42(in, &l);
  bool lossy = false;
  mssql::Utf16ToUtf8(in, &lossy);
  mssql::Utf8ToUtf16(in);
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[size - 1]) % 13 : 1;
  mssql::MessageReader r(4096);
  for (size_t at = 0; at < size && !r.failed(); at += chunk) {
    r.Feed(in.substr(at, chunk));
    while (r.Next()) {
    }
  }
  for (int logged_in = 0; logged_in < 2; ++logged_in) {
    decoy::PersonaInputs pi;
    pi.settings["mssql"]["users"] = "sa:Passw0rd";
    auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
    auto svc = MakeMssql(*decky->decky);
    decoy::testing::FakeConnection c(*decky->decky, 1433);
    auto s = svc->NewSession(c);
    s->OnOpen();
    if (logged_in) s->OnData(TdsPacket(0x10, Login7("sa", "Passw0rd")));
    for (size_t at = 0; at < size && !c.closed; at += chunk) {
      s->OnData(in.substr(at, chunk));
      c.Take();
    }
    s->OnClose(decoy::CloseReason::kPeer);
  }
}

}  // namespace decnet::services::db::fuzz
