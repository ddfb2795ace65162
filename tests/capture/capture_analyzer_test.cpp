// The analyzer end to end on built packets: reassembly (out of order, overlap, caps), bounds and
// eviction counters, SYN fingerprints, SSH and HTTP.
#include <gtest/gtest.h>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/dedup.h"
#include "decnet/capture/deckies.h"
#include "decnet/capture/event_format.h"
#include "decnet/capture/reassembly.h"
#include "decnet/capture/ssh.h"
#include "decnet/capture/tcpfp.h"
#include "packet_builder.h"

namespace decnet::capture {
namespace {
using namespace testing;

struct Harness {
  std::vector<Event> events;
  Analyzer a;
  explicit Harness(AnalyzerOptions o = {}) : a(o, [this](const Event& e) { events.push_back(e); }) {}
  void Feed(const Buf& frame, double ts = 1.0) {
    DecodedPacket p;
    ASSERT_EQ(Decode(kLinkRaw, frame, p), DecodeStatus::kOk);
    a.OnPacket(ts, p);
  }
  const Event* Find(const std::string& type) const {
    for (const Event& e : events)
      if (e.type == type) return &e;
    return nullptr;
  }
};

Buf Seg(uint32_t seq, const Buf& payload, uint8_t flags = 0x18, uint32_t src = 0x0A000001,
        uint32_t dst = 0x0A000002, uint16_t sport = 40000, uint16_t dport = 443) {
  TcpSpec t;
  t.seq = seq;
  t.payload = payload;
  t.flags = flags;
  t.sport = sport;
  t.dport = dport;
  return Ipv4(Tcp(t), 6, src, dst);
}

Buf Hello() {
  return ClientHelloRecord({0x1301, 0x1302, 0xc02b}, {{0, SniExt("reassembled.test")}});
}

TEST(CaptureAnalyzer, ClientHelloInOrderSegments) {
  Harness h;
  Buf ch = Hello();
  h.Feed(Seg(99, {}, 0x02));
  h.Feed(Seg(100, Buf(ch.begin(), ch.begin() + 20)));
  EXPECT_EQ(h.Find("tls_client_hello"), nullptr);
  h.Feed(Seg(120, Buf(ch.begin() + 20, ch.end())));
  const Event* e = h.Find("tls_client_hello");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e->Get("sni"), "reassembled.test");
  EXPECT_EQ(*e->Get("src_ip"), "10.0.0.1");
}

TEST(CaptureAnalyzer, OutOfOrderAndOverlap) {
  Harness h;
  Buf ch = Hello();
  size_t third = ch.size() / 3;
  h.Feed(Seg(99, {}, 0x02));
  h.Feed(Seg(100 + uint32_t(2 * third), Buf(ch.begin() + 2 * third, ch.end())));
  // An overlapping segment with different bytes: the first bytes stored win.
  Buf evil(ch.begin() + third - 5, ch.begin() + 2 * third + 5);
  Buf first(ch.begin(), ch.begin() + third);
  h.Feed(Seg(100, first));
  Buf mid(ch.begin() + third, ch.begin() + 2 * third);
  h.Feed(Seg(100 + uint32_t(third), mid));
  h.Feed(Seg(100 + uint32_t(third) - 5, Buf(evil.size(), 0xEE)));  // late overlap, ignored
  const Event* e = h.Find("tls_client_hello");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e->Get("sni"), "reassembled.test");
  // The client's bytes are kept for a possible second hello until application data shows up.
  h.Feed(Seg(100 + uint32_t(ch.size()), Buf{23, 3, 3, 0, 1, 0}));
  EXPECT_EQ(h.a.stats().stream_bytes, 0u) << "buffers are released once the handshake is over";
}

TEST(CaptureAnalyzer, SequenceWrapAround) {
  Harness h;
  Buf ch = Hello();
  uint32_t isn = 0xFFFFFFF0;
  h.Feed(Seg(isn, {}, 0x02));
  h.Feed(Seg(isn + 1, Buf(ch.begin(), ch.begin() + 30)));
  h.Feed(Seg(isn + 31, Buf(ch.begin() + 30, ch.end())));
  ASSERT_NE(h.Find("tls_client_hello"), nullptr);
}

