#include "decnet/decoy/persona.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <set>

namespace decnet::decoy {
namespace {

PersonaInputs In(std::string decky, std::string seed = "fleet-A") {
  PersonaInputs in;
  in.decky = std::move(decky);
  in.fleet_seed = std::move(seed);
  return in;
}

std::string TempDir() {
  char t[] = "/tmp/decoy-persona-XXXXXX";
  return mkdtemp(t);
}

TEST(Persona, SameInputsSamePersonaDifferentDeckiesDiffer) {
  const Persona a = Persona::Derive(In("web-01"), 1'780'000'000);
  const Persona b = Persona::Derive(In("web-01"), 1'780'000'000);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  std::set<std::string> hostnames;
  std::set<uint64_t> hashes;
  for (int i = 0; i < 50; ++i) {
    const Persona p = Persona::Derive(In("d" + std::to_string(i)), 1'780'000'000);
    hostnames.insert(p.hostname());
    hashes.insert(p.Hash("http", "server"));
  }
  EXPECT_GT(hostnames.size(), 30u);
  EXPECT_EQ(hashes.size(), 50u);
  // Another fleet seed: another host behind the same name.
  EXPECT_NE(Persona::Derive(In("web-01", "fleet-B"), 1'780'000'000).Hash("http", "server"),
            a.Hash("http", "server"));
}

TEST(Persona, NothingSaysDecnet) {
  for (int i = 0; i < 200; ++i) {
    const std::string j = Persona::Derive(In("n" + std::to_string(i)), 1'780'000'000).ToJson();
    const std::string host = j.substr(j.find("\"hostname\""), 60);
    for (const char* bad : {"decnet", "decky", "honey", "DECNET"})
      EXPECT_EQ(host.find(bad), std::string::npos) << host;
  }
}

TEST(Persona, KernelMatchesDistroAndUptimeIsPlausible) {
  PersonaInputs in = In("x");
  in.distro = "ubuntu22";
  Persona p = Persona::Derive(in, 1'780'000'000);
  EXPECT_NE(p.kernel().find("-generic"), std::string::npos) << p.kernel();
  in.distro = "debian";
  p = Persona::Derive(in, 1'780'000'000);
  EXPECT_NE(p.kernel().find("-amd64"), std::string::npos) << p.kernel();
  EXPECT_GE(p.UptimeSeconds(1'780'000'000), 3 * 86400);
  EXPECT_LE(p.UptimeSeconds(1'780'000'000), 400 * 86400);
}

TEST(Persona, TopologySettingWinsOverTheChoice) {
  PersonaInputs in = In("web-01");
  constexpr std::array<std::string_view, 2> kChoices{"nginx", "apache"};
  const std::string chosen = Persona::Derive(in, 0).Choose("http", "server", kChoices);
  EXPECT_TRUE(chosen == "nginx" || chosen == "apache");
  in.settings["http"]["server"] = "lighttpd";
  EXPECT_EQ(Persona::Derive(in, 0).Choose("http", "server", kChoices), "lighttpd");
  EXPECT_EQ(Persona::Derive(in, 0).Setting("http", "absent", "dflt"), "dflt");
}

TEST(Persona, KeptAcrossRestartsUptimeKeepsGrowing) {
  const std::string dir = TempDir();
  auto first = Persona::LoadOrCreate(dir, In("db-03"), 1'780'000'000);
  ASSERT_TRUE(first) << first.error().message;
  struct stat st;
  ASSERT_EQ(stat((dir + "/persona.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A day later: same host, same boot time, one more day of uptime.
  auto again = Persona::LoadOrCreate(dir, In("db-03"), 1'780'086'400);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->hostname(), first->hostname());
  EXPECT_EQ(again->boot_epoch(), first->boot_epoch());
  EXPECT_EQ(again->UptimeSeconds(1'780'086'400), first->UptimeSeconds(1'780'000'000) + 86400);
  // The stored persona wins over a changed derivation: edit the stored hostname.
  std::string text = again->ToJson();
  text.replace(text.find(again->hostname()), again->hostname().size(), "kept-host");
  std::ofstream(dir + "/persona.json") << text;
  EXPECT_EQ(Persona::LoadOrCreate(dir, In("db-03"), 1'780'090'000)->hostname(), "kept-host");
  // The topology's override wins over the stored one.
  PersonaInputs in = In("db-03");
  in.hostname = "renamed";
  EXPECT_EQ(Persona::LoadOrCreate(dir, in, 1'780'090'000)->hostname(), "renamed");
}

TEST(Persona, SettingsFile) {
  const std::string dir = TempDir();
  std::ofstream(dir + "/s.json") << R"({"ftp":{"anonymous":true,"banner":"hi"},"http":{"code":404,"v":["a","b"]}})";
  PersonaInputs in = In("x");
  ASSERT_TRUE(LoadSettingsFile(dir + "/s.json", &in));
  EXPECT_EQ(in.settings["ftp"]["anonymous"], "true");
  EXPECT_EQ(in.settings["ftp"]["banner"], "hi");
  EXPECT_EQ(in.settings["http"]["code"], "404");
  EXPECT_EQ(in.settings["http"]["v"], "a,b");
  std::ofstream(dir + "/bad.json") << "{not json";
  auto bad = LoadSettingsFile(dir + "/bad.json", &in);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad.json"), std::string::npos);
  EXPECT_FALSE(LoadSettingsFile(dir + "/absent.json", &in));
}

}  // namespace
}  // namespace decnet::decoy
