// SSH identification banners (RFC 4253 §4.2) and KEXINIT -> HASSH / HASSHServer (Salesforce).
#pragma once

#include <cstddef>
#include <string>

#include "decnet/capture/bytes.h"

namespace decnet::capture {

// If `stream` starts with a complete "SSH-..." line within 255 bytes, stores it without CR/LF in *banner
// and returns the bytes consumed (line + terminator). Returns 0 when more bytes are needed, SIZE_MAX when
// this is not SSH. (Pre-banner lines that RFC 4253 allows from servers are not followed: none seen in use.)
size_t ParseSshBanner(Bytes stream, std::string* banner);

struct SshKexInit {
  std::string kex, host_key, enc_c2s, enc_s2c, mac_c2s, mac_s2c, comp_c2s, comp_s2c;
};

// Parses the first binary packet in `stream` (unencrypted: packet_length, padding_length, payload) as a
// KEXINIT (message 20). Returns false when incomplete or not a KEXINIT; *incomplete tells which.
bool ParseSshKexInit(Bytes stream, SshKexInit& out, bool* incomplete);

// hassh: md5("kex;enc_c2s;mac_c2s;comp_c2s"); hassh_server uses the s2c lists.
std::string HasshAlgorithms(const SshKexInit& k, bool server);
std::string Hassh(const SshKexInit& k, bool server);

}  // namespace decnet::capture
