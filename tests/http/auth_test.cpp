#include <gtest/gtest.h>

#include "decnet/http/auth.h"

namespace decnet::http {
namespace {

constexpr char kSecret[] = "test-secret-0123456789";

JwtClaims Claims(int64_t exp) {
  JwtClaims c;
  c.sub = "uuid-1";
  c.username = "admin";
  c.role = "admin";
  c.jti = RandomHex(8);
  c.iat = 1000;
  c.exp = exp;
  return c;
}

TEST(HttpAuth, PasswordHashRoundTrip) {
  auto h = HashPassword("correct horse battery");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("correct horse battery", *h));
  EXPECT_FALSE(VerifyPassword("correct horse batterz", *h));
  EXPECT_FALSE(VerifyPassword("x", "not-a-hash"));
  EXPECT_FALSE(VerifyPassword("x", ""));
  auto h2 = HashPassword("correct horse battery");
  EXPECT_NE(*h, *h2);  // salted
}

TEST(HttpAuth, PasswordPolicy) {
  EXPECT_FALSE(CheckPasswordPolicy("short").has_value());
  EXPECT_TRUE(CheckPasswordPolicy("long enough").has_value());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(300, 'a')).has_value());
  EXPECT_EQ(GeneratePassword(20).size(), 20u);
  EXPECT_NE(GeneratePassword(), GeneratePassword());
}

TEST(HttpAuth, JwtRoundTrip) {
  std::string t = SignJwt(Claims(2000), kSecret);
  auto c = VerifyJwt(t, kSecret, 1500);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->sub, "uuid-1");
  EXPECT_EQ(c->username, "admin");
  EXPECT_EQ(c->exp, 2000);
}

TEST(HttpAuth, JwtExpiryIsEnforced) {
  std::string t = SignJwt(Claims(2000), kSecret);
  auto c = VerifyJwt(t, kSecret, 2000);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message.find("expired"), std::string::npos);
}

TEST(HttpAuth, JwtTamperingIsRejected) {
  std::string t = SignJwt(Claims(2000), kSecret);
  EXPECT_FALSE(VerifyJwt(t, "other-secret", 1500).has_value());
  // Flip one character in each part.
  size_t d1 = t.find('.'), d2 = t.rfind('.');
  for (size_t pos : {size_t(2), d1 + 3, d2 + 3}) {
    std::string bad = t;
    bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(VerifyJwt(bad, kSecret, 1500).has_value()) << pos;
  }
  // alg=none with the same payload and no signature.
  std::string none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0" + t.substr(d1, d2 - d1) + ".";
  EXPECT_FALSE(VerifyJwt(none, kSecret, 1500).has_value());
  EXPECT_FALSE(VerifyJwt("", kSecret, 1500).has_value());
  EXPECT_FALSE(VerifyJwt("a.b", kSecret, 1500).has_value());
  EXPECT_FALSE(VerifyJwt("a.b.c.d", kSecret, 1500).has_value());
  EXPECT_FALSE(VerifyJwt(std::string(10000, 'a'), kSecret, 1500).has_value());
}

TEST(HttpAuth, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

// Issue 14, finding 6: a budget of free attempts, then a wait that doubles with each attempt; only the
// key's own success forgives it; a full map evicts the key seen longest ago, never one under attack.
TEST(HttpAuth, ThrottleBacksOffAndForgivesOnlyItsOwnKey) {
  ThrottleOptions o;
  o.max_keys = 3;
  o.free_attempts = 3;
  o.quiet_s = 60;
  o.base_delay_s = 1;
  o.max_delay_s = 8;
  Throttle t(o);
  int64_t now = 1000;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(t.Wait("u:admin", now), 0);
    t.Record("u:admin", now);
  }
  EXPECT_EQ(t.Wait("u:admin", now), 0);
  t.Record("u:admin", now);  // the third: the budget is spent, 1 s to wait
  EXPECT_EQ(t.Wait("u:admin", now), 1);
  EXPECT_EQ(t.Wait("u:viewer", now), 0);  // other keys unaffected
  t.Record("u:viewer", now);
  t.Forgive("u:viewer");  // the viewer's success forgives the viewer only
  EXPECT_EQ(t.Wait("u:admin", now), 1);
  now += 1;
  t.Record("u:admin", now);
  EXPECT_EQ(t.Wait("u:admin", now), 2);
  now += 2;
  t.Record("u:admin", now);
  EXPECT_EQ(t.Wait("u:admin", now), 4);
  now += 4;
  t.Record("u:admin", now);
  EXPECT_EQ(t.Wait("u:admin", now), 8);
  now += 8;
  t.Record("u:admin", now);
  EXPECT_EQ(t.Wait("u:admin", now), 8);  // capped at max_delay_s
  // Waiting out the delay is not a fresh budget; quiet for quiet_s after it is.
  now += 8 + 60;
  t.Record("u:admin", now);
  EXPECT_EQ(t.Wait("u:admin", now), 0);
  // Bounded: the key seen longest ago goes, not the one being hammered.
  t.Record("a", now + 1);
  t.Record("b", now + 2);
  t.Record("u:admin", now + 3);
  t.Record("c", now + 4);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_GE(t.evicted(), 1u);
  EXPECT_EQ(t.Wait("u:admin", now + 3), 0);
  t.Record("u:admin", now + 3);
  EXPECT_EQ(t.Wait("u:admin", now + 3), 1);  // its count survived the evictions
}

}  // namespace
}  // namespace decnet::http
