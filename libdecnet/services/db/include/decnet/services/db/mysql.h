// MySQL / MariaDB as the persona's distribution packages them (MySQL 8.0.36-0ubuntu0.22.04.1 on
// Ubuntu 22.04, MariaDB 10.11.6-MariaDB-0+deb12u1 on Debian 12, with the "5.5.5-" prefix
// MariaDB 10.x puts in its handshake; nmap -sV names both): handshake v10, then the login captured
// in two steps:
//   1. the HandshakeResponse41's auth data: mysql_native_password as hashcat -m 11200
//      `$mysqlna$<scramble hex>*<response hex>` (kind hash); caching_sha2_password (no hashcat mode
//      for the scramble response) as `<scramble hex>*<response hex>`, hash_format naming the
//      plugin;
//   2. an AuthSwitchRequest to mysql_clear_password, as a server whose account uses a PAM/LDAP
//   plugin
//      sends: libmariadb (the mariadb client, hydra, most connectors built on it) answers with the
//      plaintext without any option (its --enable-cleartext-plugin is "obsolete"); Oracle's
//      libmysql refuses unless --enable-cleartext-plugin / LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN, logged
//      as `auth_switch_refused` (the hash of step 1 is all there is).
// Logins succeed only on the cleartext path (no SHA-1 here to check a native response), with the
// `users` pairs; error 1045 is worded as the server words it. After login a small query engine over
// a stable fake schema per persona (one application database, mysql.user, information_schema
// views); every statement is logged (`query`), stacked ones one by one, tagged drop / outfile /
// load_file / udf / load_data; INTO OUTFILE and LOAD DATA fail on secure_file_priv (1290), a UDF on
// its missing library (1126). Not served: TLS (not offered), compression, prepared statements
// (1047), COM_CHANGE_USER (1045).
//
// Persona settings (topology `mysql.<key>`): version (default the distro's), product ("mysql" |
// "mariadb"), version_comment, auth_plugin ("mysql_native_password" | "caching_sha2_password";
// default caching_sha2 on MySQL 8), users ("user:password,..."; none by default, so every login
// fails), max_packet (bytes of one packet after login, default 1 MiB; 16 KiB before login; 8 MiB of
// input per connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decnet/decoy/service.h"

namespace decnet::services::db {

std::unique_ptr<decoy::Service> MakeMysql(decoy::Host& host);

namespace mysql {

// Splits a byte stream into MySQL packets (3-byte little-endian length, 1-byte sequence id). A
// packet longer than `max_payload` (which includes a 0xFFFFFF multi-packet head) fails the reader:
// the server answers 1153 and closes. Exposed for tests and the fuzz target.
class PacketReader {
 public:
  explicit PacketReader(size_t max_payload) : max_(max_payload) {}
  void set_max(size_t m) { max_ = m; }
  void Feed(std::string_view bytes) { buf_.append(bytes); }
  // The next whole packet, or nullopt (need more, or failed()).
  std::optional<std::pair<uint8_t, std::string>> Next();
  bool failed() const { return failed_; }
  size_t buffered() const { return buf_.size(); }

 private:
  size_t max_;
  bool failed_ = false;
  std::string buf_;
};

// HandshakeResponse41 (protocol::HandshakeResponse41), every field bounded by the packet.
struct LoginRequest {
  uint32_t caps = 0;
  uint32_t max_packet = 0;
  uint8_t charset = 0;
  bool ssl_request = false;  // the 32-byte SSLRequest, no user
  std::string user, auth, db, plugin;
  std::vector<std::pair<std::string, std::string>> attrs;
};
constexpr size_t kMaxAttrs = 64;
// False for a packet that is not a 4.1 login (a pre-4.1 client, truncated fields, bad lengths).
bool ParseLogin(std::string_view p, LoginRequest* out);

// A length-encoded integer at `*pos`; false when truncated or the 0xFB/0xFF markers.
bool ReadLenenc(std::string_view p, size_t* pos, uint64_t* v);

}  // namespace mysql
}  // namespace decnet::services::db
