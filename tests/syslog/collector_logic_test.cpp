// The collector's per-record logic: drop-list, rate limit with its bounded map, session aggregator.
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "decnet/core/config.h"
#include "decnet/core/json.h"
#include "decnet/syslog/collector.h"

namespace decnet::syslog {
namespace {

struct Lines {
  std::vector<std::string> keep;  // records hold views into these
  DecnetParser parser;
  DecnetRecord Get(const std::string& line) {
    keep.push_back(line);
    DecnetRecord r;
    EXPECT_TRUE(parser.Parse(keep.back(), &r)) << line;
    return r;
  }
};

TEST(SyslogCollectorLogic, SplitList) {
  EXPECT_EQ(SplitCommaList(" a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitCommaList("").empty());
}

TEST(SyslogCollectorLogic, DropListAndRateLimit) {
  IngestFilterOptions o;
  o.max_keys = 2;
  IngestFilter f(o);
  std::deque<std::string> keep;
  DecnetParser p;
  auto admit = [&](const std::string& line, double now) {
    keep.push_back(line);
    DecnetRecord r;
    EXPECT_TRUE(p.Parse(keep.back(), &r));
    return f.Admit(r, now);
  };
  EXPECT_FALSE(admit("<38>1 - d sshd 12 - - Failed password for root from 1.2.3.4", 0));
  EXPECT_EQ(f.stats().dropped_apps, 1u);
  const std::string c1 = R"(<134>1 - d smtp - connect [relay@55555 src_ip="1.1.1.1"])";
  EXPECT_TRUE(admit(c1, 10.0));
  EXPECT_FALSE(admit(c1, 10.5));  // same key inside the window
  EXPECT_TRUE(admit(c1, 11.01));  // window over
  EXPECT_EQ(f.stats().rate_limited, 1u);
  // Other event types are never limited.
  const std::string req = R"(<134>1 - d smtp - request [relay@55555 src_ip="1.1.1.1"])";
  EXPECT_TRUE(admit(req, 11.02));
  EXPECT_TRUE(admit(req, 11.03));
  // The map is bounded: two more keys evict one, and it is counted.
  EXPECT_TRUE(admit(R"(<134>1 - d smtp - connect [relay@55555 src_ip="2.2.2.2"])", 11.1));
  EXPECT_TRUE(admit(R"(<134>1 - d smtp - connect [relay@55555 src_ip="3.3.3.3"])", 11.2));
  EXPECT_LE(f.keys(), 2u);
  EXPECT_GE(f.stats().evicted_keys, 1u);
}

struct Published {
  std::string topic, type, payload;
};

TEST(SyslogCollectorLogic, RateLimitMapStaysBoundedUnderAFloodOfKeys) {
  IngestFilterOptions o;
  o.max_keys = 1000;
  IngestFilter f(o);
  std::deque<std::string> keep;
  DecnetParser p;
  DecnetRecord r;
  for (int i = 0; i < 50000; ++i) {
    keep.push_back("<134>1 - d smtp - connect [relay@55555 src_ip=\"10.0." +
                   std::to_string(i / 250) + "." + std::to_string(i % 250) + "\"]");
    ASSERT_TRUE(p.Parse(keep.back(), &r));
    EXPECT_TRUE(f.Admit(r, 100.0 + i * 1e-6));
    if (keep.size() > 4) keep.pop_front();
  }
  EXPECT_EQ(f.keys(), 1000u);
  EXPECT_EQ(f.stats().evicted_keys, 49000u);
}

TEST(SyslogCollectorLogic, SessionEndedCarriesTheCommandsOfTheWindow) {
  std::vector<Published> out;
  SessionAggregator agg({}, [&](std::string_view t, std::string_view ty, const std::string& p) {
    out.push_back({std::string(t), std::string(ty), p});
  });
  Lines l;
  agg.Add(l.Get("<14>1 2026-05-02T06:13:00Z SRV bash - - - CMD src=192.168.1.5 cmd=older"));
  agg.Add(l.Get("<14>1 2026-05-02T06:22:50Z SRV bash - - - CMD src=192.168.1.5 cmd=whoami"));
  agg.Add(l.Get("<14>1 2026-05-02T06:22:55Z SRV bash - - - CMD src=192.168.1.5 cmd=uname -a"));
  agg.Add(l.Get("<14>1 2026-05-02T06:22:56Z SRV bash - - - CMD src=10.9.9.9 cmd=other-ip"));
  EXPECT_EQ(agg.commands("192.168.1.5"), 3u);
  agg.Add(l.Get(
      R"(<134>1 2026-05-02T06:23:00Z omega-decky sessrec - session_recorded )"
      R"([relay@55555 sid="sess-123" service="ssh" duration_s="60.0" src_ip="192.168.1.5"])"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "attacker.session.ended");
  rapidjson::Document d;
  ASSERT_TRUE(json::ParseObject(out[0].payload, d)) << out[0].payload;
  EXPECT_EQ(json::GetString(d, "session_id"), "sess-123");
  EXPECT_EQ(json::GetString(d, "attacker_ip"), "192.168.1.5");
  EXPECT_EQ(json::GetString(d, "decky_id"), "omega-decky");
  EXPECT_EQ(json::GetString(d, "service"), "ssh");
  EXPECT_EQ(json::GetDouble(d, "duration_s"), 60.0);
  const auto& cmds = d["commands"];
  ASSERT_EQ(cmds.Size(), 2u);
  EXPECT_EQ(json::GetString(cmds[0], "command_text"), "whoami");
  EXPECT_EQ(json::GetString(cmds[0], "id"), "sess-123#0");
  EXPECT_EQ(json::GetString(cmds[1], "command_text"), "uname -a");
  EXPECT_EQ(json::GetString(cmds[1], "id"), "sess-123#1");
  // Without sid: null session_id and synthetic ids.
  agg.Add(l.Get("<14>1 2026-05-02T06:30:00Z SRV bash - - - CMD src=192.168.1.5 cmd=ls"));
  agg.Add(l.Get(R"(<134>1 2026-05-02T06:30:30Z o sessrec - session_recorded )"
                R"([relay@55555 duration_s="60" src_ip="192.168.1.5"])"));
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(json::ParseObject(out[1].payload, d));
  EXPECT_TRUE(d["session_id"].IsNull());
  EXPECT_EQ(json::GetString(d["commands"][0], "id"), "192.168.1.5-2026-05-02T06:30:00#0");
  EXPECT_EQ(json::GetString(d["commands"][0], "command_text"), "ls");
}

TEST(SyslogCollectorLogic, SessionAggregatorIsBounded) {
  SessionAggregatorOptions o;
  o.ttl_s = 10;
  o.max_ips = 2;
  o.max_commands_per_ip = 3;
  int published = 0;
  SessionAggregator agg(
      o, [&](std::string_view, std::string_view, const std::string&) { ++published; });
  Lines l;
  agg.Add(l.Get("<14>1 2026-05-02T06:00:00Z S bash - - - CMD src=1.1.1.1 cmd=old"));
  agg.Add(l.Get("<14>1 2026-05-02T06:00:30Z S bash - - - CMD src=1.1.1.1 cmd=fresh"));
  EXPECT_EQ(agg.commands("1.1.1.1"), 1u);  // TTL by event time
  for (int i = 0; i < 5; ++i) {
    agg.Add(
        l.Get("<14>1 2026-05-02T06:00:31Z S bash - - - CMD src=1.1.1.1 cmd=c" + std::to_string(i)));
  }
  EXPECT_EQ(agg.commands("1.1.1.1"), 3u);
  agg.Add(l.Get("<14>1 2026-05-02T06:00:31Z S bash - - - CMD src=2.2.2.2 cmd=x"));
  agg.Add(l.Get("<14>1 2026-05-02T06:00:31Z S bash - - - CMD src=3.3.3.3 cmd=x"));
  EXPECT_EQ(agg.ips(), 2u);
  EXPECT_EQ(agg.stats().evicted_ips, 1u);
  // Unknown IP and unparsed timestamps are ignored.
  agg.Add(l.Get("<14>1 2026-05-02T06:00:31Z S bash - - - CMD cmd=x"));
  agg.Add(l.Get("<14>1 garbage S bash - - - CMD src=4.4.4.4 cmd=x"));
  EXPECT_EQ(agg.commands("4.4.4.4"), 0u);
  EXPECT_EQ(published, 0);
}

// Issue 14, finding 11, the measured case: 20,000 command lines of 15.8 KB from 4,000 IPv6 sources
// grew the collector from 1.5 MB to 316 MB PSS (counts were bounded, bytes were not). One byte
// budget now bounds the whole index, and each text is cut at 512 B.
TEST(SyslogCollectorLogic, SessionAggregatorHasOneByteBudget) {
  SessionAggregatorOptions o;  // the defaults: 4,096 IPs x 256 commands, 4 MiB, 512 B per text
  SessionAggregator agg(o, [](std::string_view, std::string_view, const std::string&) {});
  DecnetParser p;
  DecnetRecord r;
  const std::string big(15800, 'x');
  std::string line;
  for (int i = 0; i < 20000; ++i) {
    char ip[64];
    std::snprintf(ip, sizeof ip, "2001:db8::%x:%x", i % 4000, i / 4000);
    line =
        "<14>1 2026-05-02T06:00:00Z S bash - - - CMD src=[" + std::string(ip) + "]:22 cmd=" + big;
    ASSERT_TRUE(p.Parse(line, &r));
    ASSERT_EQ(r.event_type, "command");
    agg.Add(r);
    ASSERT_LE(agg.bytes(), o.max_bytes) << "after " << i;
  }
  EXPECT_EQ(agg.stats().commands_indexed, 20000u);
  EXPECT_EQ(agg.stats().truncated_commands, 20000u);
  EXPECT_GT(agg.stats().evicted_for_bytes, 0u);
  // What is kept is bounded by bytes, not by 4,096 x 256 x 15.8 KB.
  EXPECT_LT(agg.ips(), 4000u);
  // A session that ends publishes the kept (truncated) text, and frees it.
  int got = 0;
  std::string payload;
  SessionAggregator one(o, [&](std::string_view, std::string_view, const std::string& pl) {
    ++got;
    payload = pl;
  });
  line = "<14>1 2026-05-02T06:00:00Z S bash - - - CMD src=9.9.9.9 cmd=" + big;
  ASSERT_TRUE(p.Parse(line, &r));
  one.Add(r);
  const size_t with_one = one.bytes();
  line =
      R"(<14>1 2026-05-02T06:00:05Z S ssh - session_recorded [relay@55555 src_ip="9.9.9.9" duration_s="60"])";
  ASSERT_TRUE(p.Parse(line, &r));
  one.Add(r);
  ASSERT_EQ(got, 1);
  EXPECT_NE(payload.find("\"command_text\":\"" + std::string(512, 'x') + "\""), std::string::npos);
  EXPECT_LT(one.bytes(), with_one);
}

// Issue 14, finding 11, the other measured case: 10,000 `connect` lines whose only "IP" was a
// 15.8 KB non-address token grew the collector from 1.8 MB to 165 MB: each token became a
// rate-limit key. Keys are now parsed addresses (or "Unknown"), so the map holds one small key.
TEST(SyslogCollectorLogic, RateLimitKeysAreParsedAddressesOnly) {
  IngestFilterOptions o;
  IngestFilter f(o);
  DecnetParser p;
  DecnetRecord r;
  std::string line;
  for (int i = 0; i < 10000; ++i) {
    line = "<134>1 - d smtp - connect - src_ip=" + std::to_string(i) + std::string(15800, 'Z');
    ASSERT_TRUE(p.Parse(line, &r));
    ASSERT_EQ(r.attacker_ip, "Unknown");
    f.Admit(r, 1000.0 + i * 1e-3);
  }
  EXPECT_EQ(f.keys(), 1u);
  EXPECT_GE(f.stats().rate_limited, 9990u);
}

// Issue 14, finding 12: a backlog replayed in one burst (a forwarder after an outage) keeps its
// real events: the window is measured on each event's own timestamp when it is sane.
TEST(SyslogCollectorLogic, RateLimitUsesTheEventsOwnTimeWhenSane) {
  IngestFilter f(IngestFilterOptions{});
  DecnetParser p;
  DecnetRecord r;
  std::deque<std::string> keep;
  const double now = 1777701600.0;  // 2026-05-02T06:00:00Z, the arrival time of the whole burst
  auto admit = [&](const std::string& line, double at) {
    keep.push_back(line);
    EXPECT_TRUE(p.Parse(keep.back(), &r));
    return f.Admit(r, at);
  };
  // Ten connects, 5 s apart an hour ago, all arriving in the same millisecond: all are real.
  int admitted = 0;
  for (int i = 0; i < 10; ++i) {
    char ts[32];
    std::snprintf(ts, sizeof ts, "2026-05-02T05:00:%02dZ", i * 5);
    admitted +=
        admit(std::string("<134>1 ") + ts + R"( d ssh - connect [relay@55555 src_ip="1.2.3.4"])",
              now + i * 1e-4);
  }
  EXPECT_EQ(admitted, 10);
  // Two in the same second of event time are still one.
  EXPECT_FALSE(admit(
      R"(<134>1 2026-05-02T05:00:45.5Z d ssh - connect [relay@55555 src_ip="1.2.3.4"])", now));
  EXPECT_EQ(f.stats().rate_limited_event_time, 1u);
  // No timestamp, or one from the far future or past: the arrival clock decides, and it is counted.
  EXPECT_TRUE(admit(R"(<134>1 - d ssh - connect [relay@55555 src_ip="5.5.5.5"])", now));
  EXPECT_FALSE(admit(
      R"(<134>1 2030-01-01T00:00:00Z d ssh - connect [relay@55555 src_ip="5.5.5.5"])", now + 0.5));
  EXPECT_FALSE(admit(
      R"(<134>1 1999-01-01T00:00:00Z d ssh - connect [relay@55555 src_ip="5.5.5.5"])", now + 0.6));
  EXPECT_TRUE(admit(R"(<134>1 - d ssh - connect [relay@55555 src_ip="5.5.5.5"])", now + 1.5));
  EXPECT_EQ(f.stats().arrival_clock, 4u);
  EXPECT_EQ(f.stats().rate_limited_arrival_time, 2u);
  EXPECT_EQ(f.stats().rate_limited, 3u);
}

}  // namespace
}  // namespace decnet::syslog
