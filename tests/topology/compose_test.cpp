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
  size_t expected_services = 0;
  for (const Decky& d : t.deckies) {
    expected_services += 1 + d.services.size();
    const auto& base = services[d.name.c_str()];
    EXPECT_EQ(std::string(base["container_name"].GetString()), "t1-" + d.name);
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
    for (const std::string& s : d.services) {
      const auto& sc = services[(d.name + "-" + s).c_str()];
      EXPECT_EQ(std::string(sc["container_name"].GetString()), "t1-" + d.name + "-" + s);
      EXPECT_EQ(std::string(sc["network_mode"].GetString()), "service:" + d.name);
      EXPECT_EQ(std::string(sc["image"].GetString()), "decnet/" + s + ":latest");
      EXPECT_EQ(std::string(sc["volumes"][0].GetString())
                    .rfind("/var/lib/decnet/artifacts/t1/" + d.name + "/", 0),
                0u);
    }
  }
  EXPECT_EQ(services.MemberCount(), expected_services);
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
  EXPECT_STREQ(doc["services"]["decky-01-ssh"]["environment"]["LOG_TARGET"].GetString(),
               "10.0.0.1:5140");
  t.ipvlan = true;
  rapidjson::Document doc2 = Render(t, "fleet");
  EXPECT_STREQ(doc2["networks"]["lan"]["driver"].GetString(), "ipvlan");
  EXPECT_STREQ(doc2["networks"]["lan"]["driver_opts"]["ipvlan_mode"].GetString(), "l2");
}

TEST(TopologyCompose, SettingsBecomeEnvironment) {
  FleetConfig f;
  f.deckies = 1;
  f.services.explicit_services = {"http"};
  DeckySpec s;
  s.name = "web";
  s.services.explicit_services = {"http"};
  s.settings["http"].push_back(Setting{"fake_app", FieldType::kEnum, "\"tomcat\"", "tomcat"});
  f.specs.push_back(s);
  Topology t = *GenerateFleet(f);
  rapidjson::Document doc = Render(t, "s");
  EXPECT_STREQ(doc["services"]["web-http"]["environment"]["FAKE_APP"].GetString(), "tomcat");
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
