// FTP (RFC 959, EPSV/EPRT RFC 2428, MLSD RFC 3659) as one of three real products answers it, picked
// per persona (setting `product`: vsftpd | proftpd | pureftpd): the product's banner, reply texts,
// listing format, line bound, idle timeout (421) and failed-login cap. USER/PASS are captured as
// credentials (every attempt); only anonymous (setting `anonymous`, default as the product ships) and
// the users of setting `users` ("name:password,...") get in, to a small fake tree whose sizes and
// dates come from the persona. PASV/EPSV open a one-shot data listener on the control connection's
// local address; PORT/EPRT are logged (event `port`, bounce=1 for a foreign address) and the decky
// never connects out. STOR/APPE are kept as artifacts (event `upload` with sha256). Every command is
// logged (event `command`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "decnet/decoy/service.h"

namespace decnet::services::files {

std::unique_ptr<decoy::Service> MakeFtp(decoy::Host& host);

// One command line split as servers do: the verb (upper-cased, at most 16 bytes) and the rest after
// one space. False when the verb is empty or holds bytes no FTP verb has (answered as unknown).
struct FtpCommand {
  std::string verb;
  std::string arg;
};
bool ParseFtpCommand(std::string_view line, FtpCommand* out);

// PORT h1,h2,h3,h4,p1,p2 and EPRT |1|ip|port| / |2|ip6|port|. False on any malformed argument.
bool ParsePortArg(std::string_view arg, std::string* ip, uint16_t* port);
bool ParseEprtArg(std::string_view arg, std::string* ip, uint16_t* port);

// Joins `cwd` and `arg` into an absolute path with "." and ".." resolved (never above "/").
std::string ResolveFtpPath(std::string_view cwd, std::string_view arg);

}  // namespace decnet::services::files