TEST(CaptureAnalyzer, PerFlowCapStopsBuffering) {
  AnalyzerOptions o;
  o.stream_cap = 64;
  Harness h(o);
  Buf ch = Hello();  // larger than 64 bytes
  ASSERT_GT(ch.size(), 64u);
  h.Feed(Seg(99, {}, 0x02));
  h.Feed(Seg(100, ch));
  EXPECT_EQ(h.Find("tls_client_hello"), nullptr);
  EXPECT_EQ(h.a.stats().stream_bytes, 0u);
}

TEST(CaptureAnalyzer, GlobalBudgetRefusesAndCounts) {
  AnalyzerOptions o;
  o.stream_budget = 100;
  Harness h(o);
  for (uint16_t port = 1; port <= 10; ++port) {
    h.Feed(Seg(100, Buf(40, 22), 0x18, 0x0A000001, 0x0A000002, uint16_t(50000 + port)));
  }
  AnalyzerStats s = h.a.stats();
  EXPECT_LE(s.stream_bytes, 100u);
  EXPECT_GT(s.segments_over_budget, 0u);
}

TEST(CaptureAnalyzer, FlowTableBoundEvictsAndCounts) {
  AnalyzerOptions o;
  o.max_flows = 16;
  o.max_ipid_sources = 8;
  Harness h(o);
  for (uint32_t i = 0; i < 1000; ++i) h.Feed(Seg(i, {}, 0x02, 0x0B000000 + i));
  AnalyzerStats s = h.a.stats();
  EXPECT_EQ(s.flows, 16u);
  EXPECT_EQ(s.flows_evicted, 1000u - 16u);
  EXPECT_EQ(s.ipid_sources_evicted, 1000u - 8u);
  EXPECT_EQ(h.events.size(), 1000u);  // one tcp_syn_fingerprint each, no timing for bare SYNs
}

TEST(CaptureAnalyzer, SynFingerprintFields) {
  Harness h;
  TcpSpec t;
  t.flags = 0x02;
  t.seq = 12345;
  t.window = 64240;
  t.options = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 7};
  h.Feed(Ipv4(Tcp(t), 6, 0x0A000001, 0x0A000002, 57));
  const Event* e = h.Find("tcp_syn_fingerprint");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e->Get("ttl"), "57");
  EXPECT_EQ(*e->Get("initial_ttl"), "64");
  EXPECT_EQ(*e->Get("hop_distance"), "7");
  EXPECT_EQ(*e->Get("mss"), "1460");
  EXPECT_EQ(*e->Get("wscale"), "7");
  EXPECT_EQ(*e->Get("options_sig"), "mss,sok,ts,nop,ws");
  EXPECT_EQ(*e->Get("options"), "mss=1460,sok,ts=9/0,nop,ws=7");
  EXPECT_EQ(*e->Get("p0f_sig"), "4:64+7:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0");
}

TEST(CaptureAnalyzer, FlowTimingOnFin) {
  Harness h;
  h.Feed(Seg(99, {}, 0x02), 1.0);
  h.Feed(Seg(5000, {}, 0x12, 0x0A000002, 0x0A000001, 443, 40000), 1.1);
  h.Feed(Seg(100, {1, 2, 3}), 1.2);
  h.Feed(Seg(100, {1, 2, 3}), 1.5);  // retransmission
  h.Feed(Seg(103, {}, 0x11), 2.5);
  const Event* e = h.Find("tcp_flow_timing");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e->Get("packets"), "5");
  EXPECT_EQ(*e->Get("retransmits"), "1");
  EXPECT_EQ(*e->Get("duration_s"), "1.5");
  EXPECT_EQ(*e->Get("src_port"), "40000");
}

TEST(CaptureAnalyzer, IdleFlowsExpire) {
  AnalyzerOptions o;
  o.flow_idle_timeout = 10;
  Harness h(o);
  h.Feed(Seg(99, {}, 0x02), 100.0);
  h.a.Expire(105);
  EXPECT_EQ(h.a.stats().flows, 1u);
  h.a.Expire(111);
  EXPECT_EQ(h.a.stats().flows, 0u);
  EXPECT_EQ(h.a.stats().flows_expired, 1u);
}

