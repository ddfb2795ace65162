// Runs a capture file through Decode + Analyzer: the core of `decnet-sniffer --read` and of the tests.
#pragma once

#include <string>

#include "decnet/capture/analyzer.h"
#include "decnet/core/result.h"

namespace decnet::capture {

struct OfflineStats {
  uint64_t frames = 0;
  uint64_t decoded = 0;      // frames that reached the analyzer
  uint64_t undecodable = 0;  // truncated, malformed or unsupported
};

// Reads every frame of `path`, feeds the decodable ones to `analyzer` and flushes it at the end.
Result<OfflineStats> RunOffline(const std::string& path, Analyzer& analyzer);

}  // namespace decnet::capture
