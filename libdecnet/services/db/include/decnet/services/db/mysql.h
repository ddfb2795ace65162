// MySQL / MariaDB as the persona's distribution packages them (MySQL 8.0.36-0ubuntu0.22.04.1 on
// Ubuntu 22.04, MariaDB 10.11.6-MariaDB-0+deb12u1 on Debian 12, ...): handshake v10, the login
// captured (the mysql_native_password response as hashcat 11200 `$mysqlna$`, then an
// AuthSwitchRequest to mysql_clear_password for the plaintext, as a server with a PAM/LDAP plugin
// asks), error 1045 as the product words it, and after login a small query engine over a stable
// fake schema per persona. Every statement is logged (`query`), tagged drop / outfile / load_file /
// udf.
//
// Persona settings (topology `mysql.<key>`): version (the server version; default the distro's),
// product ("mysql" | "mariadb"), auth_plugin ("mysql_native_password" | "caching_sha2_password"),
// users ("user:password,..." the logins accepted, checked on the cleartext path only; none by
// default, so every login fails), max_packet (bytes of one packet after login, default 1 MiB).
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
