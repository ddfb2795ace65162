# The emulated shell: the command-line parser alone, and whole sessions (interactive and exec) fed any
# bytes: what an attacker types after an SSH or Telnet login.
decnet_fuzzer(fuzz_svc_shell_parser SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_shell.cpp
              LINKS decnet::svc_shell decnet::decoy_testing)
target_compile_definitions(fuzz_svc_shell_parser PRIVATE DECNET_SHELL_FUZZ_PARSER=1)
decnet_fuzzer(fuzz_svc_shell_session SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_shell.cpp
              LINKS decnet::svc_shell decnet::decoy_testing)
foreach(t fuzz_svc_shell_parser fuzz_svc_shell_session)
  target_include_directories(${t} PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/shell
                             ${CMAKE_SOURCE_DIR}/libdecnet/services/shell/src)
endforeach()
