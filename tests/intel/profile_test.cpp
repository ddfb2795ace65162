#include "decnet/intel/profile.h"

#include <gtest/gtest.h>

#include "decnet/intel/score.h"
#include "test_events.h"

namespace decnet::intel {
namespace {

using testing::Ev;
using testing::OwnedEvent;

void Feed(AttackerProfile& p, std::vector<OwnedEvent>& evs) {
  ProfileLimits lim;
  for (auto& e : evs) p.Observe(e.View(), lim);
}

TEST(intel_Profile, TraversalIgnoresSystemHosts) {
  AttackerProfile p("198.51.100.7");
  std::vector<OwnedEvent> evs = {Ev(0, "198.51.100.7", "decky-01"),
                                 Ev(1, "198.51.100.7", "decnet-prober"),
                                 Ev(2, "198.51.100.7", "decky-01")};
  Feed(p, evs);
  EXPECT_FALSE(p.is_traversal());
  EXPECT_EQ(p.deckies(), std::vector<std::string>{"decky-01"});
  EXPECT_EQ(p.TraversalPath(), "");
  std::vector<OwnedEvent> more = {Ev(3, "198.51.100.7", "decky-03"),
                                  Ev(4, "198.51.100.7", "decky-02"),
                                  Ev(5, "198.51.100.7", "decky-03")};
  Feed(p, more);
  EXPECT_TRUE(p.is_traversal());
  EXPECT_EQ(p.TraversalPath(), "decky-01 \u2192 decky-03 \u2192 decky-02");
  EXPECT_EQ(p.event_count(), 6u);
}

TEST(intel_Profile, CommandsAndPhases) {
  AttackerProfile p("203.0.113.5");
  std::vector<OwnedEvent> evs;
  evs.push_back(Ev(0, "203.0.113.5", "decky-01", "ssh", "login_attempt"));
  evs.push_back(Ev(10, "203.0.113.5", "decky-01", "ssh", "auth"));
  evs.push_back(Ev(25, "203.0.113.5", "decky-01", "ssh", "command").F("input", "uname -a"));
  evs.push_back(
      Ev(30, "203.0.113.5", "decky-01", "ssh", "command").F("cmd", "id").F("command", "whoami"));
  evs.push_back(
      Ev(40, "203.0.113.5", "decky-01", "ftp", "download").F("size", "x").F("bytes", "2097152"));
  evs.push_back(Ev(41, "203.0.113.5", "decky-01", "ssh", "command"));  // no text: not a command
  Feed(p, evs);
  ASSERT_EQ(p.commands().size(), 2u);
  EXPECT_EQ(p.commands()[0].command, "uname -a");
  EXPECT_EQ(p.commands()[1].command, "whoami");  // "command" field first
  EXPECT_DOUBLE_EQ(*p.ReconEnd(), testing::kT0 + 10);
  EXPECT_DOUBLE_EQ(*p.ExfilStart(), testing::kT0 + 25);
  EXPECT_EQ(p.large_payload_count(), 1u);
  EXPECT_NE(p.PhaseSequenceJson().find("\"exfil_latency_s\":15"), std::string::npos)
      << p.PhaseSequenceJson();
}

TEST(intel_Profile, SnifferRollup) {
  AttackerProfile p("192.0.2.9");
  std::vector<OwnedEvent> evs;
  auto syn = [&](double dt, const char* os, const char* ttl, const char* hop) {
    evs.push_back(Ev(dt, "192.0.2.9", "decky-01", "sniffer", "tcp_syn_fingerprint")
                      .F("os_guess", os)
                      .F("ttl", ttl)
                      .F("hop_distance", hop)
                      .F("window", "64240")
                      .F("mss", "1460")
                      .F("has_sack", "true"));
  };
  syn(0, "unknown", "64", "3");
  syn(1, "Linux 3.11 and newer", "64", "0");
  syn(2, "Windows", "128", "5");
  syn(3, "Linux 3.11 and newer", "61", "4");
  evs.push_back(Ev(4, "192.0.2.9", "decky-01", "sniffer", "tcp_flow_timing").F("retransmits", "3"));
  evs.push_back(Ev(5, "192.0.2.9", "decky-01", "sniffer", "tcp_flow_timing").F("retransmits", "2"));
  Feed(p, evs);
  EXPECT_EQ(*p.OsGuess(), "Linux 3.11 and newer");
  EXPECT_EQ(*p.HopDistance(), 4);  // median(3,5,4)
  EXPECT_EQ(p.retransmits(), 5u);
  EXPECT_EQ(*p.tcp_fingerprint().window, 64240);
  EXPECT_TRUE(p.tcp_fingerprint().has_sack);
  EXPECT_FALSE(p.tcp_fingerprint().wscale);
}

TEST(intel_Profile, TtlFallbackEvenHopMedianAndNmapPromotion) {
  AttackerProfile p("192.0.2.10");
  std::vector<OwnedEvent> evs;
  evs.push_back(Ev(0, "192.0.2.10", "d", "sniffer", "tcp_syn_fingerprint")
                    .F("initial_ttl", "128")
                    .F("hop_distance", "3"));
  evs.push_back(Ev(1, "192.0.2.10", "d", "sniffer", "tcp_syn_fingerprint")
                    .F("ttl", "128")
                    .F("hop_distance", "6"));
  Feed(p, evs);
  EXPECT_EQ(*p.OsGuess(), "windows");
  EXPECT_EQ(*p.HopDistance(), 4);  // int(4.5)
  AttackerProfile q("192.0.2.11");
  std::vector<OwnedEvent> e2;
  e2.push_back(Ev(0, "192.0.2.11", "d", "sniffer", "tcp_syn_fingerprint").F("os_guess", "nmap"));
  e2.push_back(
      Ev(1, "192.0.2.11", "d", "http", "request").F("headers", R"({"User-Agent":"curl/8"})"));
  Feed(q, e2);
  EXPECT_EQ(q.ToolGuesses(), (std::vector<std::string_view>{"nmap", "curl"}));
}

TEST(intel_Profile, BeaconProfileRowsAndScore) {
  AttackerProfile p("198.51.100.20");
  std::vector<OwnedEvent> evs;
  // 60 s +- ~12 s: cv ~0.2 -> beaconing + cobalt_strike (and sliver within its wider band).
  const double gaps[] = {48, 72, 48, 72, 48, 72, 48, 72};
  double t = 0;
  evs.push_back(Ev(t, "198.51.100.20", "decky-01", "http", "connection"));
  for (double g : gaps) {
    t += g;
    evs.push_back(Ev(t, "198.51.100.20", "decky-01", "http", "connection"));
  }
  Feed(p, evs);
  EXPECT_EQ(p.behavior(), Behavior::kBeaconing);
  const std::string row = p.BehaviorRowJson(testing::kT0);
  EXPECT_NE(row.find("\"behavior_class\":\"beaconing\""), std::string::npos) << row;
  EXPECT_NE(row.find("\"beacon_interval_s\":60"), std::string::npos) << row;
  EXPECT_NE(row.find("\"beacon_jitter_pct\":20"), std::string::npos) << row;
  EXPECT_NE(row.find("cobalt_strike"), std::string::npos) << row;
  DbCounts db;
  db.credential_count = 2;
  const ThreatScore s = ScoreProfile(p, db);
  // credentials 15 + beaconing 15 + C2 15 + floor(5*log10(9))=4
  EXPECT_EQ(s.score, 49);
  ASSERT_EQ(s.reasons.size(), 4u);
  EXPECT_EQ(s.reasons[0], "credentials captured (+15)");
  const std::string arow = p.AttackerRowJson(db, testing::kT0);
  EXPECT_NE(arow.find("\"threat_score\":49"), std::string::npos) << arow;
  EXPECT_NE(arow.find("\"credential_count\":2"), std::string::npos);
  EXPECT_NE(arow.find("\"first_seen\":\"2025-11-24T15:00:00.000000+00:00\""), std::string::npos)
      << arow;
}

TEST(intel_Profile, ScoreIsCappedAndExplained) {
  AttackerProfile p("198.51.100.30");
  std::vector<OwnedEvent> evs;
  for (int i = 0; i < 2000; ++i) {
    evs.push_back(Ev(i * 0.5, "198.51.100.30", "decky-0" + std::to_string(i % 9),
                     "svc" + std::to_string(i % 7), i % 2 ? "command" : "download")
                      .F("cmd", "ls")
                      .F("bytes", "9999999"));
  }
  Feed(p, evs);
  DbCounts db;
  db.credential_count = 1;
  const ThreatScore s = ScoreProfile(p, db);
  EXPECT_EQ(s.score, 100);
  EXPECT_GE(s.reasons.size(), 8u);
}

TEST(intel_Profile, StateRoundTripsEveryField) {
  AttackerProfile p("2001:db8::1");
  std::vector<OwnedEvent> evs;
  for (int i = 0; i < 40; ++i) {
    evs.push_back(Ev(i * 1.37 + (i % 3) * 0.011, "2001:db8::1", i % 2 ? "decky-a" : "decky-b",
                     "ssh", i % 5 ? "command" : "tcp_syn_fingerprint")
                      .F("cmd", "echo \"x\" \\ " + std::to_string(i))
                      .F("os_guess", "Linux")
                      .F("ttl", "64")
                      .F("hop_distance", "7")
                      .F("options_sig", "M*,S,T,N,W*"));
  }
  evs.push_back(Ev(3, "2001:db8::1", "decky-c", "http", "request")
                    .F("headers", R"({"user-agent":"sqlmap"})"));
  Feed(p, evs);
  AttackerProfile q("2001:db8::1");
  ASSERT_TRUE(q.LoadState(p.StateJson()));
  std::string why;
  EXPECT_TRUE(ProfilesEqual(p, q, &why)) << why;
  EXPECT_EQ(p.AttackerRowJson({}, 1), q.AttackerRowJson({}, 1));
  EXPECT_EQ(p.BehaviorRowJson(1), q.BehaviorRowJson(1));
  AttackerProfile other("10.0.0.1");
  EXPECT_FALSE(other.LoadState(p.StateJson()));  // ip mismatch
  EXPECT_FALSE(other.LoadState("{\"v\":1"));
}

}  // namespace
}  // namespace decnet::intel
