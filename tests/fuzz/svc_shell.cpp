// libFuzzer targets: any bytes as a shell command line (fuzz_svc_shell_parser) or as a whole shell
// session, typed and exec'd, on a Debian and a busybox persona (fuzz_svc_shell_session).
#include "shell_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
#ifdef DECNET_SHELL_FUZZ_PARSER
  decnet::services::shell::fuzz::ParserBytes(data, size);
#else
  decnet::services::shell::fuzz::ShellBytes(data, size);
#endif
  return 0;
}
