// Operator-enabled payload capture for the emulated shell (issue 15).
//
// Off by default. With the setting <service>.fetch = "capture", an http:// URL that an attacker
// hands to wget or curl is fetched by the decky itself, bounded in bytes (`fetch_max_bytes`,
// default 2 MiB) and time (`fetch_timeout_ms`, default 15 s), and the body is stored as an artifact
// by SHA-256 with a `file_download` event. What the attacker sees does not change (their download
// still fails): the payload is captured, never served back, so the decky does not help the attack
// along.
//
// Only IP-literal hosts are fetched: a decky never resolves names (no DNS lookups an attacker
// chose). Loopback, private, link-local and other non-public targets are refused unless
// `fetch_allow_private` = true, so the decky cannot be turned into the attacker's way into the
// operator's own network. At most kMaxConcurrentFetches run at once per decky; every refusal is an
// event with its reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::shell {

struct HttpUrl {
  std::string host;  // an IP literal (IPv6 without brackets)
  uint16_t port = 80;
  std::string path = "/";
};
// http://HOST[:PORT][/PATH] with HOST an IPv4 or [IPv6] literal; nullopt for anything else.
std::optional<HttpUrl> ParseFetchableUrl(std::string_view url);

// True for addresses a decky must not fetch from by default: unspecified, loopback, RFC 1918,
// CGNAT, link-local, IETF-reserved 192.0.0/24, benchmarking 198.18/15, multicast and class E; for
// IPv6 also unique-local (fc00::/7); v4-mapped addresses as their IPv4. Unparseable text counts as
// non-public.
bool IsNonPublicAddress(std::string_view ip);

// Where the URL came from, for the events (the session may be gone when the fetch ends).
struct FetchOrigin {
  std::string service;
  decoy::Endpoint remote;
  uint16_t local_port = 0;
  uint64_t session = 0;
};

constexpr size_t kMaxConcurrentFetches = 4;

// Starts a capture of `url` when the persona's settings enable it. Returns false (after logging the
// refusal, unless capture is off) when nothing was started.
bool StartPayloadFetch(decoy::Host& host, const FetchOrigin& origin, std::string_view url);

// Fetches in flight in this process (tests).
size_t ActivePayloadFetches();

}  // namespace decnet::services::shell
