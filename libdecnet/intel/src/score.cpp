#include "decnet/intel/score.h"

#include <algorithm>
#include <cmath>

#include "decnet/intel/profile.h"

namespace decnet::intel {
namespace {

void Add(ThreatScore& s, int points, std::string what) {
  if (points <= 0) return;
  s.score += points;
  s.reasons.push_back(what + " (+" + std::to_string(points) + ")");
}

bool IsC2(std::string_view t) {
  return t == "cobalt_strike" || t == "sliver" || t == "havoc" || t == "mythic";
}

}  // namespace

ThreatScore ScoreProfile(const AttackerProfile& p, const DbCounts& db) {
  ThreatScore s;
  if (!p.commands().empty()) Add(s, 25, "commands executed");
  if (db.credential_count > 0) Add(s, 15, "credentials captured");
  if (p.ExfilStart()) Add(s, 10, "exfil-class activity");
  if (p.large_payload_count() > 0) Add(s, 10, "large payload moved");
  if (p.is_traversal()) {
    const int extra = static_cast<int>(std::min<size_t>(10, 2 * (p.deckies().size() - 2)));
    Add(s, 10 + extra, "traversal across " + std::to_string(p.deckies().size()) + " deckies");
  }
  if (p.services().size() > 1) {
    const int pts = static_cast<int>(std::min<size_t>(12, 3 * (p.services().size() - 1)));
    Add(s, pts, std::to_string(p.services().size()) + " services touched");
  }
  const Behavior b = p.behavior();
  int bp = 0;
  switch (b) {
    case Behavior::kBeaconing:
    case Behavior::kInteractive:
      bp = 15;
      break;
    case Behavior::kBruteForce:
      bp = 10;
      break;
    case Behavior::kScanning:
    case Behavior::kSlowScan:
      bp = 5;
      break;
    default:
      break;
  }
  Add(s, bp, std::string("behaviour ") + std::string(BehaviorName(b)));
  bool c2 = false, tool = false;
  for (std::string_view t : p.ToolGuesses()) {
    if (IsC2(t)) {
      c2 = true;
    } else {
      tool = true;
    }
  }
  if (c2) Add(s, 15, "C2 beacon cadence");
  if (tool) Add(s, 5, "attack tool identified");
  if (p.event_count() > 0) {
    const int vol = std::min(
        10, static_cast<int>(std::floor(5 * std::log10(static_cast<double>(p.event_count())))));
    Add(s, vol, std::to_string(p.event_count()) + " events");
  }
  s.score = std::clamp(s.score, 0, 100);
  return s;
}

}  // namespace decnet::intel
