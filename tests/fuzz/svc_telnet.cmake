# The Telnet option state machine, subnegotiation parsers and login dialogue: the first thing attacker
# bytes hit on port 23.
decnet_fuzzer(fuzz_svc_telnet SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_telnet.cpp
              LINKS decnet::svc_telnet decnet::decoy_testing)
target_include_directories(fuzz_svc_telnet PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/telnet)
