// libFuzzer target: any bytes as an FTP control stream (every product) and as PORT/EPRT/path arguments.
#include "ftp_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::files::fuzz::FtpSessionBytes(data, size);
  return 0;
}
