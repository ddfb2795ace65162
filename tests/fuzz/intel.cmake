decnet_fuzzer(intel_profile_fuzz
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/intel_profile_fuzz.cpp ${CMAKE_CURRENT_LIST_DIR}/intel_fuzz_entry.cpp
  LINKS decnet::intel)
