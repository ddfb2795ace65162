// `decnet-sniffer --read FILE [--json]`: fingerprints a capture file without the bus, deckies or
// privileges, printing one JSON object per event on stdout (or the RFC 5424 line without --json).
#include <cstdio>
#include <cstring>
#include <string>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/event_format.h"
#include "decnet/capture/offline.h"
#include "sniffer.h"

namespace decnet::sniffer {

bool WantsOffline(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--read") == 0 || std::strncmp(argv[i], "--read=", 7) == 0) return true;
  }
  return false;
}

int RunOfflineMode(int argc, char** argv) {
  Config cfg("sniffer", "fingerprint a capture file (offline mode)");
  DeclareCaptureKeys(cfg);
  if (Status s = cfg.Load(argc, argv); !s) {
    std::fprintf(stderr, "decnet-sniffer: %s\n", s.error().message.c_str());
    return 2;
  }
  if (cfg.help_requested()) {
    std::fputs(cfg.Usage().c_str(), stdout);
    return 0;
  }
  capture::P0fDatabase p0f;
  capture::AnalyzerOptions opts = AnalyzerOptionsFrom(cfg, &p0f);
  bool as_json = cfg.Bool("json");
  capture::Analyzer analyzer(opts, [&](const capture::Event& e) {
    std::string line = as_json ? capture::EventToJson(e) : capture::FormatRfc5424(e, "-", e.ts);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  });
  auto st = capture::RunOffline(cfg.String("read"), analyzer);
  std::fflush(stdout);
  if (!st) {
    std::fprintf(stderr, "decnet-sniffer: %s\n", st.error().message.c_str());
    return st.error().code == Errc::kNotFound ? 2 : 1;
  }
  capture::AnalyzerStats as = analyzer.stats();
  std::fprintf(stderr,
               "decnet-sniffer: %llu frames, %llu decoded, %llu undecodable, %llu events, "
               "%llu flows, %llu evicted\n",
               (unsigned long long)st->frames, (unsigned long long)st->decoded,
               (unsigned long long)st->undecodable, (unsigned long long)as.events,
               (unsigned long long)as.flows_created, (unsigned long long)as.flows_evicted);
  return 0;
}

}  // namespace decnet::sniffer
