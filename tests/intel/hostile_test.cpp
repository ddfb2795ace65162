#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "decnet/core/json.h"
#include "decnet/intel/engine.h"
#include "test_events.h"

int IntelFuzzOne(const uint8_t* data, size_t size);

namespace decnet::intel {
namespace {

using testing::Ev;

TEST(intel_Hostile, MissingFieldsAndAbsurdTimestampsAreRejected) {
  Engine e(nullptr, {});
  auto no_decky = Ev(0, "192.0.2.1", "");
  auto dash = Ev(0, "192.0.2.1", "decky-01", "-");
  auto nan = Ev(0);
  nan.ts = std::nan("");
  auto inf = Ev(0);
  inf.ts = std::numeric_limits<double>::infinity();
  auto ancient = Ev(0);
  ancient.ts = 0;
  auto future = Ev(0);
  future.ts = 1e15;
  auto long_ip = Ev(0, std::string(100, '1'));
  for (auto* ev : {&no_decky, &dash, &nan, &inf, &ancient, &future, &long_ip}) {
    EXPECT_EQ(e.Ingest(ev->View()), IngestOutcome::kRejected);
  }
  EXPECT_EQ(e.stats().rejected, 7u);
  EXPECT_EQ(e.size(), 0u);
  auto ok = Ev(0);  // no fields at all is fine
  EXPECT_EQ(e.Ingest(ok.View()), IngestOutcome::kFirstSighting);
}

TEST(intel_Hostile, AMillionCommandsFromOneIpStayWithinBounds) {
  Engine e(nullptr, {});
  const std::string big(10000, 'A');
  size_t peak = 0;
  for (int i = 0; i < 1000000; ++i) {
    auto ev = Ev(i * 0.001, "192.0.2.66", "decky-" + std::to_string(i % 500),
                 "svc" + std::to_string(i % 300), "command");
    ev.F("cmd", i % 1000 == 0 ? big : "id");
    e.Ingest(ev.View());
    if (i % 100000 == 0) peak = std::max(peak, e.Find("192.0.2.66")->ApproxBytes());
  }
  const AttackerProfile* p = e.Find("192.0.2.66");
  ASSERT_NE(p, nullptr);
  const ProfileLimits lim;
  EXPECT_EQ(p->event_count(), 1000000u);
  EXPECT_EQ(p->commands().size(), lim.max_commands);
  EXPECT_EQ(p->cut().commands, 1000000u - lim.max_commands);
  EXPECT_EQ(p->services().size(), lim.max_services);
  EXPECT_EQ(p->deckies().size(), lim.max_deckies);
  EXPECT_GT(p->cut().services, 0u);
  EXPECT_GT(p->cut().deckies, 0u);
  EXPECT_EQ(p->cut().command_bytes, 1u);  // only command #0 is both big and kept
  for (const auto& c : p->commands()) EXPECT_LE(c.command.size(), lim.max_command_bytes);
  EXPECT_LT(std::max(peak, p->ApproxBytes()), 64u * 1024);
  EXPECT_LT(p->StateJson().size(), 128u * 1024);
}

TEST(intel_Hostile, HostileFieldValues) {
  Engine e(nullptr, {});
  auto ev = Ev(0, "192.0.2.7", std::string(100000, 'd'), std::string(5000, 's'), "request");
  ev.F("headers", std::string(200000, '['))
      .F("bytes", "-99999999999999999999")
      .F("hop_distance", "NaN")
      .F("retransmits", "1e9")
      .F("os_guess", std::string(10000, 'o'));
  EXPECT_EQ(e.Ingest(ev.View()), IngestOutcome::kFirstSighting);
  auto syn = Ev(1, "192.0.2.7", "decky-01", "sniffer", "tcp_syn_fingerprint");
  syn.F("os_guess", std::string(10000, 'o'))
      .F("window", "99999999999999999999999")
      .F("ttl", "\xff\xfe");
  e.Ingest(syn.View());
  const AttackerProfile* p = e.Find("192.0.2.7");
  EXPECT_EQ(p->cut().bad_headers, 1u);
  EXPECT_LE(p->deckies()[0].size(), 256u);
  EXPECT_LE(std::string(*p->OsGuess()).size(), 256u);
  EXPECT_EQ(p->large_payload_count(), 0u);
  // The rows are valid JSON even with invalid UTF-8 in the input.
  rapidjson::Document d;
  EXPECT_TRUE(json::ParseObject(p->AttackerRowJson({}, 1), d));
  EXPECT_TRUE(json::ParseObject(p->BehaviorRowJson(1), d));
  AttackerProfile q(p->ip());
  EXPECT_TRUE(q.LoadState(p->StateJson()));
}

TEST(intel_Hostile, FuzzEntryOnHostileInputs) {
  const std::string inputs[] = {
      "",
      "\x00\x01\x02",
      "1.2.3.4\ncommand\ncmd=ls\nheaders={\"User-Agent\":\"curl/1\"}",
      "{\"v\":1,\"ip\":\"x\",\"t\":{}}",
      std::string(5000, '{'),
      "ip\nrequest\nheaders=" + std::string(3000, '['),
      "a\ntcp_syn_fingerprint\nhop_distance=99999999999999999999\nttl=-1\nos_guess=\xff",
  };
  for (const auto& in : inputs) {
    IntelFuzzOne(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  }
  SUCCEED();
}

}  // namespace
}  // namespace decnet::intel
