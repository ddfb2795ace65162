#include "decnet/intel/engine.h"

#include <gtest/gtest.h>

#include <random>

#include "test_events.h"

namespace decnet::intel {
namespace {

using testing::Ev;
using testing::FlushTo;
using testing::MemoryStore;
using testing::OwnedEvent;

// A mixed stream over `ips` attackers: several deckies (and the prober), services, commands,
// headers, sniffer rows, out-of-order timestamps.
std::vector<OwnedEvent> Stream(size_t n, int ips, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<OwnedEvent> out;
  double t = 0;
  const char* types[] = {"connection",          "login_attempt", "command",         "request",
                         "tcp_syn_fingerprint", "download",      "tcp_flow_timing", "scan"};
  for (size_t i = 0; i < n; ++i) {
    t += (rng() % 5000) / 1000.0;
    const int ip = static_cast<int>(rng() % ips);
    const double ts = (rng() % 20 == 0) ? t - 3 : t;  // some out of order
    const int d = static_cast<int>(rng() % 6);
    OwnedEvent e = Ev(ts, "10.0." + std::to_string(ip / 250) + "." + std::to_string(ip % 250),
                      d == 5 ? "decnet-prober" : "decky-0" + std::to_string(d),
                      std::string("svc") + std::to_string(rng() % 4), types[rng() % 8]);
    e.id = static_cast<int64_t>(i + 1);
    e.F("cmd", "cat /etc/passwd #" + std::to_string(i))
        .F("headers", R"({"User-Agent":"Nikto"})")
        .F("os_guess", (rng() % 2) ? "Linux" : "unknown")
        .F("ttl", "64")
        .F("hop_distance", std::to_string(rng() % 9))
        .F("retransmits", "1")
        .F("bytes", (rng() % 50 == 0) ? "5000000" : "10");
    out.push_back(std::move(e));
  }
  return out;
}

void ExpectSameProfiles(MemoryStore& a, MemoryStore& b) {
  ASSERT_EQ(a.states.size(), b.states.size());
  for (const auto& [ip, state] : a.states) {
    ASSERT_TRUE(b.states.count(ip)) << ip;
    AttackerProfile pa(ip), pb(ip);
    ASSERT_TRUE(pa.LoadState(state));
    ASSERT_TRUE(pb.LoadState(b.states[ip]));
    std::string why;
    EXPECT_TRUE(ProfilesEqual(pa, pb, &why)) << ip << ": " << why;
    EXPECT_EQ(pa.AttackerRowJson({}, 1), pb.AttackerRowJson({}, 1)) << ip;
    EXPECT_EQ(pa.BehaviorRowJson(1), pb.BehaviorRowJson(1)) << ip;
  }
}

TEST(intel_Engine, FirstSightingOncePerIp) {
  MemoryStore store;
  Engine e(&store, {});
  auto a = Ev(0), b = Ev(1);
  EXPECT_EQ(e.Ingest(a.View()), IngestOutcome::kFirstSighting);
  EXPECT_EQ(e.Ingest(b.View()), IngestOutcome::kFolded);
  ASSERT_TRUE(FlushTo(e, store));
  Engine restarted(&store, {});
  auto c = Ev(2);
  EXPECT_EQ(restarted.Ingest(c.View()), IngestOutcome::kFolded);  // known from the store
  EXPECT_EQ(restarted.Find(c.ip)->event_count(), 3u);
  auto none = Ev(3, "");
  EXPECT_EQ(e.Ingest(none.View()), IngestOutcome::kNoIp);
}

TEST(intel_Engine, RestartMidStreamEqualsUninterruptedRun) {
  auto events = Stream(6000, 40, 1);
  MemoryStore whole;
  {
    Engine e(&whole, {});
    for (auto& ev : events) e.Ingest(ev.View());
    ASSERT_TRUE(FlushTo(e, whole));
  }
  for (size_t cut : {1ul, 1234ul, 3000ul, 5999ul}) {
    MemoryStore split;
    {
      Engine first(&split, {});
      for (size_t i = 0; i < cut; ++i) first.Ingest(events[i].View());
      ASSERT_TRUE(FlushTo(first, split));
    }  // "crash" after the batch commit: memory gone, the store keeps states (and the cursor = cut)
    Engine second(&split, {});
    for (size_t i = cut; i < events.size(); ++i) second.Ingest(events[i].View());
    ASSERT_TRUE(FlushTo(second, split));
    SCOPED_TRACE(cut);
    ExpectSameProfiles(whole, split);
  }
}

TEST(intel_Engine, EvictionUnderIpBoundKeepsStoredProfilesCorrect) {
  auto events = Stream(8000, 60, 2);
  MemoryStore unbounded;
  {
    Engine e(&unbounded, {});
    for (auto& ev : events) e.Ingest(ev.View());
    ASSERT_TRUE(FlushTo(e, unbounded));
  }
  MemoryStore bounded;
  EngineOptions opts;
  opts.max_ips = 5;
  Engine e(&bounded, opts);
  for (auto& ev : events) {
    e.Ingest(ev.View());
    ASSERT_LE(e.size(), 5u);
  }
  ASSERT_TRUE(FlushTo(e, bounded));
  EXPECT_GT(e.stats().evicted, 100u);
  EXPECT_GT(e.stats().loaded, 100u);
  EXPECT_EQ(e.stats().first_sightings, 60u);  // a returning IP is not a new sighting
  ExpectSameProfiles(unbounded, bounded);
}

TEST(intel_Engine, FlushWritesOnlyChangedProfiles) {
  MemoryStore store;
  Engine e(&store, {});
  auto a = Ev(0, "192.0.2.1"), b = Ev(1, "192.0.2.2");
  e.Ingest(a.View());
  e.Ingest(b.View());
  EXPECT_EQ(e.dirty_count(), 2u);
  ASSERT_TRUE(FlushTo(e, store));
  EXPECT_EQ(store.saves, 2u);
  auto c = Ev(2, "192.0.2.2");
  e.Ingest(c.View());
  ASSERT_TRUE(FlushTo(e, store));
  EXPECT_EQ(store.saves, 3u);
  // A failing writer leaves the profile dirty.
  auto d = Ev(3, "192.0.2.1");
  e.Ingest(d.View());
  EXPECT_FALSE(e.Flush([](AttackerProfile&) { return Status(MakeError(Errc::kIo, "disk")); }));
  EXPECT_EQ(e.dirty_count(), 1u);
  e.Reset();
  EXPECT_EQ(e.size(), 0u);
}

class FailingStore : public MemoryStore {
 public:
  Status SaveProfile(const AttackerProfile&) override { return MakeError(Errc::kIo, "down"); }
};

TEST(intel_Engine, FailedEvictionSaveKeepsTheVictim) {
  FailingStore store;
  EngineOptions opts;
  opts.max_ips = 1;
  Engine e(&store, opts);
  auto a = Ev(0, "192.0.2.1"), b = Ev(1, "192.0.2.2");
  EXPECT_EQ(e.Ingest(a.View()), IngestOutcome::kFirstSighting);
  EXPECT_EQ(e.Ingest(b.View()), IngestOutcome::kStoreError);
  EXPECT_NE(e.Find("192.0.2.1"), nullptr);
  EXPECT_EQ(e.stats().store_errors, 1u);
}

}  // namespace
}  // namespace decnet::intel
