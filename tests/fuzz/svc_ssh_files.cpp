// libFuzzer target: any bytes as an SFTP v3 stream and as an scp -t stream
// (ssh_files_fuzz_entry.h).
#include "ssh_files_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::ssh_files::fuzz::SshFilesBytes(data, size);
  return 0;
}
