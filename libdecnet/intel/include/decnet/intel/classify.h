// Behaviour rules of the original profiler, as facts (4nt11/DECNET decnet/profiler/classify.py,
// tools.py, behavioral.py). Thresholds are the original's; inputs are the rounded figures it
// compared.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace decnet::intel {

enum class Behavior {
  kUnknown,
  kSlowScan,
  kScanning,
  kBruteForce,
  kBeaconing,
  kInteractive,
  kMixed
};
std::string_view BehaviorName(Behavior b);

// Priority order (first match wins), n = events, mean/cv = rounded IAT mean (s) and CV:
//   unknown      n < 3 or no mean
//   slow_scan    services >= 2, mean >= 10, n >= 4
//   scanning     (services >= 3 and mean < 10) or (services >= 2 and mean < 2)
//   brute_force  services == 1, n >= 8, mean < 5, cv < 0.6
//   beaconing    cv < 0.35, mean >= 5, n >= 4
//   interactive  cv >= 0.5, mean < 5, n >= 6
//   mixed        otherwise
Behavior ClassifyBehavior(uint64_t n, std::optional<double> mean, std::optional<double> cv,
                          size_t services);

// C2 default beacon profiles: a match is |mean - interval| <= tol and |cv - jitter| <= jtol.
//   cobalt_strike 60 s +-8, cv 0.20 +-0.05; sliver 60 +-10, 0.30 +-0.08; havoc 45 +-8, 0.10 +-0.03;
//   mythic 30 +-6, 0.15 +-0.03. Every match is returned, in that order.
std::vector<std::string_view> GuessC2Tools(std::optional<double> mean, std::optional<double> cv);

// HTTP header signatures (header name case-insensitive, pattern a case-insensitive substring, or a
// case-insensitive prefix for curl). Index order is detection priority within one request.
inline constexpr int kHeaderToolCount = 14;
std::string_view HeaderToolName(int index);
// Appends to `hits` (indices, deduplicated, detection order) the tools the JSON object
// `headers_json` names. Malformed, oversized (> 64 KiB) or non-object JSON is ignored. Returns
// false when it was.
bool DetectHeaderTools(std::string_view headers_json, std::vector<uint8_t>& hits);

// Coarse OS bucket from a TTL when p0f had no label: 55-70 linux, 115-135 windows, 235-255
// embedded.
std::optional<std::string_view> OsFromTtl(std::string_view ttl);

// Kill-chain event classes of the original's phases.py, and the command event types/fields of its
// profiler worker.
bool IsReconEvent(std::string_view event_type);
bool IsExfilEvent(std::string_view event_type);
bool IsCommandEvent(std::string_view event_type);
inline constexpr std::string_view kCommandFields[] = {"command", "query", "input",
                                                      "line",    "sql",   "cmd"};
inline constexpr std::string_view kPayloadSizeFields[] = {"bytes", "size", "content_length"};
inline constexpr int64_t kLargePayloadBytes = 1048576;
// Python int(str) for the forms a log field carries: optional blanks, sign, digits, '_' between
// digits.
std::optional<int64_t> ParsePythonInt(std::string_view s);

}  // namespace decnet::intel