TEST(CaptureAnalyzer, SshBannersAndHassh) {
  Harness h;
  std::string kex_payload;
  kex_payload.push_back(20);
  kex_payload += std::string(16, 'c');
  auto list = [&](const std::string& s) {
    Buf b;
    Put32(b, uint32_t(s.size()));
    kex_payload.append(b.begin(), b.end());
    kex_payload += s;
  };
  for (const char* s : {"curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes256-ctr", "hmac-sha2-256",
                        "hmac-sha2-512", "none", "zlib", "", ""})
    list(s);
  kex_payload += std::string(5, '\0');
  Buf pkt;
  uint8_t pad = 4;
  Put32(pkt, uint32_t(1 + kex_payload.size() + pad));
  pkt.push_back(pad);
  Append(pkt, kex_payload);
  pkt.resize(pkt.size() + pad, 0);
  Buf client;
  Append(client, std::string("SSH-2.0-Evil_1.0\r\n"));
  Append(client, pkt);
  h.Feed(Seg(99, {}, 0x02, 0x0A000001, 0x0A000002, 40000, 22));
  h.Feed(Seg(100, client, 0x18, 0x0A000001, 0x0A000002, 40000, 22));
  const Event* b = h.Find("ssh_client_banner");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(*b->Get("ssh_version"), "SSH-2.0-Evil_1.0");
  const Event* k = h.Find("ssh_client_kexinit");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(*k->Get("hassh_algorithms"), "curve25519-sha256;aes128-ctr;hmac-sha2-256;none");
}

TEST(CaptureAnalyzer, HostileSshAndHttp) {
  std::string banner;
  EXPECT_EQ(ParseSshBanner(Buf{'S', 'S', 'H'}, &banner), 0u);
  EXPECT_EQ(ParseSshBanner(Buf{'S', 'X'}, &banner), SIZE_MAX);
  EXPECT_EQ(ParseSshBanner(Buf(300, 'S'), &banner), SIZE_MAX);
  Buf longline = {'S', 'S', 'H', '-'};
  longline.resize(400, 'a');
  EXPECT_EQ(ParseSshBanner(longline, &banner), SIZE_MAX);
  SshKexInit k;
  bool inc;
  EXPECT_FALSE(ParseSshKexInit(Buf{0xff, 0xff, 0xff, 0xff, 0}, k, &inc));
  EXPECT_FALSE(inc);
  EXPECT_FALSE(ParseSshKexInit(Buf{0, 0, 0, 20, 4, 20}, k, &inc));
  EXPECT_TRUE(inc);
  Harness h;
  h.Feed(Seg(100, Buf{'G', 'E', 'T', ' ', '/', '\r', '\n', '\r', '\n'}, 0x18, 0x0A000001, 0x0A000002,
             40000, 80));
  EXPECT_EQ(h.Find("http_request"), nullptr);  // no version: malformed, ignored
}

TEST(CaptureReassembly, StreamBufferRules) {
  StreamBudget budget;
  StreamBuffer b;
  b.SetBase(1000);
  Buf x = {1, 2, 3, 4};
  EXPECT_EQ(b.Add(1004, x, 64, budget), StreamBuffer::AddResult::kStored);
  EXPECT_TRUE(b.Contiguous().empty());
  EXPECT_EQ(b.Add(1000, x, 64, budget), StreamBuffer::AddResult::kStored);
  EXPECT_EQ(b.Contiguous().size(), 8u);
  EXPECT_EQ(b.Add(1000, x, 64, budget), StreamBuffer::AddResult::kDuplicate);
  EXPECT_EQ(b.Add(996, x, 64, budget), StreamBuffer::AddResult::kDuplicate);  // before the start
  EXPECT_EQ(b.Add(1064, x, 64, budget), StreamBuffer::AddResult::kBeyondCap);
  for (uint32_t i = 0; i < 20; ++i) b.Add(1010 + i * 2, Buf{9}, 64, budget);
  EXPECT_LE(budget.used, 64u);
  b.Release(budget);
  EXPECT_EQ(budget.used, 0u);
}

TEST(CaptureDedup, TtlAndBound) {
  DedupCache d(2, 10);
  EXPECT_FALSE(d.Seen("a", 0));
  EXPECT_TRUE(d.Seen("a", 5));
  EXPECT_FALSE(d.Seen("a", 16));
  EXPECT_FALSE(d.Seen("b", 16));
  EXPECT_FALSE(d.Seen("c", 16));
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.evicted(), 1u);
  EXPECT_EQ(d.suppressed(), 1u);
}

