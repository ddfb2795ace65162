// The deploy engine's pure parts and issue 14 finding 1: names that reach YAML and argv are refused
// (a newline and a ':' in each), root-executed files are written O_EXCL|O_NOFOLLOW, MakeDirs refuses
// an existing directory another user owns, and the plan diff.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "decnet/core/runtime.h"
#include "decnet/deploy/deploy.h"
#include "decnet/deploy/probe.h"
#include "decnet/deploy/store.h"
#include "decnet/topology/generator.h"

namespace decnet::deploy {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/decnet-deploy-unit.XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return d ? d : "";
}

std::string Slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TopologyRecord Fleet() {
  topology::FleetConfig f;
  f.name = "unit";
  f.deckies = 2;
  f.interface = "eth0";
  f.services.explicit_services = {"http"};
  auto t = topology::GenerateFleet(f);
  EXPECT_TRUE(t.has_value());
  TopologyRecord r;
  r.id = "unit";
  r.topology = *t;
  return r;
}

TEST(DeployNames, NewlineAndColonRefusedEverywhere) {
  ASSERT_TRUE(CheckNames(Fleet()));
  for (const std::string bad : {"a\nb", "a:b", "a: b\n  c: d"}) {
    TopologyRecord id = Fleet();
    id.id = bad;
    EXPECT_FALSE(CheckNames(id)) << "topology id " << bad;
    TopologyRecord decky = Fleet();
    decky.topology.deckies[0].name = bad;
    EXPECT_FALSE(CheckNames(decky)) << "decky " << bad;
    TopologyRecord lan = Fleet();
    lan.topology.lans[0].name = bad;
    EXPECT_FALSE(CheckNames(lan)) << "LAN " << bad;
  }
}

TEST(DeployNames, DeployRefusesBeforeWritingAnything) {
  const std::string dir = TempDir() + "/state";
  StateStore store(dir);
  TopologyRecord rec = Fleet();
  rec.topology.deckies[0].name = "evil:\n  privileged: true";
  DeployOptions o;
  o.runtime = "docker";
  o.compose.artifact_root = "/tmp/a";
  EXPECT_EQ(DeployRecord(store, rec, o, true), 2);
  struct stat st;
  EXPECT_NE(::stat(dir.c_str(), &st), 0) << "the state dir was touched";
}

TEST(DeployFiles, AtomicWriteNeverFollowsASymlink) {
  const std::string dir = TempDir();
  const std::string victim = dir + "/victim";
  std::ofstream(victim) << "untouched";
  const std::string path = dir + "/docker-compose.yml";
  ASSERT_EQ(::symlink(victim.c_str(), path.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomic(path, "services: {}\n", 0600));
  EXPECT_EQ(Slurp(victim), "untouched");
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Slurp(path), "services: {}\n");
}

TEST(DeployFiles, MakeDirsRefusesADirectoryAnotherUserOwns) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  const std::string dir = TempDir() + "/planted";
  ASSERT_EQ(::mkdir(dir.c_str(), 0777), 0);
  ASSERT_EQ(::chown(dir.c_str(), 4242, 4242), 0);
  Status st = MakeDirs(dir + "/compose/x");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("owned by uid 4242"), std::string::npos) << st.error().message;
  EXPECT_TRUE(MakeDirs(dir + "/compose/x", 4242));  // plain data, trusted owner named
}

TEST(DeployFiles, PrivateDirIsOursAnd0700) {
  const std::string state = TempDir() + "/state";
  ::unsetenv("DECNET_DEPLOY_PRIVATE_DIR");
  auto none = PrivateDir(state, false);
  ASSERT_TRUE(none.has_value());
  struct stat st;
  EXPECT_NE(::stat(none->c_str(), &st), 0) << "create=false touched " << *none;
  auto d = PrivateDir(state);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_EQ(::lstat(d->c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(DeployPlan, CreateRecreateRemoveUnchanged) {
  const std::map<std::string, std::string> desired = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"e", "5"}};
  const std::map<std::string, std::string> deployed = {{"a", "1"}, {"b", "x"}, {"d", "4"}, {"e", "5"}};
  Plan p = MakePlan(desired, deployed, [](const std::string& n) { return n != "e"; });
  EXPECT_EQ(p.create, std::vector<std::string>{"c"});
  EXPECT_EQ(p.recreate, (std::vector<std::string>{"b", "e"}));  // e: hash same, but gone
  EXPECT_EQ(p.remove, std::vector<std::string>{"d"});
  EXPECT_EQ(p.unchanged, std::vector<std::string>{"a"});
}

TEST(DeployProbe, FleetJsonAndStateJson) {
  const std::string dir = TempDir();
  std::ofstream(dir + "/fleet.json")
      << R"({"version":1,"deckies":{"d1":{"topology":"t","runtime":"netns",)"
         R"("netns":"/nonexistent/decnet-d1","ips":["10.0.0.2"],"services":["http","tftp"],)"
         R"("ports":{"http":["80/tcp","443/tcp"],"tftp":["69/udp"]}}}})";
  auto f = ReadFleetJson(dir + "/fleet.json");
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->size(), 1u);
  ASSERT_EQ((*f)[0].services.size(), 2u);
  EXPECT_EQ((*f)[0].services[0].ports.size(), 2u);
  EXPECT_TRUE((*f)[0].services[1].ports[0].udp);
  std::vector<std::string> topics;
  Reconciler r(dir + "/fleet.json", dir + "/state.json",
               [&](const std::string& t, const std::string&) { topics.push_back(t); });
  ASSERT_TRUE(r.Tick().has_value());
  ASSERT_TRUE(r.Tick().has_value());
  EXPECT_EQ(topics, std::vector<std::string>{"decky.d1.state"});  // one transition, not one per pass
  EXPECT_NE(Slurp(dir + "/state.json").find("\"absent\""), std::string::npos);
  std::ofstream(dir + "/fleet.json") << R"({"version":1,"deckies":{}})";
  ASSERT_TRUE(r.Tick().has_value());
  EXPECT_EQ(topics.size(), 2u);  // gone from the fleet: said once
}

}  // namespace
}  // namespace decnet::deploy
