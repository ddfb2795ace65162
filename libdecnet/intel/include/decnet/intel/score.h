// The explainable threat score: 0-100, the sum of the points below, capped at 100. Every rule that
// fires adds one reason string "<what> (+<points>)", in this order, so an operator sees why.
//
//   Activity
//     commands executed on a decky ............................ +25
//     credentials captured from this IP ....................... +15
//     exfil-class event (download/upload/exec/...) ............ +10
//     large payload (>= 1 MiB) moved .......................... +10
//   Reach
//     traversal: >= 2 decoy deckies ........................... +10, +2 per further decky (max +10
//     more) services touched: +3 per service beyond the first ....... (max +12)
//   Behaviour (the class of classify.h)
//     beaconing +15, interactive +15, brute_force +10, scanning +5, slow_scan +5, mixed/unknown 0
//   Tools
//     a C2 beacon cadence match (cobalt_strike/sliver/...) ...... +15
//     a scanner or attack tool named by HTTP headers or p0f .... +5
//   Volume
//     floor(5 * log10(event_count)), at most .................. +10
//
// Why additive: each reason is independently checkable against the row, and the points order what
// an analyst should look at first (hands-on-keyboard and credential theft over noise).
#pragma once

#include <string>
#include <vector>

namespace decnet::intel {

class AttackerProfile;
struct DbCounts;

struct ThreatScore {
  int score = 0;
  std::vector<std::string> reasons;
};

ThreatScore ScoreProfile(const AttackerProfile& p, const DbCounts& db);

}  // namespace decnet::intel
