# Hostile sntrup761 public keys (what an SSH client sends the server) and ciphertexts (what a server
# would send), and UMAC over any message, key, nonce and tag length.
decnet_fuzzer(fuzz_svc_ssh_crypto SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_ssh_crypto.cpp
              LINKS decnet::svc_ssh_crypto)
