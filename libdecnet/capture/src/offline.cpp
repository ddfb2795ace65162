#include "decnet/capture/offline.h"

#include "decnet/capture/pcap_source.h"

namespace decnet::capture {

Result<OfflineStats> RunOffline(const std::string& path, Analyzer& analyzer) {
  auto reader = OfflineReader::Open(path);
  if (!reader) return reader.error();
  OfflineStats st;
  Frame f;
  DecodedPacket p;
  int link = (*reader)->link_type();
  while ((*reader)->Next(f)) {
    ++st.frames;
    DecodeStatus s = Decode(link, f.data, p);
    if (s == DecodeStatus::kOk) {
      ++st.decoded;
      analyzer.OnPacket(f.ts, p);
    } else if (s == DecodeStatus::kTruncated || s == DecodeStatus::kMalformed ||
               s == DecodeStatus::kUnsupportedLink) {
      ++st.undecodable;
    }
  }
  analyzer.FlushAll();
  if (!(*reader)->error().empty()) return MakeError(Errc::kCorrupt, path + ": " + (*reader)->error());
  return st;
}

}  // namespace decnet::capture
