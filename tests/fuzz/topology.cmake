decnet_fuzzer(topology_ini_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/topology_ini_fuzz.cpp LINKS decnet::topology)
