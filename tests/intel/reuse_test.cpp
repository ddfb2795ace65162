#include "decnet/intel/reuse.h"

#include <gtest/gtest.h>

namespace decnet::intel {
namespace {

CredentialRow Row(std::string sha, std::string decky, std::string service, std::string ip,
                  double ts, uint64_t attempts = 1) {
  CredentialRow r;
  r.secret = std::move(sha);
  r.secret_kind = "password";
  r.principal = "root";
  r.decky = std::move(decky);
  r.service = std::move(service);
  r.attacker_ip = std::move(ip);
  r.ts = ts;
  r.attempt_count = attempts;
  return r;
}

TEST(intel_Reuse, ThresholdOnDistinctTargets) {
  std::vector<CredentialRow> rows = {Row("aa", "decky-01", "ssh", "1.1.1.1", 10),
                                     Row("aa", "decky-01", "ssh", "1.1.1.1", 11)};
  EXPECT_TRUE(FindCredentialReuse(rows, 2).empty());  // same target twice is not reuse
  rows.push_back(Row("aa", "decky-01", "ftp", "2.2.2.2", 12));
  auto f = FindCredentialReuse(rows, 2);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].target_count, 2u);
  EXPECT_EQ(f[0].attempt_count, 3u);
  EXPECT_EQ(f[0].attacker_ips, (std::vector<std::string>{"1.1.1.1", "2.2.2.2"}));
  EXPECT_TRUE(FindCredentialReuse(rows, 3).empty());
}

TEST(intel_Reuse, AttemptsCountedOnceAcrossTicks) {
  std::vector<CredentialRow> rows = {Row("aa", "decky-01", "ssh", "1.1.1.1", 10, 4),
                                     Row("aa", "decky-02", "ssh", "1.1.1.1", 20, 1),
                                     Row("bb", "decky-02", "ssh", "1.1.1.1", 20, 1)};
  auto first = FindCredentialReuse(rows, 2);
  auto second = FindCredentialReuse(rows, 2);  // the next tick over the same rows
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].attempt_count, 5u);
  EXPECT_EQ(second[0].attempt_count, 5u);
  EXPECT_TRUE(IsNewReuse(first[0], nullptr));
  EXPECT_FALSE(IsNewReuse(second[0], &first[0]));                  // nothing new: no second publish
  rows.push_back(Row("aa", "decky-02", "ssh", "1.1.1.1", 30, 9));  // more attempts only
  auto third = FindCredentialReuse(rows, 2);
  EXPECT_EQ(third[0].attempt_count, 14u);
  EXPECT_FALSE(IsNewReuse(third[0], &first[0]));
  rows.push_back(Row("aa", "decky-03", "smb", "3.3.3.3", 40));
  auto fourth = FindCredentialReuse(rows, 2);
  EXPECT_TRUE(IsNewReuse(fourth[0], &first[0]));
  EXPECT_EQ(fourth[0].target_count, 3u);
  EXPECT_DOUBLE_EQ(fourth[0].first_seen, 10);
  EXPECT_DOUBLE_EQ(fourth[0].last_seen, 40);
}

TEST(intel_Reuse, PrincipalSeparatesSecrets) {
  auto a = Row("aa", "decky-01", "ssh", "1.1.1.1", 10);
  auto b = Row("aa", "decky-02", "ssh", "1.1.1.1", 10);
  b.principal = "admin";
  std::vector<CredentialRow> rows = {a, b};
  EXPECT_TRUE(FindCredentialReuse(rows, 2).empty());
  const std::string payload = FindCredentialReuse(rows, 1)[0].PayloadJson("x");
  EXPECT_NE(payload.find("\"target_count\":1"), std::string::npos) << payload;
}

// Issue 13: reuse compares exact secrets. Two non-ASCII passwords print the same ("t??st") but are
// different secrets; the text "ff" and the byte 0xFF (stored as hex "ff") are different too.
TEST(intel_Reuse, ExactSecretsDoNotCollapse) {
  CredentialRow a = Row("tëst", "decky-01", "ssh", "1.1.1.1", 10);
  CredentialRow b = Row("tâst", "decky-02", "ssh", "1.1.1.1", 11);
  EXPECT_TRUE(FindCredentialReuse(std::vector<CredentialRow>{a, b}, 2).empty());
  CredentialRow text = Row("ff", "decky-01", "ssh", "1.1.1.1", 10);
  CredentialRow hex = Row("ff", "decky-02", "ssh", "1.1.1.1", 11);
  hex.secret_encoding = "hex";
  EXPECT_TRUE(FindCredentialReuse(std::vector<CredentialRow>{text, hex}, 2).empty());
  CredentialRow hex2 = Row("ff", "decky-03", "ftp", "2.2.2.2", 12);
  hex2.secret_encoding = "hex";
  auto f = FindCredentialReuse(std::vector<CredentialRow>{text, hex, hex2}, 2);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].secret_encoding, "hex");
  EXPECT_EQ(f[0].target_count, 2u);
}

}  // namespace
}  // namespace decnet::intel
