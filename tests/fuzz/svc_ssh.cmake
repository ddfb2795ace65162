# The SSH transport (identification, packet framing, KEXINIT, KEX state machine) and, after a real key
# exchange, userauth and the connection protocol: the first thing attacker bytes hit on port 22.
find_library(SODIUM_LIB sodium REQUIRED)
decnet_fuzzer(fuzz_svc_ssh SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_ssh.cpp
              LINKS decnet::svc_ssh decnet::decoy_testing ${SODIUM_LIB})
target_include_directories(fuzz_svc_ssh PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/ssh)
