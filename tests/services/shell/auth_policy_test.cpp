#include "decnet/services/shell/auth_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "decnet/decoy/persona.h"

namespace decnet::services::shell {
namespace {

decoy::Persona PersonaWith(std::map<std::string, std::string, std::less<>> ssh_settings,
                           std::string decky = "web-01") {
  decoy::PersonaInputs in;
  in.decky = std::move(decky);
  in.fleet_seed = "seed";
  in.settings["ssh"] = std::move(ssh_settings);
  return decoy::Persona::Derive(in, 1700000000);
}

TEST(AuthPolicy, ParsesPairsRejectionsAndWildcards) {
  auto rules = ParseAuthRules("root:123456, admin:*,root:!root,bad,:nouser,pi:a:b");
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].user, "root");
  EXPECT_EQ(rules[0].password, "123456");
  EXPECT_EQ(rules[1].password, "*");
  EXPECT_TRUE(rules[2].reject);
  EXPECT_EQ(rules[2].password, "root");
  EXPECT_EQ(rules[3].password, "a:b");  // split at the first ':' only
}

TEST(AuthPolicy, ListAcceptsOnlyListedPairsAndRejectionsWin) {
  auto p = AuthPolicy::ForService(PersonaWith({{"users", "root:!root,root:*,admin:admin"}}), "ssh");
  EXPECT_EQ(p.mode(), AuthPolicy::Mode::kList);
  EXPECT_FALSE(p.Check("198.51.100.1", "root", "root"));
  EXPECT_TRUE(p.Check("198.51.100.1", "root", "anything"));
  EXPECT_TRUE(p.Check("198.51.100.1", "admin", "admin"));
  EXPECT_FALSE(p.Check("198.51.100.1", "admin", "Admin"));
  EXPECT_FALSE(p.Check("198.51.100.1", "oracle", "admin"));
}

TEST(AuthPolicy, DefaultIsOneWeakRootPasswordStablePerDecky) {
  auto a = AuthPolicy::ForService(PersonaWith({}), "ssh");
  auto again = AuthPolicy::ForService(PersonaWith({}), "ssh");
  int accepted = 0;
  std::string which;
  for (const char* pw :
       {"123456", "password", "admin", "root", "toor", "12345678", "qwerty", "1234"}) {
    if (a.Check("198.51.100.1", "root", pw)) {
      ++accepted;
      which = pw;
    }
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_TRUE(again.Check("198.51.100.9", "root", which));
  EXPECT_FALSE(a.Check("198.51.100.1", "admin", which));
}

TEST(AuthPolicy, NthAcceptsTheNthAttemptPerSourceThenOnlyThatPair) {
  auto p = AuthPolicy::ForService(
      PersonaWith({{"accept", "nth"}, {"accept_after", "3"}, {"users", "nobody:x"}}), "ssh");
  EXPECT_FALSE(p.Check("198.51.100.1", "root", "a"));
  EXPECT_FALSE(p.Check("198.51.100.1", "root", "b"));
  EXPECT_FALSE(p.Check("198.51.100.2", "root", "c"));  // another source counts apart
  EXPECT_TRUE(p.Check("198.51.100.1", "root", "c"));
  EXPECT_TRUE(p.Check("198.51.100.1", "root", "c"));   // the pair keeps working
  EXPECT_FALSE(p.Check("198.51.100.1", "root", "a"));  // and only that pair
}

TEST(AuthPolicy, NeverAndAny) {
  auto never =
      AuthPolicy::ForService(PersonaWith({{"accept", "never"}, {"users", "root:*"}}), "ssh");
  EXPECT_FALSE(never.Check("198.51.100.1", "root", "x"));
  auto any = AuthPolicy::ForService(PersonaWith({{"accept", "any"}}), "ssh");
  EXPECT_TRUE(any.Check("198.51.100.1", "whoever", ""));
}

TEST(AuthPolicy, TrackedSourcesAreBoundedAndCounted) {
  AuthPolicy p(AuthPolicy::Mode::kNth, {}, 1000);
  for (size_t i = 0; i < AuthPolicy::kMaxSources + 10; ++i) {
    p.Check("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), "root", "x");
  }
  EXPECT_EQ(p.tracked_sources(), AuthPolicy::kMaxSources);
  EXPECT_EQ(p.forgotten_sources(), 10u);
}

TEST(AuthPolicy, PasswordsCompareAsExactBytes) {
  AuthPolicy p(AuthPolicy::Mode::kList, ParseAuthRules("root:t\xc3\xabst"), 3);
  EXPECT_TRUE(p.Check("198.51.100.1", "root", "t\xc3\xabst"));
  EXPECT_FALSE(p.Check("198.51.100.1", "root", "test"));
  EXPECT_FALSE(p.Check("198.51.100.1", "root", std::string("t\xc3\xabst\0", 6)));
}

}  // namespace
}  // namespace decnet::services::shell
