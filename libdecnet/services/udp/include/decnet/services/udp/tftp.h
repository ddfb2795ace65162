// TFTP (RFC 1350, options RFC 2347/2348/2349) as tftp-hpa answers it: RRQ of a missing file gets
// "File not found", a few persona files are served, WRQ is accepted and the upload kept as an artifact
// (size-capped). Each transfer runs on its own ephemeral port (the TID), with retransmits and a
// timeout, bounded by Limits::max_udp_peers and a per-source cap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::udp {

std::unique_ptr<decoy::Service> MakeTftp(decoy::Host& host);

// One parsed request (RRQ/WRQ). Exposed for the fuzz target and tests.
struct TftpRequest {
  uint16_t opcode = 0;  // 1 RRQ, 2 WRQ
  std::string filename, mode;
  std::vector<std::pair<std::string, std::string>> options;  // in order, names lower-cased
};
// False for anything that is not a well-formed RRQ/WRQ (the caller answers error 4).
bool ParseTftpRequest(std::string_view packet, TftpRequest* out);

}  // namespace decnet::services::udp
