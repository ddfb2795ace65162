// The compose output parsed back and checked: networks, addresses, published ports, names, scope.
#include "decnet/topology/compose.h"

#include <gtest/gtest.h>

#include "decnet/core/json.h"
#include "decnet/topology/generator.h"
#include "decnet/topology/serialize.h"

namespace decnet::topology {
namespace {

rapidjson::Document Render(const Topology& t, const std::string& scope) {
  ComposeOptions o;
  o.scope = scope;
  o.json = true;
  auto text = RenderCompose(t, o);
  EXPECT_TRUE(text);
  rapidjson::Document doc;
  EXPECT_TRUE(json::ParseObject(*text, doc, json::ParseLimits{64u << 20, 32}));
  return doc;
}

TEST(TopologyCompose, MazeParsesBackWithEverythingScoped) {
  MazeConfig c;
  c.seed = 11;
  c.depth = 2;
  c.branching = 2;
  c.cross_edge_probability = 0.5;
  Topology t = *GenerateMaze(c);
  rapidjson::Document doc = Render(t, "t1");
  const auto& services = doc["services"];
  const auto& networks = doc["networks"];
  ASSERT_EQ(networks.MemberCount(), t.lans.size());
  for (const Lan& l : t.lans) {
    const auto& n = networks[l.name.c_str()];
    EXPECT_EQ(std::string(n["name"].GetString()), "t1-" + l.name);
    EXPECT_EQ(std::string(n["ipam"]["config"][0]["subnet"].GetString()), l.subnet.ToString());
    EXPECT_EQ(std::string(n["ipam"]["config"][0]["gateway"].GetString()), FormatIpv4(l.gateway));
    EXPECT_EQ(n["internal"].GetBool(), !l.is_dmz);
    const std::string bridge = n["driver_opts"]["com.docker.network.bridge.name"].GetString();
    EXPECT_LE(bridge.size(), 15u);
    EXPECT_EQ(std::string(n["labels"]["decnet.scope"].GetString()), "t1");
  }
  for (const Decky& d : t.deckies) {
    const auto& base = services[d.name.c_str()];
    EXPECT_EQ(std::string(base["container_name"].GetString()), "t1-" + d.name);
    EXPECT_EQ(std::string(base["image"].GetString()), "decnet/decky:latest");
    EXPECT_EQ(base["networks"].MemberCount(), d.attachments.size());
    for (const Attachment& a : d.attachments) {
      EXPECT_EQ(std::string(base["networks"][a.lan.c_str()]["ipv4_address"].GetString()),
                FormatIpv4(a.ip));
    }
    EXPECT_EQ(std::string(base["sysctls"]["net.ipv4.ip_forward"].GetString()),
              d.forwards ? "1" : "0");
    EXPECT_EQ(base.HasMember("ports"), d.gateway);
    if (d.gateway) {
      ASSERT_EQ(base["ports"].Size(), d.published.size());
      const PublishedPort& p = d.published[0];
      EXPECT_EQ(std::string(base["ports"][0].GetString()), std::to_string(p.host_port) + ":" +
                                                               std::to_string(p.container_port) +
                                                               "/" + ProtoName(p.proto));
    }
    EXPECT_STREQ(base["labels"]["decnet.topology.service"].GetString(), "true");
    EXPECT_STREQ(base["labels"]["decnet.role"].GetString(), "decky");
    EXPECT_EQ(std::string(base["volumes"][0].GetString()),
              "/var/lib/decnet/artifacts/t1/" + d.name + ":/var/lib/decnet");
    EXPECT_FALSE(base.HasMember("network_mode"));
  }
  const size_t expected_services = t.deckies.size();  // one container per decky
  EXPECT_EQ(services.MemberCount(), expected_services);
}

// The decky's argv (after the image's entrypoint) as one string, for matching flag pairs.
std::string Command(const rapidjson::Value& svc) {
  std::string out;
  for (const auto& a : svc["command"].GetArray()) out += std::string(a.GetString()) + " ";
  return out;
}

TEST(TopologyCompose, OneDeckyContainerRunsDecnetDeckyWithItsPersonaAndSysctls) {
  FleetConfig f;
  f.deckies = 2;
  f.interface = "enp3s0";
  f.services.explicit_services = {"http", "ftp"};
  Topology t = *GenerateFleet(f);
  t.deckies[0].os_profile = "windows";
  rapidjson::Document doc = Render(t, "fleet");
  ASSERT_EQ(doc["services"].MemberCount(), 2u);
  const Decky& d = t.deckies[0];
  const auto& svc = doc["services"][d.name.c_str()];
  const std::string cmd = Command(svc);
  EXPECT_EQ(cmd.rfind("--decky " + d.name + " --services http,ftp ", 0), 0u) << cmd;
  EXPECT_NE(cmd.find("--hostname " + d.hostname + " "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--distro " + d.distro + " "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--os-profile windows "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--log-target stdout "), std::string::npos) << cmd;
  EXPECT_EQ(cmd.find("--settings"), std::string::npos) << cmd;  // no settings root given
  EXPECT_STREQ(svc["hostname"].GetString(), d.hostname.c_str());
  EXPECT_STREQ(svc["sysctls"]["net.ipv4.ip_default_ttl"].GetString(), "128");
  EXPECT_STREQ(svc["labels"]["decnet.fleet.service"].GetString(), "true");
  EXPECT_STREQ(svc["labels"]["decnet.services"].GetString(), "http,ftp");
  EXPECT_STREQ(svc["cap_drop"][0].GetString(), "ALL");
  EXPECT_TRUE(svc["read_only"].GetBool());
  ASSERT_EQ(ComposeServicesOf(d).size(), 1u);
  EXPECT_EQ(ComposeServicesOf(d)[0], d.name);
}

TEST(TopologyCompose, FlatFleetUsesMacvlanOrIpvlan) {
  FleetConfig f;
  f.deckies = 2;
  f.interface = "enp3s0";
  f.services.explicit_services = {"ssh"};
  f.log_target = "10.0.0.1:5140";
  Topology t = *GenerateFleet(f);
  rapidjson::Document doc = Render(t, "fleet");
  const auto& lan = doc["networks"]["lan"];
  EXPECT_STREQ(lan["driver"].GetString(), "macvlan");
  EXPECT_STREQ(lan["driver_opts"]["parent"].GetString(), "enp3s0");
  // A remote collector: the decky sends its events there over UDP instead of stdout.
  EXPECT_NE(Command(doc["services"]["decky-01"]).find("--log-target udp:10.0.0.1:5140 "),
            std::string::npos);
  t.ipvlan = true;
  rapidjson::Document doc2 = Render(t, "fleet");
  EXPECT_STREQ(doc2["networks"]["lan"]["driver"].GetString(), "ipvlan");
  EXPECT_STREQ(doc2["networks"]["lan"]["driver_opts"]["ipvlan_mode"].GetString(), "l2");
}

TEST(TopologyCompose, SettingsAreMountedAndPassedWhenTheDeployWroteThem) {
  FleetConfig f;
  f.deckies = 1;
  f.services.explicit_services = {"http"};
  DeckySpec s;
  s.name = "web";
  s.services.explicit_services = {"http"};
  s.settings["http"].push_back(Setting{"fake_app", FieldType::kEnum, "\"tomcat\"", "tomcat"});
  f.specs.push_back(s);
  Topology t = *GenerateFleet(f);
  ComposeOptions o;
  o.scope = "s";
  o.json = true;
  o.settings_root = "/var/lib/decnet/private/deckies";
  o.fleet_seed = "seed-1";
  o.image_prefix = "local";
  o.image_tag = "0.1.0";
  auto text = RenderCompose(t, o);
  ASSERT_TRUE(text);
  rapidjson::Document doc;
  ASSERT_TRUE(json::ParseObject(*text, doc, json::ParseLimits{64u << 20, 32}));
  const auto& web = doc["services"]["web"];
  EXPECT_STREQ(web["image"].GetString(), "local/decky:0.1.0");
  const std::string cmd = Command(web);
  EXPECT_NE(cmd.find("--settings /etc/decnet/settings.json "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("--fleet-seed seed-1 "), std::string::npos) << cmd;
  EXPECT_STREQ(web["volumes"][1].GetString(),
               "/var/lib/decnet/private/deckies/web/settings.json:/etc/decnet/settings.json:ro");
  o.settings_root = "relative";
  EXPECT_FALSE(RenderCompose(t, o));
}

TEST(TopologyCompose, ScopeAndPathsAreChecked) {
  FleetConfig f;
  Topology t = *GenerateFleet(f);
  ComposeOptions o;
  o.scope = "Bad Scope";
  EXPECT_FALSE(RenderCompose(t, o));
  o.scope = "ok";
  o.artifact_root = "relative/path";
  EXPECT_FALSE(RenderCompose(t, o));
  o.artifact_root = "/abs";
  auto yaml = RenderCompose(t, o);
  ASSERT_TRUE(yaml);
  EXPECT_NE(yaml->find("\"services\":\n"), std::string::npos);
}

TEST(TopologyCompose, DeckyHashChangesOnlyForChangedDecky) {
  FleetConfig f;
  f.deckies = 3;
  f.services.explicit_services = {"ssh"};
  Topology a = *GenerateFleet(f);
  Topology b = a;
  b.deckies[1].services.push_back("ftp");
  EXPECT_EQ(DeckyHash(a, a.deckies[0], "x"), DeckyHash(b, b.deckies[0], "x"));
  EXPECT_NE(DeckyHash(a, a.deckies[1], "x"), DeckyHash(b, b.deckies[1], "x"));
  EXPECT_NE(DeckyHash(a, a.deckies[0], "x"), DeckyHash(a, a.deckies[0], "y"));
}

}  // namespace
}  // namespace decnet::topology
