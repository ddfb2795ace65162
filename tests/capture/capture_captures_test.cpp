// Every shared capture against the values its authors published: JA3 vs Zeek's ssl.log, JA4/JA4S vs
// FoxIO's .expected.json, HASSH vs the ssh_extras.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "decnet/capture/analyzer.h"
#include "decnet/capture/offline.h"
#include "decnet/core/json.h"

namespace decnet::capture {
namespace {

const std::string kCaptures = std::string(DECNET_SOURCE_DIR) + "/../shared/captures";

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
    if (!Exists(pcap)) GTEST_SKIP() << "shared captures missing: " << pcap;
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
  if (files.empty()) GTEST_SKIP() << "shared captures missing";
  int compared = 0;
  for (const std::string& exp_name : files) {
    std::string pcap = kCaptures + "/ja4/" + exp_name.substr(0, exp_name.size() - 14);
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
  std::string pcap = kCaptures + "/ja4/tls12.pcap";
  if (!Exists(pcap)) GTEST_SKIP();
  for (const Event& e : RunCapture(pcap, false)) EXPECT_EQ(e.Get("ja4s"), nullptr);
}

}  // namespace
}  // namespace decnet::capture
