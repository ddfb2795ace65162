// INI deploy files: every kind of value, unknown keys by line, bad values, hostile inputs.
#include "decnet/topology/ini.h"

#include <gtest/gtest.h>

#include <string>

namespace decnet::topology {
int FuzzIni(const uint8_t* data, size_t size);
namespace {

const Setting* Find(const DeckySpec& d, const std::string& svc, const std::string& key) {
  auto it = d.settings.find(svc);
  if (it == d.settings.end()) return nullptr;
  for (const Setting& s : it->second)
    if (s.key == key) return &s;
  return nullptr;
}

TEST(TopologyIni, ReadsEveryKindOfValue) {
  const char* text =
      "[general]\n"
      "net=192.168.1.0/24\n"
      "gw=192.168.1.254\n"
      "interface=wlp6s0\n"
      "log_target=192.168.1.5:5140\n"
      "ipvlan=off\n"
      "\n"
      "; a comment\n"
      "[web-1]\n"
      "ip=192.168.1.82\n"
      "services=ssh, http\n"
      "nmap_os=bsd\n"
      "distro=rocky9\n"
      "\n"
      "[web-1.ssh]\n"
      "kernel_version=5.15.0-76-generic\n"
      "password_auth=false\n"
      "\n"
      "[web-1.http]\n"
      "response_code=404\n"
      "fake_app=wordpress\n"
      "http_versions=http/1.1,http/2,http/1.1\n"
      "custom_body=b64:aGVsbG8gd29ybGQ=\n"
      "\n"
      "[corp]\n"
      "archetype=windows-workstation\n"
      "amount=3\n";
  IniResult r = ParseIni(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics("t.ini", r.errors);
  EXPECT_TRUE(r.warnings.empty()) << FormatDiagnostics("t.ini", r.warnings);
  const IniConfig& c = r.config;
  EXPECT_EQ(c.subnet->ToString(), "192.168.1.0/24");
  EXPECT_EQ(FormatIpv4(*c.gateway), "192.168.1.254");
  EXPECT_EQ(c.interface, "wlp6s0");
  EXPECT_EQ(c.log_target, "192.168.1.5:5140");
  ASSERT_TRUE(c.ipvlan.has_value());
  EXPECT_FALSE(*c.ipvlan);
  ASSERT_EQ(c.deckies.size(), 4u);
  const DeckySpec& web = c.deckies[0];
  EXPECT_EQ(web.name, "web-1");
  EXPECT_EQ(FormatIpv4(*web.ip), "192.168.1.82");
  EXPECT_EQ(web.services.explicit_services, (std::vector<std::string>{"ssh", "http"}));
  EXPECT_EQ(web.os_profile, "bsd");
  EXPECT_EQ(web.distro, "rocky9");
  // A boolean false stays false (the original turned the string "false" into True).
  const Setting* pa = Find(web, "ssh", "password_auth");
  ASSERT_NE(pa, nullptr);
  EXPECT_EQ(pa->json, "false");
  EXPECT_EQ(pa->env, "false");
  EXPECT_EQ(Find(web, "ssh", "kernel_version")->json, "\"5.15.0-76-generic\"");
  EXPECT_EQ(Find(web, "http", "response_code")->json, "404");
  EXPECT_EQ(Find(web, "http", "fake_app")->env, "wordpress");
  EXPECT_EQ(Find(web, "http", "http_versions")->json, "[\"http/1.1\",\"http/2\"]");
  EXPECT_EQ(Find(web, "http", "custom_body")->env, "hello world");
  EXPECT_EQ(c.deckies[1].name, "corp-01");
  EXPECT_EQ(c.deckies[3].name, "corp-03");
  EXPECT_EQ(c.deckies[3].services.archetype, "windows-workstation");
}

TEST(TopologyIni, GroupSettingsApplyToExpandedDeckies) {
  IniResult r = ParseIni("[g.ssh]\nkernel_version=4.19\n[g]\nservices=ssh\namount=2\n");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics("t", r.errors);
  ASSERT_EQ(r.config.deckies.size(), 2u);
  for (const DeckySpec& d : r.config.deckies) EXPECT_NE(Find(d, "ssh", "kernel_version"), nullptr);
}

TEST(TopologyIni, UnknownKeysAreReportedByLine) {
  IniResult r = ParseIni(
      "[general]\nnet=10.0.0.0/"
      "24\ncolour=blue\n\n[d1]\nservices=ssh\nflavour=x\n[d1.ssh]\nshoe=9\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 3u);
  EXPECT_EQ(r.warnings[0].line, 3);
  EXPECT_NE(r.warnings[0].message.find("colour"), std::string::npos);
  EXPECT_EQ(r.warnings[1].line, 7);
  EXPECT_EQ(r.warnings[2].line, 9);
  EXPECT_NE(r.warnings[2].message.find("shoe"), std::string::npos);
  EXPECT_EQ(FormatDiagnostics("f.ini", {r.warnings[0]}).rfind("f.ini:3: ", 0), 0u);
}

TEST(TopologyIni, BadValuesAreErrorsWithLines) {
  struct Case {
    const char* text;
    int line;
    const char* needle;
  } cases[] = {
      {"[general]\nnet=10.0.0/24\n", 2, "net"},
      {"[general]\ngw=300.1.1.1\n", 2, "gw"},
      {"[general]\nipvlan=maybe\n", 2, "boolean"},
      {"[general]\nlog_target=nohost\n", 2, "host:port"},
      {"[d]\nservices=ssh,gopher\n", 2, "gopher"},
      {"[d]\narchetype=toaster\n", 2, "toaster"},
      {"[d]\namount=0\n", 2, "amount"},
      {"[d]\namount=many\n", 2, "amount"},
      {"[d]\nnmap_os=amiga\n", 2, "amiga"},
      {"[d]\nservices=http\n\n[d.http]\nresponse_code=abc\n", 5, "response_code"},
      {"[d]\nservices=http\n[d.http]\nfake_app=drupal\n", 4, "drupal"},
      {"[d]\nservices=http\n[d.http]\nhttp_versions=http/3\n", 4, "http/3"},
      {"[d]\nservices=http\n[d.http]\ncustom_body=b64:!!!!\n", 4, "b64"},
      {"[d]\nservices=ssh\n[d.ssh]\npassword_auth=nope\n", 4, "password_auth"},
      {"[d]\nip=10.0.0.5\namount=2\n", 2, "amount"},
      {"[d.gopher]\nx=1\n", 1, "gopher"},
      {"[general\nnet=x\n", 1, "syntax"},
      {"[d]\nthis line has no equals\n", 2, "syntax"},
  };
  for (const Case& c : cases) {
    IniResult r = ParseIni(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.errors[0].line, c.line) << c.text << " -> " << r.errors[0].message;
    EXPECT_NE(r.errors[0].message.find(c.needle), std::string::npos)
        << c.text << " -> " << r.errors[0].message;
  }
}

TEST(TopologyIni, BoundsHold) {
  IniLimits limits;
  limits.max_deckies = 10;
  EXPECT_FALSE(ParseIni("[d]\namount=11\n", limits).ok());
  limits.max_bytes = 8;
  EXPECT_FALSE(ParseIni("[general]\nnet=10.0.0.0/8\n", limits).ok());
  std::string long_line = "[d]\nservices=" + std::string(5000, 'a') + "\n";
  IniResult r = ParseIni(long_line);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_FALSE(LoadIniFile("/nonexistent/decnet.ini").ok());
}

TEST(TopologyIni, HostileInputsThroughTheFuzzEntry) {
  const std::string inputs[] = {
      std::string("\0\0\0[", 4),
      "[",
      "]]]]=====\n",
      std::string(100000, '['),
      "[a]\namount=99999999999999999999999\n",
      "[a]\namount=-1\n",
      "[a]\nservices=ssh\n[a.ssh]\nusers=" + std::string(190, 'x') + "\n",
      "[general]\nnet=10.0.0.0/30\n[a]\namount=64\n",
      "[general]\nnet=0.0.0.0/0\n[a]\n",
      "\xef\xbb\xbf[a]\nservices=http\n[a.http]\nextra_headers=\xff\xfe\n",
      "[a]\nservices=ssh\n  continued\n",
      "[a.b.c]\nx=y\n",
      "[.]\n=\n",
  };
  for (const std::string& in : inputs) {
    EXPECT_EQ(FuzzIni(reinterpret_cast<const uint8_t*>(in.data()), in.size()), 0);
  }
}

}  // namespace
}  // namespace decnet::topology
