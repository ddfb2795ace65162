#include "decnet/core/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <string>
#include <vector>

namespace decnet {
namespace {

// Runs Config::Load over argv given as strings.
Status LoadWith(Config& cfg, std::vector<std::string> args) {
  args.insert(args.begin(), "decnet-test");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return cfg.Load(static_cast<int>(args.size()), argv.data());
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/decnet-config-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    ini_ = dir_ + "/decnet.ini";
    setenv("DECNET_CONFIG", ini_.c_str(), 1);
    unsetenv("DECNET_PORT");
    unsetenv("DECNET_NAME");
    WriteIni("[decnet]\n");
  }
  void TearDown() override {
    unsetenv("DECNET_CONFIG");
    unsetenv("DECNET_PORT");
    unsetenv("DECNET_NAME");
    std::remove(ini_.c_str());
    rmdir(dir_.c_str());
  }
  void WriteIni(const std::string& text) {
    FILE* f = std::fopen(ini_.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  static Config Make() {
    Config c("test", "a test worker");
    c.AddInt("port", 10, 1, 100, "a port");
    c.AddString("name", "dflt", "a name");
    c.AddBool("verbose", false, "chatty");
    c.AddDouble("ratio", 0.5, 0, 1, "a ratio");
    return c;
  }
  std::string dir_, ini_;
};

TEST_F(ConfigTest, DefaultsApplyWhenNothingIsSet) {
  Config c = Make();
  ASSERT_TRUE(LoadWith(c, {}));
  EXPECT_EQ(c.Int("port"), 10);
  EXPECT_EQ(c.String("name"), "dflt");
  EXPECT_FALSE(c.Bool("verbose"));
  EXPECT_EQ(c.Source("port"), "default");
}

TEST_F(ConfigTest, PrecedenceIsFlagThenEnvThenIniThenDefault) {
  WriteIni("[decnet]\nport = 20\nname = from-global\n[test]\nname = from-section\n");
  Config c = Make();
  ASSERT_TRUE(LoadWith(c, {}));
  EXPECT_EQ(c.Int("port"), 20);
  EXPECT_EQ(c.String("name"), "from-section");  // the worker's own section wins over [decnet]
  EXPECT_NE(c.Source("port").find("decnet.ini:2"), std::string::npos) << c.Source("port");

  setenv("DECNET_PORT", "30", 1);
  Config c2 = Make();
  ASSERT_TRUE(LoadWith(c2, {}));
  EXPECT_EQ(c2.Int("port"), 30);
  EXPECT_EQ(c2.Source("port"), "env DECNET_PORT");

  Config c3 = Make();
  ASSERT_TRUE(LoadWith(c3, {"--port", "40", "--verbose"}));
  EXPECT_EQ(c3.Int("port"), 40);
  EXPECT_TRUE(c3.Bool("verbose"));
  EXPECT_EQ(c3.Source("port"), "flag --port");
}

TEST_F(ConfigTest, BadValueNamesKeyValueAndSource) {
  WriteIni("[decnet]\n\nport = 5000\n");
  Config c = Make();
  Status st = LoadWith(c, {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("port"), std::string::npos);
  EXPECT_NE(st.error().message.find("'5000'"), std::string::npos);
  EXPECT_NE(st.error().message.find("decnet.ini:3"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("1 to 100"), std::string::npos);

  Config c2 = Make();
  setenv("DECNET_PORT", "abc", 1);
  st = LoadWith(c2, {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("env DECNET_PORT"), std::string::npos);

  Config c3 = Make();
  unsetenv("DECNET_PORT");
  WriteIni("[decnet]\n");
  st = LoadWith(c3, {"--verbose=perhaps"});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("true or false"), std::string::npos) << st.error().message;
}

TEST_F(ConfigTest, UnknownFlagAndMalformedIniAreErrors) {
  Config c = Make();
  EXPECT_FALSE(LoadWith(c, {"--no-such-flag=1"}));
  WriteIni("[decnet]\nthis line has no equals sign\n");
  Config c2 = Make();
  Status st = LoadWith(c2, {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find(":2"), std::string::npos) << st.error().message;
}

TEST_F(ConfigTest, MissingExplicitConfigFileIsAnError) {
  setenv("DECNET_CONFIG", (dir_ + "/absent.ini").c_str(), 1);
  Config c = Make();
  Status st = LoadWith(c, {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("absent.ini"), std::string::npos);
}

TEST_F(ConfigTest, HelpListsEveryKeyWithDefaultAndEnv) {
  Config c = Make();
  ASSERT_TRUE(LoadWith(c, {"--help"}));
  EXPECT_TRUE(c.help_requested());
  const std::string u = c.Usage();
  for (const char* want : {"--port", "DECNET_PORT", "default: 10", "--name", "DECNET_NAME",
                           "default: dflt", "--verbose", "DECNET_VERBOSE", "--ratio"}) {
    EXPECT_NE(u.find(want), std::string::npos) << want;
  }
}

TEST(IniTest, ParsesSectionsAndReportsLines) {
  auto r = ParseIniString("; comment\n[A]\nKey-One = v1\n[b]\nk2=v2\n", "mem");
  ASSERT_TRUE(r);
  auto it = r->find({"a", "key_one"});
  ASSERT_NE(it, r->end());
  EXPECT_EQ(it->second.value, "v1");
  EXPECT_EQ(it->second.line, 3);
  EXPECT_EQ(r->at({"b", "k2"}).value, "v2");
}

TEST(IniTest, HostileInputIsAnErrorNotACrash) {
  std::string huge(100000, 'x');
  EXPECT_FALSE(ParseIniString("[a\n" + huge, "mem"));
  std::string nul("[a]\nk=v\0v\n", 10);
  EXPECT_TRUE(ParseIniString(nul, "mem"));
}

}  // namespace
}  // namespace decnet

namespace decnet {
namespace {
TEST(ConfigPositionalTest, JsonWithCommasStaysOneArgument) {
  Config c("cli", "test");
  std::string a0 = "x", a1 = "topic", a2 = R"({"a":1,"b":2})";
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  setenv("DECNET_CONFIG", "/dev/null", 1);
  ASSERT_TRUE(c.Load(3, argv));
  unsetenv("DECNET_CONFIG");
  ASSERT_EQ(c.positional().size(), 2u);
  EXPECT_EQ(c.positional()[1], R"({"a":1,"b":2})");
}
}  // namespace
}  // namespace decnet
