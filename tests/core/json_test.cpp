#include "decnet/core/json.h"

#include <gtest/gtest.h>

namespace decnet::json {
namespace {

TEST(JsonTest, WriterEscapesAndRoundTrips) {
  JsonWriter w;
  w.Str("s", "a\"b\\c\n\x01").Int("i", -5).Uint("u", 7).Double("d", 1.5).Bool("b", true).Null("n");
  const std::string out = w.Finish();
  rapidjson::Document doc;
  ASSERT_TRUE(ParseObject(out, doc)) << out;
  EXPECT_EQ(GetString(doc, "s"), "a\"b\\c\n\x01");
  EXPECT_EQ(GetInt(doc, "i"), -5);
  EXPECT_DOUBLE_EQ(GetDouble(doc, "d"), 1.5);
  EXPECT_TRUE(doc["b"].GetBool());
  EXPECT_TRUE(doc["n"].IsNull());
}

TEST(JsonTest, InvalidUtf8BecomesReplacementCharacterAndStaysValid) {
  std::string out;
  AppendQuoted(out, std::string("ok\xff\xc3(\xed\xa0\x80 \xe2\x82\xac", 13));
  rapidjson::Document doc;
  ASSERT_TRUE(Parse(out, doc)) << out;
  const std::string v(doc.GetString(), doc.GetStringLength());
  EXPECT_NE(v.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(v.find("\xe2\x82\xac"), std::string::npos);  // a valid euro sign survives
}

TEST(JsonTest, DoublesRoundTripExactly) {
  for (double d : {0.1, 1700000000.123456, 1e-300, -2.5}) {
    std::string out;
    AppendDouble(out, d);
    EXPECT_EQ(std::strtod(out.c_str(), nullptr), d) << out;
  }
  std::string out;
  AppendDouble(out, 0.0 / 0.0);
  EXPECT_EQ(out, "null");
}

TEST(JsonTest, LimitsRejectBombsAndOversizedInput) {
  std::string bomb(10000, '[');
  rapidjson::Document doc;
  Status st = Parse(bomb, doc);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kLimit);
  EXPECT_FALSE(Parse(std::string(2 << 20, ' '), doc));
  EXPECT_FALSE(ParseObject("[1,2]", doc));
  EXPECT_FALSE(ParseObject("{\"a\":", doc));
  EXPECT_TRUE(ParseObject("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", doc));  // brackets in strings
}

TEST(JsonTest, DepthLimitIsExactAndHostileBytesAreRejectedWithTheirOffset) {
  rapidjson::Document doc;
  ParseLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(Parse("[[[1]]]", doc, limits));
  Status deep = Parse("[[[[1]]]]", doc, limits);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::kLimit);
  EXPECT_TRUE(Parse("{\"a\":{\"b\":[1]},\"c\":{\"d\":[2]}}", doc, limits));  // depth returns
  // A NUL after a complete value must not hide the garbage behind it.
  Status nul = Parse(std::string("{\"a\":1}\0{\"b\"", 12), doc);
  ASSERT_FALSE(nul);
  EXPECT_NE(nul.error().message.find("byte 7"), std::string::npos) << nul.error().message;
  EXPECT_FALSE(Parse("{\"a\":1} x", doc));           // trailing garbage
  EXPECT_FALSE(Parse("{\"a\":\"\xff\"}", doc));     // not UTF-8
  EXPECT_FALSE(Parse("{\"a\":\"\xc0\xaf\"}", doc));  // overlong
  ASSERT_TRUE(Parse("{\"k\":\"caf\xc3\xa9\"}", doc));
  EXPECT_EQ(GetString(doc, "k"), "caf\xc3\xa9");
  ASSERT_TRUE(Parse(" {\"big\":\"" + std::string(200000, 'x') + "\"} ", doc));  // then a small one
  ASSERT_TRUE(Parse("{\"n\":2}", doc));
  EXPECT_EQ(GetInt(doc, "n"), 2);
}

TEST(JsonTest, AccessorsTolerateWrongTypes) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseObject(R"({"a":1,"b":"x","c":1e300})", doc));
  EXPECT_EQ(GetString(doc, "a", "def"), "def");
  EXPECT_EQ(GetInt(doc, "b", 9), 9);
  EXPECT_EQ(GetInt(doc, "c", 9), 9);
  EXPECT_EQ(GetInt(doc, "missing", 3), 3);
}

}  // namespace
}  // namespace decnet::json
