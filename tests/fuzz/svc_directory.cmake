# LDAPMessages (BER framing, every operation, search filters): the first attacker bytes of port 389.
decnet_fuzzer(fuzz_svc_directory_ldap SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/svc_directory.cpp
              LINKS decnet::svc_directory decnet::decoy_testing)
target_include_directories(fuzz_svc_directory_ldap PRIVATE ${CMAKE_SOURCE_DIR}/tests/services/directory)
