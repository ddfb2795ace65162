# The FTP control-channel parser and session state machine: the first thing attacker bytes hit on port 21.
decnet_fuzzer(fuzz_svc_files_ftp SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_files.cpp
              LINKS decnet::svc_files decnet::decoy_testing)
target_include_directories(fuzz_svc_files_ftp PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/files)
