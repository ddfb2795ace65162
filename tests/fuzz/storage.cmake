# Fuzz targets of the storage component (built with -DDECNET_FUZZ=ON and clang).
decnet_fuzzer(storage_ingest_line_fuzzer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/storage_ingest_line.cpp
              LINKS decnet::storage)
