// The decnet CLI's subcommand registry. Each bin/decnet/cmd_<name>.cpp registers its commands with
// DECNET_COMMAND; they are object files of this executable (not a static archive), so the registration is
// always linked in. Exit codes follow the workers: 0 ok, 1 failure, 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace decnet::cli {

// argv[0] is the command name (e.g. "bus"), the rest its arguments.
using CommandFn = int (*)(int argc, char** argv);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

std::vector<Command>& Registry();

struct Registrar {
  Registrar(const char* name, const char* summary, CommandFn fn) {
    Registry().push_back({name, summary, fn});
  }
};

}  // namespace decnet::cli

#define DECNET_CLI_CAT2(a, b) a##b
#define DECNET_CLI_CAT(a, b) DECNET_CLI_CAT2(a, b)
#define DECNET_COMMAND(name, summary, fn) \
  static ::decnet::cli::Registrar DECNET_CLI_CAT(decnet_cmd_, __LINE__)(name, summary, fn)
