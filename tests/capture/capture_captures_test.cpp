// Every shared capture against the values its authors published: JA3 vs Zeek's ssl.log, JA4/JA4S/JA4H/
// JA4L/JA4X vs FoxIO's .expected.json, HASSH vs the ssh_extras, JA4SSH vs FoxIO's reference output.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/offline.h"
#include "decnet/core/json.h"

namespace decnet::capture {
namespace {

const std::string kCaptures = std::string(DECNET_SOURCE_DIR) + "/tests/data/captures";

std::vector<Event> RunCapture(const std::string& path, bool foxio = true) {
  std::vector<Event> events;
  AnalyzerOptions o;
  o.foxio_licensed = foxio;
  Analyzer a(o, [&](const Event& e) { events.push_back(e); });
  auto st = RunOffline(path, a);
  EXPECT_TRUE(st.has_value()) << path;
  return events;
}

std::string Field(const Event& e, const char* k) {
  const std::string* v = e.Get(k);
  return v ? *v : std::string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& p) { return std::ifstream(p).good(); }

TEST(CaptureShared, Ja3MatchesZeekBaselines) {
  for (const char* name : {"ssl-chrome", "ssl-curl"}) {
    std::string pcap = kCaptures + "/ja3/" + name + ".pcap";
    ASSERT_TRUE(Exists(pcap)) << "capture missing from tests/data/captures: " << pcap;
    std::vector<Event> ev = RunCapture(pcap);
    // Zeek ssl.log: tab-separated, ja3 is the last column; id.orig_p the 4th.
    std::istringstream log(ReadFile(kCaptures + "/ja3/" + name + ".zeek-ssl.log"));
    std::string line;
    int checked = 0;
    while (std::getline(log, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cols;
      std::stringstream ls(line);
      std::string c;
      while (std::getline(ls, c, '\t')) cols.push_back(c);
      ASSERT_GE(cols.size(), 5u);
      std::string orig_h = cols[2], orig_p = cols[3], ja3 = cols.back();
      bool found = false;
      for (const Event& e : ev) {
        if (e.type == "tls_client_hello" && Field(e, "src_ip") == orig_h &&
            Field(e, "src_port") == orig_p) {
          EXPECT_EQ(Field(e, "ja3"), ja3) << name << " " << orig_p;
          found = true;
        }
      }
      EXPECT_TRUE(found) << name << ": no ClientHello from " << orig_h << ":" << orig_p;
      // Columns 16/17: the server certificate's subject and issuer, as Zeek prints them.
      std::string subject = cols[16], issuer = cols[17];
      if (subject != "-") {
        bool cert = false;
        for (const Event& e : ev) {
          if (e.type == "tls_certificate" && Field(e, "src_port") == orig_p) {
            EXPECT_EQ(Field(e, "subject"), subject) << name;
            EXPECT_EQ(Field(e, "issuer"), issuer) << name;
            EXPECT_EQ(Field(e, "self_signed"), "false");
            cert = true;
          }
        }
        EXPECT_TRUE(cert) << name << ": no certificate event";
      }
      ++checked;
    }
    EXPECT_GT(checked, 0) << name;
  }
}

// JA4L-C where FoxIO's published .expected.json (written by their Python tool) and the JA4L
// specification disagree. The spec (technical_details/JA4L.md) takes C = the client's ACK that completes
// the handshake; FoxIO's Python overwrites C with every later packet whose relative seq and ack are both
// 1 (the ClientHello, a server banner), except HTTP ones, so its value is ((that packet - B) / 2).
// FoxIO's Rust tool follows the spec; these are its published values (rust/ja4/src/snapshots/
// ja4__insta@<capture>.snap; ipv6.pcapng holds the same packets as tls-alpn-h2.pcap). We assert the
// spec value, the published TTL, and that the Python value is never earlier than the spec's C.
const std::map<std::string, std::string> kJa4lcSpec = {
    {"badcurveball.pcap", "2177_64"},   {"gre-sample.pcap", "36_255"},
    {"http-empty-useragent.pcap", "5_64"}, {"http1-with-cookies.pcapng", "14_64"},
    {"ipv6.pcapng", "35_64"},            {"macos_tcp_flags.pcap", "62_64"},
    {"ssh2-malformed.pcap", "7_64"},     {"tls-alpn-h2.pcap", "35_64"},
};

std::pair<long, std::string> SplitJa4l(const std::string& v) {
  size_t u = v.find('_');
  if (u == std::string::npos) return {-1, ""};
  return {std::stol(v.substr(0, u)), v.substr(u + 1)};
}

// Compares our ja4l_c/ja4l_s with a published pair. Tunnelled captures: FoxIO reads the TTL of the
// outermost IP header (tshark's first ip.ttl), the decoder keeps the innermost one (the peer's own), so
// for them only the latency part is compared.
void CompareJa4l(const std::string& capture, const Event& e, const std::string& pub_c,
                 const std::string& pub_s, bool tunnelled) {
  auto [ours_s, ours_s_ttl] = SplitJa4l(Field(e, "ja4l_s"));
  auto [pub_s_us, pub_s_ttl] = SplitJa4l(pub_s);
  EXPECT_EQ(ours_s, pub_s_us) << capture << " JA4L-S";
  if (!tunnelled) {
    EXPECT_EQ(ours_s_ttl, pub_s_ttl) << capture << " JA4L-S TTL";
  }
  auto spec = kJa4lcSpec.find(capture);
  ASSERT_NE(spec, kJa4lcSpec.end()) << capture << ": a JA4L-C without a reference value";
  auto [ours_c, ours_c_ttl] = SplitJa4l(Field(e, "ja4l_c"));
  auto [spec_c, spec_c_ttl] = SplitJa4l(spec->second);
  auto [pub_c_us, pub_c_ttl] = SplitJa4l(pub_c);
  EXPECT_EQ(ours_c, spec_c) << capture << " JA4L-C (spec)";
  EXPECT_LE(ours_c, pub_c_us) << capture << " the Python C is at or after the handshake ACK";
  if (!tunnelled) {
    EXPECT_EQ(ours_c_ttl, pub_c_ttl) << capture << " JA4L-C TTL";
    EXPECT_EQ(ours_c_ttl, spec_c_ttl) << capture << " JA4L-C TTL";
  }
}

std::vector<std::string> ExpectedFiles() {
  std::vector<std::string> out;
  DIR* d = opendir((kCaptures + "/ja4").c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 14 && n.substr(n.size() - 14) == ".expected.json") out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// Compares every JA4/JA4S/HASSH value of every .expected.json with our events for the same endpoints.
TEST(CaptureShared, Ja4FamilyMatchesFoxioExpected) {
  auto files = ExpectedFiles();
  ASSERT_FALSE(files.empty()) << "no .expected.json under " << kCaptures << "/ja4";
  int compared = 0, ja4l = 0, ja4x = 0;
  for (const std::string& exp_name : files) {
    std::string capture = exp_name.substr(0, exp_name.size() - 14);
    std::string pcap = kCaptures + "/ja4/" + capture;
    SCOPED_TRACE(pcap);
    std::vector<Event> ev = RunCapture(pcap);
    rapidjson::Document doc;
    ASSERT_TRUE(json::Parse(ReadFile(kCaptures + "/ja4/" + exp_name), doc, {8 << 20, 32}).has_value());
    ASSERT_TRUE(doc.IsArray());
    for (const auto& rec : doc.GetArray()) {
      std::string src = std::string(json::GetString(rec, "src"));
      std::string sport = std::string(json::GetString(rec, "srcport"));
      std::string dport = std::string(json::GetString(rec, "dstport"));
      // FoxIO names the outermost addresses (tshark's first ip.src), we name the innermost (a GRE
      // tunnel's payload): match on the ports, preferring an event whose address matches too.
      auto find = [&](const char* type) -> const Event* {
        const Event* by_port = nullptr;
        for (const Event& e : ev) {
          if (e.type != type) continue;
          bool fwd = Field(e, "src_port") == sport && Field(e, "dst_port") == dport;
          bool rev = Field(e, "dst_port") == sport && Field(e, "src_port") == dport;
          if (!fwd && !rev) continue;
          if (Field(e, fwd ? "src_ip" : "dst_ip") == src) return &e;
          if (!by_port) by_port = &e;
        }
        return by_port;
      };
      if (rec.HasMember("JA4.1")) {
        const Event* e = find("tls_client_hello");
        ASSERT_NE(e, nullptr) << "no ClientHello for " << src << ":" << sport;
        EXPECT_EQ(Field(*e, "ja4"), json::GetString(rec, "JA4.1"));
        EXPECT_EQ(Field(*e, "ja4_r"), json::GetString(rec, "JA4_r.1"));
        EXPECT_EQ(Field(*e, "ja4_o"), json::GetString(rec, "JA4_o.1"));
        EXPECT_EQ(Field(*e, "ja4_ro"), json::GetString(rec, "JA4_ro.1"));
        if (rec.HasMember("domain")) {
          EXPECT_EQ(Field(*e, "sni"), json::GetString(rec, "domain"));
        }
        ++compared;
      }
      if (rec.HasMember("JA4.2")) {
        // The second ClientHello after a HelloRetryRequest.
        const Event* second = nullptr;
        for (const Event& e : ev) {
          if (e.type == "tls_client_hello" && Field(e, "client_hello_index") == "2" &&
              (Field(e, "src_port") == sport || Field(e, "dst_port") == sport)) {
            second = &e;
          }
        }
        ASSERT_NE(second, nullptr) << "no second ClientHello for " << src << ":" << sport;
        EXPECT_EQ(Field(*second, "ja4"), json::GetString(rec, "JA4.2"));
        EXPECT_EQ(Field(*second, "ja4_r"), json::GetString(rec, "JA4_r.2"));
        EXPECT_EQ(Field(*second, "ja4_o"), json::GetString(rec, "JA4_o.2"));
        EXPECT_EQ(Field(*second, "ja4_ro"), json::GetString(rec, "JA4_ro.2"));
        ++compared;
      }
      if (rec.HasMember("JA4S")) {
        const Event* e = find("tls_session");
        ASSERT_NE(e, nullptr) << "no ServerHello for " << src << ":" << sport;
        EXPECT_EQ(Field(*e, "ja4s"), json::GetString(rec, "JA4S"));
        EXPECT_EQ(Field(*e, "ja4s_r"), json::GetString(rec, "JA4S_r"));
        ++compared;
      }
      if (rec.HasMember("JA4H")) {
        const Event* e = find("http_request");
        ASSERT_NE(e, nullptr) << "no HTTP request for " << src << ":" << sport;
        EXPECT_EQ(Field(*e, "ja4h"), json::GetString(rec, "JA4H"));
        EXPECT_EQ(Field(*e, "ja4h_ro"), json::GetString(rec, "JA4H_ro"));
        ++compared;
      }
      if (rec.HasMember("JA4L-S")) {
        const Event* e = find("tcp_flow_timing");
        ASSERT_NE(e, nullptr) << "no flow timing for " << src << ":" << sport;
        bool tunnelled = Field(*e, "src_ip") != src && Field(*e, "dst_ip") != src;
        CompareJa4l(capture, *e, std::string(json::GetString(rec, "JA4L-C")),
                    std::string(json::GetString(rec, "JA4L-S")), tunnelled);
        // The ClientHello carries the same pair.
        if (const Event* ch = find("tls_client_hello")) {
          EXPECT_EQ(Field(*ch, "ja4l_c"), Field(*e, "ja4l_c"));
          EXPECT_EQ(Field(*ch, "ja4l_s"), Field(*e, "ja4l_s"));
        }
        ++ja4l;
      }
      if (rec.HasMember("JA4X.1")) {
        const Event* e = find("tls_certificate");
        ASSERT_NE(e, nullptr) << "no certificate for " << src << ":" << sport;
        std::vector<std::string> chain;
        std::stringstream cs(Field(*e, "ja4x_chain"));
        for (std::string item; std::getline(cs, item, ',');) chain.push_back(item);
        int n = 1;
        for (;; ++n) {
          std::string key = "JA4X." + std::to_string(n);
          if (!rec.HasMember(key.c_str())) break;
          ASSERT_GE(chain.size(), size_t(n)) << "chain too short for " << key;
          EXPECT_EQ(chain[n - 1], json::GetString(rec, key.c_str())) << key;
          ++ja4x;
        }
        EXPECT_EQ(chain.size(), size_t(n - 1)) << "certificates FoxIO did not list";
        EXPECT_EQ(Field(*e, "ja4x"), json::GetString(rec, "JA4X.1"));
      }
      if (rec.HasMember("ssh_extras")) {
        const auto& x = rec["ssh_extras"];
        if (x.HasMember("hassh")) {
          const Event* e = find("ssh_client_kexinit");
          ASSERT_NE(e, nullptr) << "no client KEXINIT for " << src << ":" << sport;
          EXPECT_EQ(Field(*e, "hassh"), json::GetString(x, "hassh"));
          ++compared;
        }
        if (x.HasMember("hassh_server")) {
          const Event* e = find("ssh_server_kexinit");
          ASSERT_NE(e, nullptr) << "no server KEXINIT for " << src << ":" << sport;
          EXPECT_EQ(Field(*e, "hassh_server"), json::GetString(x, "hassh_server"));
          ++compared;
        }
        if (x.HasMember("ssh_protocol_client")) {
          const Event* e = find("ssh_client_banner");
          ASSERT_NE(e, nullptr);
          EXPECT_EQ(Field(*e, "ssh_version"), json::GetString(x, "ssh_protocol_client"));
        }
        if (x.HasMember("ssh_protocol_server")) {
          const Event* e = find("ssh_server_banner");
          ASSERT_NE(e, nullptr);
          EXPECT_EQ(Field(*e, "ssh_version"), json::GetString(x, "ssh_protocol_server"));
        }
      }
    }
  }
  EXPECT_GT(compared, 100);
  // Every published value: 8 JA4L pairs, 20 JA4X (badcurveball 2, ipv6 2, tls-alpn-h2 2,
  // tls-handshake 14 over 6 chains).
  EXPECT_EQ(ja4l, 8);
  EXPECT_EQ(ja4x, 20);
}

// JA4SSH: no value in the .expected.json files. FoxIO's Rust tool publishes one per SSH capture
// (rust/ja4/src/snapshots): gre-sample.pcap "c24s23_c4s4_c6s4", which we equal. For ssh2-malformed.pcap
// its snapshot predates its own tie rule (the mode's ties go to the smaller length, their
// min_key_with_max_value test uses exactly this capture's lengths: client {21,16,64,144,24,48,792} -> 16,
// server {23,152,48,640,464} -> 23), and tshark stops dissecting the server's 80-byte segment 21 as SSH
// after the malformed DH reply, so FoxIO counts 5 server SSH packets where there are 6.
TEST(CaptureShared, Ja4SshOfSshCaptures) {
  struct Case {
    const char* capture;
    const char* ja4ssh;
  } cases[] = {{"gre-sample.pcap", "c24s23_c4s4_c6s4"}, {"ssh2-malformed.pcap", "c16s23_c7s6_c3s4"}};
  for (const Case& c : cases) {
    std::string pcap = kCaptures + "/ja4/" + c.capture;
    if (!Exists(pcap)) GTEST_SKIP() << pcap;
    std::vector<Event> ev = RunCapture(pcap);
    std::vector<const Event*> fps;
    for (const Event& e : ev)
      if (e.type == "ssh_session_fingerprint") fps.push_back(&e);
    ASSERT_EQ(fps.size(), 1u) << c.capture << ": one partial window (fewer than 200 SSH packets)";
    const std::string& v = Field(*fps[0], "ja4ssh");
    EXPECT_TRUE(std::regex_match(v, std::regex("c[0-9]+s[0-9]+_c[0-9]+s[0-9]+_c[0-9]+s[0-9]+"))) << v;
    EXPECT_EQ(v, c.ja4ssh) << c.capture;
    EXPECT_EQ(Field(*fps[0], "ja4ssh_window"), "1");
    EXPECT_EQ(Field(*fps[0], "dst_port"), "22");
    for (const Event& e : RunCapture(pcap, false)) EXPECT_NE(e.type, "ssh_session_fingerprint");
  }
}

// FoxIO's expected file for this capture is empty (their tool does not decrypt QUIC); the value is the
// Chrome QUIC JA4 their README publishes for it.
TEST(CaptureShared, QuicInitialGivesChromeJa4) {
  std::string pcap = kCaptures + "/ja4/quic-tls-handshake.pcapng";
  if (!Exists(pcap)) GTEST_SKIP();
  std::vector<Event> ev = RunCapture(pcap);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "quic_client_hello");
  EXPECT_EQ(Field(ev[0], "ja4"), "q13d0310h3_55b375c5d22e_cd85d2d88918");
  EXPECT_EQ(Field(ev[0], "sni"), "www.google.com");
}

TEST(CaptureShared, FoxioLicensedOffByDefault) {
  for (const char* name : {"tls12.pcap", "badcurveball.pcap", "gre-sample.pcap"}) {
    std::string pcap = kCaptures + "/ja4/" + name;
    if (!Exists(pcap)) GTEST_SKIP();
    for (const Event& e : RunCapture(pcap, false)) {
      for (const char* k : {"ja4s", "ja4h", "ja4l_c", "ja4l_s", "ja4x", "ja4x_chain", "ja4ssh"})
        EXPECT_EQ(e.Get(k), nullptr) << name << " " << e.type << " " << k;
    }
  }
}

}  // namespace
}  // namespace decnet::capture
