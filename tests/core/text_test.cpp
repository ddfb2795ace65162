#include "decnet/core/text.h"

#include <gtest/gtest.h>

namespace decnet {
namespace {

TEST(Base64, Rfc4648Vectors) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    std::string back;
    ASSERT_TRUE(Base64Decode(encoded, &back)) << encoded;
    EXPECT_EQ(back, plain);
  }
}

TEST(Base64, ExactBytesRoundTrip) {
  const std::string bytes("t\xc3\xabst\x00\xff\x80", 8);  // UTF-8, NUL and invalid UTF-8 together
  std::string back;
  ASSERT_TRUE(Base64Decode(Base64Encode(bytes), &back));
  EXPECT_EQ(back, bytes);
}

TEST(Base64, UnpaddedAccepted) {
  std::string out;
  ASSERT_TRUE(Base64Decode("Zm8", &out));
  EXPECT_EQ(out, "fo");
}

TEST(Base64, RejectsGarbage) {
  std::string out = "kept?";
  EXPECT_FALSE(Base64Decode("Zm9v!", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(Base64Decode("Z", &out));        // impossible length
  EXPECT_FALSE(Base64Decode("Zm9 v", &out));    // whitespace
  EXPECT_FALSE(Base64Decode("Zh==", &out));     // non-zero padding bits
  EXPECT_FALSE(Base64Decode("Zg===", &out));    // three '='
}

}  // namespace
}  // namespace decnet
