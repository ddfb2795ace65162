#include "decnet/intel/classify.h"

#include <gtest/gtest.h>

namespace decnet::intel {
namespace {

Behavior C(uint64_t n, std::optional<double> mean, std::optional<double> cv, size_t svc) {
  return ClassifyBehavior(n, mean, cv, svc);
}

TEST(intel_Classify, UnknownBelowThreeEventsOrNoMean) {
  EXPECT_EQ(C(2, 1.0, 0.1, 5), Behavior::kUnknown);
  EXPECT_EQ(C(3, std::nullopt, std::nullopt, 5), Behavior::kUnknown);
  EXPECT_NE(C(3, 1.0, 0.1, 5), Behavior::kUnknown);
}

TEST(intel_Classify, SlowScanThresholds) {
  EXPECT_EQ(C(4, 10.0, 0.9, 2), Behavior::kSlowScan);   // at every threshold
  EXPECT_NE(C(4, 9.999, 0.9, 2), Behavior::kSlowScan);  // mean just below
  EXPECT_NE(C(3, 10.0, 0.9, 2), Behavior::kSlowScan);   // n just below
  EXPECT_NE(C(4, 10.0, 0.9, 1), Behavior::kSlowScan);   // one service
  EXPECT_EQ(C(4, 50.0, 0.9, 7), Behavior::kSlowScan);   // checked before scanning
}

TEST(intel_Classify, ScanningThresholds) {
  EXPECT_EQ(C(3, 9.999, 0.9, 3), Behavior::kScanning);  // 3 services, mean < 10
  EXPECT_EQ(C(3, 10.0, 0.9, 3), Behavior::kMixed);      // n=3 is not slow_scan; mean not < 10
  EXPECT_EQ(C(3, 1.999, 0.9, 2), Behavior::kScanning);  // 2 services, mean < 2
  EXPECT_NE(C(3, 2.0, 0.9, 2), Behavior::kScanning);
  EXPECT_NE(C(3, 1.0, 0.9, 1), Behavior::kScanning);  // one service never scans
}

TEST(intel_Classify, BruteForceThresholds) {
  EXPECT_EQ(C(8, 4.999, 0.599, 1), Behavior::kBruteForce);
  EXPECT_NE(C(7, 4.999, 0.599, 1), Behavior::kBruteForce);  // n
  EXPECT_NE(C(8, 5.0, 0.599, 1), Behavior::kBruteForce);    // mean
  EXPECT_NE(C(8, 4.999, 0.6, 1), Behavior::kBruteForce);    // cv
  EXPECT_NE(C(8, 4.999, std::nullopt, 1), Behavior::kBruteForce);
  EXPECT_NE(C(8, 1.0, 0.1, 2), Behavior::kBruteForce);  // two services (-> scanning)
}

TEST(intel_Classify, BeaconingThresholds) {
  EXPECT_EQ(C(4, 5.0, 0.349, 1), Behavior::kBeaconing);
  EXPECT_NE(C(4, 5.0, 0.35, 1), Behavior::kBeaconing);
  EXPECT_NE(C(4, 4.999, 0.349, 1), Behavior::kBeaconing);
  EXPECT_NE(C(3, 5.0, 0.349, 1), Behavior::kBeaconing);
  EXPECT_EQ(C(4, 9.0, 0.1, 2), Behavior::kBeaconing);  // 2 services, mean < 10: not slow_scan
}

TEST(intel_Classify, InteractiveThresholds) {
  EXPECT_EQ(C(6, 4.999, 0.5, 1), Behavior::kInteractive);
  EXPECT_NE(C(6, 4.999, 0.499, 1), Behavior::kInteractive);
  EXPECT_NE(C(5, 4.999, 0.5, 1), Behavior::kInteractive);
  EXPECT_NE(C(6, 5.0, 0.5, 1), Behavior::kInteractive);
  EXPECT_EQ(C(8, 4.0, 0.7, 1), Behavior::kInteractive);  // cv too high for brute force
}

TEST(intel_Classify, MixedIsTheCatchAll) {
  EXPECT_EQ(C(5, 4.0, 0.4, 1), Behavior::kMixed);
  EXPECT_EQ(BehaviorName(Behavior::kSlowScan), "slow_scan");
  EXPECT_EQ(BehaviorName(Behavior::kBruteForce), "brute_force");
}

TEST(intel_Tools, C2CadenceBoundaries) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(GuessC2Tools(60.0, 0.20), (V{"cobalt_strike"}));
  EXPECT_EQ(GuessC2Tools(68.0, 0.25), (V{"cobalt_strike", "sliver"}));  // both edges
  EXPECT_EQ(GuessC2Tools(68.001, 0.25), (V{"sliver"}));
  EXPECT_EQ(GuessC2Tools(70.0, 0.37), (V{"sliver"}));
  EXPECT_EQ(GuessC2Tools(70.0, 0.38), V{});  // 0.38-0.30 > 0.08 in binary, as in the original
  EXPECT_EQ(GuessC2Tools(70.001, 0.30), V{});
  EXPECT_EQ(GuessC2Tools(45.0, 0.13), (V{"havoc"}));
  EXPECT_EQ(GuessC2Tools(45.0, 0.131), V{});
  EXPECT_EQ(GuessC2Tools(24.0, 0.12), (V{"mythic"}));
  EXPECT_EQ(GuessC2Tools(23.999, 0.15), V{});
  EXPECT_EQ(GuessC2Tools(std::nullopt, 0.15), V{});
  EXPECT_EQ(GuessC2Tools(30.0, std::nullopt), V{});
}

std::vector<std::string_view> Headers(std::string_view json) {
  std::vector<uint8_t> hits;
  DetectHeaderTools(json, hits);
  std::vector<std::string_view> names;
  for (uint8_t h : hits) names.push_back(HeaderToolName(h));
  return names;
}

TEST(intel_Tools, EveryHeaderSignature) {
  using V = std::vector<std::string_view>;
  const std::pair<const char*, const char*> cases[] = {
      {R"j({"User-Agent":"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"})j",
       "nmap"},
      {R"j({"X-Mailer":"gophish"})j", "gophish"},
      {R"j({"user-agent":"Mozilla/5.00 (Nikto/2.1.6)"})j", "nikto"},
      {R"j({"User-Agent":"sqlmap/1.7#stable (https://sqlmap.org)"})j", "sqlmap"},
      {R"j({"User-Agent":"Mozilla/5.0 Nuclei - Open-source project"})j", "nuclei"},
      {R"j({"User-Agent":"masscan/1.3"})j", "masscan"},
      {R"j({"User-Agent":"Mozilla/5.0 zgrab/0.x"})j", "zgrab"},
      {R"j({"User-Agent":"Mozilla/4.0 (compatible; Metasploit RSPEC)"})j", "metasploit"},
      {R"j({"User-Agent":"curl/8.4.0"})j", "curl"},
      {R"j({"User-Agent":"python-requests/2.31"})j", "python_requests"},
      {R"j({"User-Agent":"gobuster/3.6"})j", "gobuster"},
      {R"j({"User-Agent":"DirBuster-1.0-RC1"})j", "dirbuster"},
      {R"j({"User-Agent":"Mozilla (Hydra)"})j", "hydra"},
      {R"j({"User-Agent":"Wfuzz/3.1"})j", "wfuzz"},
  };
  for (const auto& [json, name] : cases) EXPECT_EQ(Headers(json), (V{name})) << json;
}

TEST(intel_Tools, HeaderEdgeCases) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(Headers(R"j({"User-Agent":"Mozilla curl/8"})j"), V{});  // curl is a prefix only
  EXPECT_EQ(Headers(R"j({"USER-AGENT":"CURL/7"})j"), (V{"curl"}));
  EXPECT_EQ(Headers(R"j({"X-Mailer":"sqlmap"})j"), V{});  // wrong header
  EXPECT_EQ(Headers(R"j({"User-Agent":"sqlmap nikto"})j"),
            (V{"nikto", "sqlmap"}));  // signature order
  std::vector<uint8_t> hits;
  EXPECT_FALSE(DetectHeaderTools("not json", hits));
  EXPECT_FALSE(DetectHeaderTools("[1,2]", hits));
  EXPECT_TRUE(hits.empty());
}

TEST(intel_Tools, OsFromTtlBuckets) {
  EXPECT_FALSE(OsFromTtl("54"));
  EXPECT_EQ(*OsFromTtl("55"), "linux");
  EXPECT_EQ(*OsFromTtl("70"), "linux");
  EXPECT_FALSE(OsFromTtl("71"));
  EXPECT_EQ(*OsFromTtl("115"), "windows");
  EXPECT_EQ(*OsFromTtl("135"), "windows");
  EXPECT_EQ(*OsFromTtl("235"), "embedded");
  EXPECT_EQ(*OsFromTtl("255"), "embedded");
  EXPECT_FALSE(OsFromTtl("x"));
}

TEST(intel_Tools, PythonInt) {
  EXPECT_EQ(*ParsePythonInt(" 1_048_576 "), 1048576);
  EXPECT_EQ(*ParsePythonInt("-3"), -3);
  EXPECT_FALSE(ParsePythonInt("1.5"));
  EXPECT_FALSE(ParsePythonInt("1__0"));
  EXPECT_FALSE(ParsePythonInt(""));
  EXPECT_EQ(*ParsePythonInt("99999999999999999999999999"), INT64_MAX);
}

}  // namespace
}  // namespace decnet::intel
