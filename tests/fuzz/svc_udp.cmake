# TFTP requests: the first bytes an attacker sends to a decky's UDP 69.
decnet_fuzzer(fuzz_svc_tftp SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_tftp.cpp LINKS decnet::svc_udp)
