// MongoDB (mongod) as the ransom bots meet it: an open server (auth none, the default) whose
// databases they list, read, drop and replace with a ransom note. Speaks OP_MSG and the legacy
// OP_QUERY on <db>.$cmd (old drivers and nmap's serverStatus probe send it first) with OP_REPLY;
// not OP_COMPRESSED (never advertised), not TLS.
//
// Commands: hello/isMaster (maxWireVersion per version: 3.6=6, 4.0=7, 4.2=8, 4.4=9, 5.0=13,
// 6.0=17, 7.0=21), buildInfo, ping, listDatabases (one fake application database per persona),
// listCollections, find/getMore/killCursors, count, aggregate (an empty cursor), insert (the
// ransom note: its documents logged as text), update, delete, drop, dropDatabase, create,
// listIndexes, getLog, serverStatus, hostInfo, whatsmyuri, connectionStatus, getParameter,
// endSessions, saslStart/saslContinue. Unknown commands answer 59 CommandNotFound worded as mongod.
// Every command is a `command` event (db, command, collection); drop/dropDatabase/insert carry
// `ransom_step`.
//
// auth=scram: SCRAM-SHA-256 (libsodium HMAC-SHA-256): the user from the client-first message, the
// proof kept as kind "hash" in the format
//   $mongodb-scram-sha-256$<iterations>$<salt b64>$<auth message b64>$<client proof b64>
// (a candidate password p matches when HMAC(H(HMAC(Hi(p,salt,i),"Client Key")), auth message)
// XOR proof == ClientKey, RFC 5802). Logins succeed per `users`. SCRAM-SHA-1 would need SHA-1
// (MongoDB hashes md5(user:mongo:password) first), which decoy does not link: a SHA-1 saslStart
// is refused with 334 MechanismUnavailable as mongod refuses an account without SHA-1 credentials
// (the user is still logged). Without login, data commands answer 13 Unauthorized.
//
// Bounds: one message 1 MiB (mongod: 48 MB), BSON depth 100 (mongod: 200), 20,000 elements per
// message (documents included, all sections together), 16 MiB of input per connection; the state
// a bot changes (drops, inserted documents) is the service's, shared by its connections as a real
// server's is, and bounded: 256 dropped names, 256 inserted documents and 1 MiB of them kept.
// Each refusal is counted in the health event.
//
// Persona settings (topology `mongodb.<key>`): version (default one of 6.0.12, 5.0.23, 4.4.25,
// 3.6.23 per persona), auth ("none" | "scram"), users ("user:password,...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"
#include "decnet/services/db/bson.h"

namespace decnet::services::db {

std::unique_ptr<decoy::Service> MakeMongodb(decoy::Host& host);

namespace mongodb {

constexpr size_t kMaxMessage = 1 << 20;

struct Header {
  int32_t length = 0, request_id = 0, response_to = 0, op = 0;
};

// Splits a byte stream into wire messages (16-byte header, int32 length first). A length under 16
// or over `max` fails the reader for good.
class MessageReader {
 public:
  explicit MessageReader(size_t max) : max_(max) {}
  void Feed(std::string_view bytes) { buf_.append(bytes); }
  std::optional<std::pair<Header, std::string>> Next();  // header and body
  bool failed() const { return failed_; }

 private:
  size_t max_;
  bool failed_ = false;
  std::string buf_;
};

// One command as both opcodes carry it: the command document (OP_MSG kind-1 sections merged in as
// arrays under their identifier) and the database it runs on.
struct Command {
  bson::Value doc;
  std::string db;
  bool legacy = false;  // OP_QUERY
};
// OP_MSG body (flags, sections, optional checksum). False with `*why` on malformed input.
bool ParseOpMsg(std::string_view body, Command* out, std::string* why);
// OP_QUERY body on "<db>.$cmd". False with `*why` on malformed input or another namespace.
bool ParseOpQuery(std::string_view body, Command* out, std::string* why);

}  // namespace mongodb
}  // namespace decnet::services::db
