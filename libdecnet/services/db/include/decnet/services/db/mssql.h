// Microsoft SQL Server (TDS 7.x, [MS-TDS]) on port 1433: the PRELOGIN answer carries the persona's
// build (VERSION, laid out as SQL Server lays it out, which is what nmap -sV's ms-sql-s probe
// matches) and ENCRYPTION = NOT_SUP: there is no TLS yet, so a client that insists on encryption
// (sqlcmd 18+ / ODBC Driver 18 with its default Encrypt=yes, .NET SqlClient with Encrypt=true,
// tsql with `encryption = require`) gives up after PRELOGIN; those that follow the server (freetds
// `encryption = off` / `request`, hydra, nmap: all three tested) send their LOGIN7 in clear.
//
// LOGIN7 is parsed with every offset/length checked against the packet: host, user, password
// (de-obfuscated: XOR 0xA5 then nibble swap, the reverse of the client's), app, server, library,
// database, client PID, logged as `auth` with the password as Event::Secret(user, UTF-8,
// plaintext). The UTF-16LE is converted to UTF-8 with surrogate pairs joined (non-BMP characters
// become their 4-byte UTF-8); a lone surrogate or an odd trailing byte becomes U+FFFD and the event
// carries `password_utf16_hex` with the exact bytes received. hydra's mssql module speaks the
// TDS 4.2 login (packet type 0x02, 30-byte fields, cleartext); that is parsed too.
//
// A failed login is answered as SQL Server does (ERROR 18456, state 1, class 14, "Login failed for
// user 'x'.", then DONE with DONE_ERROR) and the connection closed. A login from `users` gets
// ENVCHANGE (database master, collation, language), LOGINACK, ENVCHANGE packet size, DONE; then
// SQL batches (each a `query` event): SELECT @@VERSION (the exact text of that release on Windows
// or Linux), @@SERVERNAME and friends, SERVERPROPERTY(...), SELECT name FROM sys.databases;
// xp_cmdshell is disabled (15281, the command logged with tag xp_cmdshell), sp_configure cannot
// enable it (15123 / 15247); anything else is 102 or 208. Not served: TLS, SSPI/NTLM, RPC requests,
// MARS.
//
// Persona settings (topology `mssql.<key>`): version ("2017" | "2019" | "2022" or a build like
// 15.0.2000.5; default 2019), os ("windows" | "linux"; default windows), instance (named instance,
// "" = default MSSQLSERVER), users ("user:password,..."; none by default, every login fails).
// Bounds: a TDS packet is 8..32768 bytes (its header length), a LOGIN7 message 16 KiB, a batch
// 1 MiB, 8 MiB of input per connection; every refusal counted in the health.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::db {

std::unique_ptr<decoy::Service> MakeMssql(decoy::Host& host);

namespace mssql {

constexpr size_t kHeader = 8;
constexpr size_t kMaxPacket = 32768;  // the largest packet size a client may negotiate

struct Message {
  uint8_t type = 0;
  std::string body;  // the bodies of its packets up to the one with EOM, headers removed
};

// Splits a byte stream into TDS messages. A header length below 8 or above kMaxPacket, or a message
// above `max_message`, fails the reader (the session closes). Exposed for tests and the fuzz
// target.
class MessageReader {
 public:
  explicit MessageReader(size_t max_message) : max_(max_message) {}
  void set_max(size_t m) { max_ = m; }
  void Feed(std::string_view bytes) { buf_.append(bytes); }
  std::optional<Message> Next();
  bool failed() const { return failed_; }

 private:
  size_t max_;
  bool failed_ = false;
  std::string buf_;
  Message partial_;
  bool in_message_ = false;
};

struct Login {
  uint32_t tds_version = 0;  // as the client wrote it (LE DWORD), 0x42000000 for a TDS 4.2 login
  uint32_t packet_size = 0;
  uint32_t client_pid = 0;
  std::string host, user, password, app, server, library, language, database;
  std::string password_raw;  // the de-obfuscated UTF-16LE (LOGIN7) or raw bytes (4.2)
  bool password_lossy = false;
};

// LOGIN7 (every OffsetLength pair checked against the message); false when the fixed part is
// short or a field points outside.
bool ParseLogin7(std::string_view m, Login* out);
// The TDS 4.2 login (hydra): fixed 30-byte fields with their length bytes.
bool ParseLogin42(std::string_view m, Login* out);
// UTF-16LE to UTF-8: pairs joined, lone surrogates and an odd last byte as U+FFFD (*lossy set).
std::string Utf16ToUtf8(std::string_view u16, bool* lossy);
std::string Utf8ToUtf16(std::string_view u8);
// The LOGIN7 password bytes back to UTF-16LE: XOR 0xA5, then swap the nibbles.
std::string Deobfuscate(std::string_view obfuscated);

}  // namespace mssql
}  // namespace decnet::services::db
