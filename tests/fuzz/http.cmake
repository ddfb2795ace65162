# Request parsing is the first thing attacker bytes hit in the API.
decnet_fuzzer(fuzz_http_request_parser SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/http_request_parser.cpp
              LINKS decnet::http)
