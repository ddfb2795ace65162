# Fuzz targets of the capture parsers: one per decoder / fingerprint parser.
foreach(t decoder tls ssh http quic analyzer ja4plus)
  decnet_fuzzer(capture_fuzz_${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/capture_${t}.cpp
                LINKS decnet::capture)
endforeach()
