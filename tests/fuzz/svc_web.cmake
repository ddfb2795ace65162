# The http service (request parsing, method sniffing, credentials, JA4H): what attacker bytes hit on port 80.
decnet_fuzzer(fuzz_svc_web_http SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_web.cpp
              LINKS decnet::svc_web decnet::decoy_testing)
target_include_directories(fuzz_svc_web_http PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/web)