TEST(CaptureDeckies, ParseFleetJson) {
  auto m = DeckyMap::ParseJson(R"({"d1":["10.0.0.5","fd00::5"],"d2":"192.168.1.9"})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->size(), 3u);
  EXPECT_EQ(*m->Find(*ParseIp("fd00::5")), "d1");
  EXPECT_EQ(*m->Find(*ParseIp("192.168.1.9")), "d2");
  EXPECT_EQ(m->Find(*ParseIp("10.0.0.6")), nullptr);
  EXPECT_FALSE(DeckyMap::ParseJson(R"({"d1":["10.0.0.300"]})").has_value());
  EXPECT_FALSE(DeckyMap::ParseJson(R"({"d1":[5]})").has_value());
  EXPECT_FALSE(DeckyMap::ParseJson("[1]").has_value());
}

TEST(CaptureSequence, Classes) {
  EXPECT_EQ(ClassifySequence({1, 2}, 16), "unknown");
  EXPECT_EQ(ClassifySequence({0, 0, 0}, 16), "zero");
  EXPECT_EQ(ClassifySequence({7, 7, 7}, 16), "constant");
  EXPECT_EQ(ClassifySequence({65534, 65535, 0, 1}, 16), "incremental");  // wraps
  EXPECT_EQ(ClassifySequence({0x100, 0x200, 0x300}, 16), "incremental_by_256");
  EXPECT_EQ(ClassifySequence({0xdeadbeef, 0x12345678, 0x9abcdef0}, 32), "random");
}

TEST(CaptureEventFormat, Rfc5424AndCollectorRecord) {
  Event e;
  e.type = "tls_client_hello";
  e.fields = {{"src_ip", "fd00::1"}, {"sni", "a\"b]c\\d"}};
  std::string line = FormatRfc5424(e, "decky-01", 1700000000.5);
  EXPECT_EQ(line,
            "<134>1 2023-11-14T22:13:20.500000+00:00 decky-01 sniffer - tls_client_hello "
            "[relay@55555 src_ip=\"fd00::1\" sni=\"a\\\"b\\]c\\\\d\"]");
  std::string rec = CollectorRecord(e, "decky-01", 1700000000.5, line);
  EXPECT_NE(rec.find("\"timestamp\":\"2023-11-14 22:13:20\""), std::string::npos);
  EXPECT_NE(rec.find("\"attacker_ip\":\"fd00::1\""), std::string::npos);
  EXPECT_NE(rec.find("\"service\":\"sniffer\""), std::string::npos);
  EXPECT_NE(rec.find("\"fields\":{\"src_ip\":\"fd00::1\",\"sni\":\"a\\\"b]c\\\\d\"}"), std::string::npos);
}

TEST(CaptureP0f, ParseAndMatch) {
  std::string path = ::testing::TempDir() + "/p0f.fp";
  FILE* f = fopen(path.c_str(), "w");
  fputs("[tcp:request]\nlabel = s:unix:Linux:3.11 and newer\n"
        "sig   = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0\n"
        "sig   = broken\n[tcp:response]\nlabel = s:unix:Linux:3.x\n"
        "sig   = *:64:0:*:mss*10,0:mss:df:0\n", f);
  fclose(f);
  P0fDatabase db;
  std::string err;
  ASSERT_TRUE(db.Load(path, &err)) << err;
  EXPECT_EQ(db.size(), 2u);
  EXPECT_EQ(db.skipped(), 1u);
  DecodedPacket p;
  TcpSpec t;
  t.flags = 0x02;
  t.window = 29200;
  t.options = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 10};
  Buf pkt = Ipv4(Tcp(t), 6, 1, 2, 61);
  ASSERT_EQ(Decode(kLinkRaw, pkt, p), DecodeStatus::kOk);
  TcpFingerprint fp = FingerprintSyn(p);
  EXPECT_EQ(db.Match(fp, 4, false), "s:unix:Linux:3.11 and newer");
  EXPECT_EQ(db.Match(fp, 4, true), "");
  EXPECT_FALSE(db.Load("/nonexistent/p0f.fp", &err));
}

}  // namespace
}  // namespace decnet::capture
