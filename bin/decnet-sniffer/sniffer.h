// decnet-sniffer internals shared by the live worker (main.cpp) and the offline mode.
#pragma once

#include "decnet/capture/analyzer.h"
#include "decnet/capture/tcpfp.h"
#include "decnet/core/config.h"

namespace decnet::sniffer {

// The capture keys both modes understand (analyzer bounds, p0f database, FoxIO switch, --read/--json).
void DeclareCaptureKeys(Config& cfg);
// Builds analyzer options from the loaded config; loads the p0f database into *p0f when it exists.
capture::AnalyzerOptions AnalyzerOptionsFrom(const Config& cfg, capture::P0fDatabase* p0f);

bool WantsOffline(int argc, char** argv);
int RunOfflineMode(int argc, char** argv);

}  // namespace decnet::sniffer
