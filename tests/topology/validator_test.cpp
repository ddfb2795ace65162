// Every validator rule with a failing case (and the passing baseline).
#include "decnet/topology/validator.h"

#include <gtest/gtest.h>

#include "decnet/topology/generator.h"

namespace decnet::topology {
namespace {

Topology Maze() {
  MazeConfig c;
  c.seed = 3;
  c.depth = 2;
  c.branching = 2;
  c.services.explicit_services = {"ssh"};
  return *GenerateMaze(c);
}

Topology Fleet() {
  FleetConfig f;
  f.deckies = 3;
  f.services.explicit_services = {"ssh", "http"};
  return *GenerateFleet(f);
}

bool Has(const Topology& t, const std::string& rule) {
  for (const Problem& p : Validate(t))
    if (p.rule == rule) return true;
  return false;
}

TEST(TopologyValidator, BaselinesAreClean) {
  EXPECT_TRUE(Validate(Maze()).empty()) << FormatProblems(Validate(Maze()));
  EXPECT_TRUE(Validate(Fleet()).empty()) << FormatProblems(Validate(Fleet()));
}

TEST(TopologyValidator, DuplicateNames) {
  Topology t = Fleet();
  t.deckies[1].name = t.deckies[0].name;
  EXPECT_TRUE(Has(t, "duplicate-decky-name"));
  Topology m = Maze();
  m.lans.push_back(m.lans.back());
  EXPECT_TRUE(Has(m, "duplicate-lan-name"));
}

TEST(TopologyValidator, NamesFitDockerAndLinux) {
  Topology t = Fleet();
  t.deckies[0].name = "bad name!";
  EXPECT_TRUE(Has(t, "bad-name"));
  t = Fleet();
  t.deckies[0].name = std::string(64, 'a');
  EXPECT_TRUE(Has(t, "bad-name"));
  t = Fleet();
  t.deckies[0].name = "x-ssh";
  t.deckies[1].name = "x";  // its "x-ssh" service key collides with decky x-ssh
  EXPECT_TRUE(Has(t, "bad-name"));
  t = Fleet();
  t.interface = "an-interface-name-too-long";
  EXPECT_TRUE(Has(t, "bad-interface"));
  t = Fleet();
  t.deckies[0].hostname = "-bad-";
  EXPECT_TRUE(Has(t, "bad-hostname"));
}

TEST(TopologyValidator, OverlappingSubnets) {
  Topology m = Maze();
  m.lans[1].subnet = m.lans[0].subnet;
  EXPECT_TRUE(Has(m, "subnet-overlap"));
}

TEST(TopologyValidator, Addresses) {
  Topology t = Fleet();
  t.deckies[0].attachments[0].ip = t.lans[0].gateway;
  EXPECT_TRUE(Has(t, "bad-address"));
  t = Fleet();
  t.deckies[0].attachments[0].ip = *ParseIpv4("10.9.9.9");
  EXPECT_TRUE(Has(t, "bad-address"));
  t = Fleet();
  t.deckies[0].attachments[0].ip = t.lans[0].subnet.Last();
  EXPECT_TRUE(Has(t, "bad-address"));
  t = Fleet();
  t.deckies[1].attachments[0].ip = t.deckies[0].attachments[0].ip;
  EXPECT_TRUE(Has(t, "duplicate-address"));
}

TEST(TopologyValidator, LansAndReachability) {
  Topology t = Fleet();
  t.deckies[0].attachments[0].lan = "nowhere";
  EXPECT_TRUE(Has(t, "unknown-lan"));
  t = Fleet();
  t.deckies[0].attachments.clear();
  EXPECT_TRUE(Has(t, "no-lan"));
  Topology m = Maze();
  // Cut every bridge into the last LAN: its deckies keep only their home attachment there.
  const std::string last = m.lans.back().name;
  for (Decky& d : m.deckies) {
    if (d.attachments[0].lan == last) {
      d.attachments.resize(1);
      d.forwards = false;
    }
  }
  EXPECT_TRUE(Has(m, "unreachable"));
  m = Maze();
  m.lans[1].is_dmz = true;
  EXPECT_TRUE(Has(m, "dmz"));
  m = Maze();
  m.lans[1].parent = "LAN-99";
  EXPECT_TRUE(Has(m, "unknown-lan"));
}

TEST(TopologyValidator, Catalogues) {
  Topology t = Fleet();
  t.deckies[0].services.push_back("gopher");
  EXPECT_TRUE(Has(t, "unknown-service"));
  t = Fleet();
  t.deckies[0].services = {"sniffer"};
  EXPECT_TRUE(Has(t, "singleton-service"));
  t = Fleet();
  t.deckies[0].distro = "plan9";
  EXPECT_TRUE(Has(t, "unknown-distro"));
  t = Fleet();
  t.deckies[0].os_profile = "amiga";
  EXPECT_TRUE(Has(t, "unknown-os-profile"));
  t = Fleet();
  t.deckies[0].archetype = "toaster";
  EXPECT_TRUE(Has(t, "unknown-archetype"));
}

TEST(TopologyValidator, PortConflictWithinDecky) {
  Topology t = Fleet();
  t.deckies[0].services = {"http", "https"};  // both bind 443/tcp
  auto problems = Validate(t);
  ASSERT_TRUE(Has(t, "port-conflict"));
  EXPECT_NE(FormatProblems(problems).find("443/tcp"), std::string::npos);
  t.deckies[0].services = {"dns", "sip"};  // 53 and 5060: no clash
  EXPECT_FALSE(Has(t, "port-conflict"));
}

TEST(TopologyValidator, PublishedPortsGloballyUnique) {
  Topology m = Maze();
  Decky* gw = nullptr;
  for (Decky& d : m.deckies)
    if (d.gateway) gw = &d;
  ASSERT_NE(gw, nullptr);
  ASSERT_FALSE(gw->published.empty());
  gw->published.push_back(gw->published[0]);
  EXPECT_TRUE(Has(m, "published-port-conflict"));
  // The same port number on another protocol is fine.
  m = Maze();
  for (Decky& d : m.deckies)
    if (d.gateway) gw = &d;
  gw->published.push_back({gw->published[0].host_port, 22, Proto::kUdp});
  EXPECT_FALSE(Has(m, "published-port-conflict"));
}

TEST(TopologyValidator, OnlyGatewayPublishesAndForwardersAreMultiHomed) {
  Topology m = Maze();
  Decky& inner = m.deckies.back();
  inner.published.push_back({8022, 22, Proto::kTcp});
  EXPECT_TRUE(Has(m, "publish-not-gateway"));
  m = Maze();
  m.deckies.back().gateway = true;  // not on the DMZ
  EXPECT_TRUE(Has(m, "publish-not-gateway"));
  Topology t = Fleet();
  t.deckies[0].forwards = true;
  EXPECT_TRUE(Has(t, "forward-single-homed"));
}

TEST(TopologyValidator, SettingsMustMatchServiceSchema) {
  Topology t = Fleet();
  t.deckies[0].settings["http"].push_back(Setting{"no_such_key", FieldType::kString, "\"x\"", "x"});
  EXPECT_TRUE(Has(t, "unknown-setting"));
  t = Fleet();
  t.deckies[0].settings["mysql"].push_back(Setting{"version", FieldType::kString, "\"x\"", "x"});
  EXPECT_TRUE(Has(t, "unknown-setting"));  // the decky does not run mysql
}

}  // namespace
}  // namespace decnet::topology
