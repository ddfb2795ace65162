decnet_fuzzer(bus_frame_reader_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/bus_frame_reader.cpp LINKS decnet::bus)
