// Runs the SFTP server or the scp sink over stdin/stdout, so OpenSSH's own clients can drive them
// without an SSH transport: `sftp -D ssh_files_stdio` (sftp talks to a local server program) and
// `scp -O -S ssh_files_stdio` (scp runs this as its "ssh"; the last argument is the remote
// command). Events go to $SSH_FILES_EVENTS, stored artifacts are copied to $SSH_FILES_ARTIFACTS at
// exit. A test tool, not part of any decky.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "decnet/decoy/testing.h"
#include "decnet/services/ssh_files/scp.h"
#include "decnet/services/ssh_files/sftp.h"

using namespace decnet;
using namespace decnet::services::ssh_files;

namespace {

void WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n <= 0) _exit(3);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

template <typename Program>
int Serve(decoy::testing::TestDecky& decky, Program& program, const bool& closed,
          const int& status) {
  char buf[65536];
  while (!closed) {
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      program.Eof();
      break;
    }
    program.Feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  if (const char* path = getenv("SSH_FILES_EVENTS")) {
    std::ofstream out(path, std::ios::app);
    for (const auto& line : decky.sink->lines) out << line << "\n";
  }
  if (const char* keep = getenv("SSH_FILES_ARTIFACTS")) {
    const std::string cmd = "cp -a '" + decky.artifact_dir + "/.' '" + keep + "/' 2>/dev/null";
    (void)!system(cmd.c_str());
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  decoy::testing::TestDecky decky;
  decoy::testing::FakeConnection conn(*decky.decky, 22);
  bool closed = false;
  int status = 0;
  ChannelIo io{WriteAll, [&](uint32_t s) {
                 closed = true;
                 status = static_cast<int>(s);
               }};
  TransferContext ctx;
  if (const char* user = getenv("SSH_FILES_USER")) {
    ctx.user = user;
    ctx.home = ctx.user == "root" ? "/root" : "/home/" + ctx.user;
  }
  // As scp's "ssh": the remote command is the last argument.
  const std::string last = argc > 1 ? argv[argc - 1] : "";
  std::vector<std::string> args;
  if (ParseScpSinkCommand(last, &args)) {
    ScpSink scp(conn, io, ctx, args);
    return Serve(decky, scp, closed, status);
  }
  if (argc > 1 && last.find("scp") != std::string::npos) {
    fprintf(stderr, "ssh_files_stdio: not an scp sink command: %s\n", last.c_str());
    return 1;
  }
  SftpServer sftp(conn, io, ctx);
  return Serve(decky, sftp, closed, status);
}
