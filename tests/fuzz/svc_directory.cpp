// libFuzzer target: BER, LDAP filters and whole ldap sessions (ldap_fuzz_entry.h).
#include "ldap_fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decnet::services::directory::fuzz::LdapBytes(data, size);
  return 0;
}
