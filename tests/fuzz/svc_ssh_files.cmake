# File transfer over SSH: the SFTP packet parser and the scp sink's record parser, fed attacker bytes
# straight from an SSH channel.
decnet_fuzzer(fuzz_svc_ssh_files SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_ssh_files.cpp
              LINKS decnet::svc_ssh_files decnet::decoy_testing)
target_include_directories(fuzz_svc_ssh_files PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/ssh_files)
