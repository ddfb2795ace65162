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

TEST(HttpAuth, LoginRateLimitPerSourceWithBoundedMap) {
  LoginRateLimiter rl(/*max_sources=*/3, /*max_attempts=*/5, /*window_s=*/60);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rl.Allow("1.1.1.1", 100));
  EXPECT_FALSE(rl.Allow("1.1.1.1", 101));
  EXPECT_TRUE(rl.Allow("2.2.2.2", 101));  // other sources unaffected
  EXPECT_TRUE(rl.Allow("1.1.1.1", 161));  // window passed
  EXPECT_TRUE(rl.Allow("3.3.3.3", 102));
  EXPECT_TRUE(rl.Allow("4.4.4.4", 103));  // evicts the least recently seen (2.2.2.2)
  EXPECT_EQ(rl.size(), 3u);
  EXPECT_EQ(rl.evicted(), 1u);
  EXPECT_EQ(rl.refused(), 1u);
}

}  // namespace
}  // namespace decnet::http
