// PostgreSQL as a distribution's postgres answers it on 5432 (version per persona: 15 on Debian 12,
// 14 on Ubuntu 22.04, 12 on Ubuntu 20.04, ...): the v3 startup (SSLRequest and GSSENCRequest
// refused with 'N', CancelRequest swallowed, other protocol versions refused with the server's
// FATAL), password authentication captured per persona (cleartext, md5 or SCRAM-SHA-256), then the
// simple and extended query protocols answered from a small fake catalog, with COPY ... FROM
// PROGRAM logged as the RCE chain.
//
// Persona settings (topology `postgres.<key>`): version ("15.10"), auth (cleartext | md5 |
// scram-sha-256; default: what that version's distro package configures in pg_hba.conf), users
// ("user:password,user2:password2": the logins that succeed; none by default, so every login
// fails).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::db {

std::unique_ptr<decoy::Service> MakePostgres(decoy::Host& host);

// RFC 1321 MD5 of `data` as 32 lowercase hex digits (the md5 auth method; libsodium has no MD5).
std::string PgMd5Hex(std::string_view data);

// The md5 method's response to `salt` (4 bytes): "md5" + md5(md5(password + user) + salt).
std::string PgMd5Response(std::string_view user, std::string_view password, std::string_view salt);

// The SCRAM-SHA-256 client proof (raw 32 bytes) for `password` over `salt`/`iterations` and the
// RFC 5802 AuthMessage: ClientKey XOR HMAC(H(ClientKey), AuthMessage).
std::string PgScramProof(std::string_view password, std::string_view salt, uint32_t iterations,
                         std::string_view auth_message);

}  // namespace decnet::services::db
