// JA4H, the HTTP client fingerprint of FoxIO (FoxIO License 1.1: free for internal and non-commercial
// use; callers compute it only when their `foxio_licensed` switch is on). One implementation for the
// sniffer (capture, libcrypto SHA-256) and the decky's http service (libsodium SHA-256): the hash is
// injected so core links neither.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace decnet {

// SHA-256 of `bytes` as lower-case hex (64 characters).
using Sha256HexFn = std::string (*)(std::string_view bytes);

struct Ja4hResult {
  std::string ja4h, ja4h_ro;
};

// `version` as sent ("HTTP/1.1"); `headers` in order, names as sent (Cookie and Referer included:
// they are split out here as the specification says).
Ja4hResult ComputeJa4h(std::string_view method, std::string_view version,
                       std::span<const std::pair<std::string, std::string>> headers,
                       Sha256HexFn sha256_hex);

}  // namespace decnet
