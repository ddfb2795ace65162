// The entry of the mongodb fuzz target (tests/fuzz/svc_db_mongodb.cpp), shared with the gtest that
// feeds it hostile inputs in every normal build: any bytes, in any split, through the BSON parser,
// both command parsers and whole sessions (auth none and scram), must neither crash nor grow
// without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/testing.h"
#include "decnet/services/db/bson.h"
#include "decnet/services/db/mongodb.h"

namespace decnet::services::db::fuzz {

// A wire message: header (length, request id, response to, opcode) then `body`.
inline std::string MongoFrame(int32_t op, std::string_view body, int32_t id = 1) {
  std::string out;
  auto put = [&](uint32_t v) {
    for (int n = 0; n < 4; ++n) out.push_back(static_cast<char>((v >> (8 * n)) & 0xFF));
  };
  put(static_cast<uint32_t>(16 + body.size()));
  put(static_cast<uint32_t>(id));
  put(0);
  put(static_cast<uint32_t>(op));
  return out + std::string(body);
}
// OP_MSG with one kind-0 section.
inline std::string MongoMsg(const bson::Value& doc, int32_t id = 1) {
  return MongoFrame(2013, std::string("\0\0\0\0\0", 5) + bson::Encode(doc), id);
}
// OP_QUERY on <db>.$cmd.
inline std::string MongoQuery(std::string_view db, const bson::Value& doc, int32_t id = 1) {
  std::string b("\0\0\0\0", 4);
  b += std::string(db) + ".$cmd" + std::string(1, '\0');
  b += std::string("\0\0\0\0\xff\xff\xff\xff", 8);
  return MongoFrame(2004, b + bson::Encode(doc), id);
}

inline void MongodbBytes(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  bson::Value v;
  size_t used = 0;
  bson::Error err;
  if (bson::Parse(in, bson::Limits{}, &v, &used, &err)) (void)bson::ToText(v, 512);
  mongodb::Command cmd;
  std::string why;
  mongodb::ParseOpMsg(in, &cmd, &why);
  mongodb::Command q;
  mongodb::ParseOpQuery(in, &q, &why);
  const size_t chunk = size ? 1 + static_cast<unsigned char>(data[size - 1]) % 17 : 1;
  static const char* kAuth[] = {"none", "scram"};
  for (const char* auth : kAuth) {
    decoy::PersonaInputs pi;
    pi.settings["mongodb"]["auth"] = auth;
    pi.settings["mongodb"]["users"] = "admin:secret";
    auto decky = std::make_unique<decoy::testing::TestDecky>(pi);
    auto svc = MakeMongodb(*decky->decky);
    // The input as an OP_MSG body, as an OP_QUERY body, and as raw bytes in `chunk` pieces; each
    // on its own connection, since a malformed message closes one.
    const std::string framed[] = {MongoFrame(2013, in), MongoFrame(2004, in), std::string(in)};
    for (const std::string& bytes : framed) {
      decoy::testing::FakeConnection c(*decky->decky, 27017);
      auto s = svc->NewSession(c);
      s->OnOpen();
      for (size_t at = 0; at < bytes.size() && !c.closed; at += chunk) {
        s->OnData(std::string_view(bytes).substr(at, chunk));
        c.Take();
      }
      s->OnClose(decoy::CloseReason::kPeer);
    }
  }
}

}  // namespace decnet::services::db::fuzz
