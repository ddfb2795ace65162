# libFuzzer targets for the syslog parser and framers (tests/fuzz/syslog_*.cpp).
decnet_fuzzer(fuzz_syslog_parse SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/syslog_parse.cpp LINKS decnet::syslog)
decnet_fuzzer(fuzz_syslog_stream_framer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/syslog_stream_framer.cpp
              LINKS decnet::syslog)
decnet_fuzzer(fuzz_syslog_rfc5425_framer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/syslog_rfc5425_framer.cpp
              LINKS decnet::syslog)
