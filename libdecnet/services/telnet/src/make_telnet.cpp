// Kept apart from telnet.cpp so tests that inject their own shell do not need the shell's objects.
#include "decnet/services/telnet/telnet.h"

namespace decnet::services::telnet {

std::unique_ptr<decoy::Service> MakeTelnet(decoy::Host& host) {
  return MakeTelnetWithShell(
      host, [](decoy::Connection& conn, shell::Terminal& terminal, shell::ShellOptions options) {
        return shell::NewShell(conn, terminal, std::move(options));
      });
}

}  // namespace decnet::services::telnet
