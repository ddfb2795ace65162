// Hostile input for the parser and the framers: no PRI, PRI 999, huge SD, unterminated quotes, NUL
// bytes, invalid UTF-8, a 10 MB line; and the fuzz targets' entry functions on a handful of such
// inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "decnet/core/json.h"
#include "decnet/syslog/decnet.h"
#include "decnet/syslog/framing.h"

extern "C" int FuzzSyslogParse(const uint8_t*, size_t);
extern "C" int FuzzSyslogStreamFramer(const uint8_t*, size_t);
extern "C" int FuzzSyslogRfc5425Framer(const uint8_t*, size_t);

namespace decnet::syslog {
namespace {

TEST(SyslogHostile, NoPriAndBadPri) {
  Message m;
  for (const char* bad : {"", "<", "<>", "<999>1 - h a - e -", "<1234>1 - - - - - -",
                          "14>1 - h a - e -", "<-1>1 - h a - e -", "<14", "no pri at all"}) {
    EXPECT_FALSE(Parse(bad, &m)) << bad;
  }
}

TEST(SyslogHostile, HugeSdIsBounded) {
  std::string line = "<14>1 - h a - e [relay@55555";
  for (int i = 0; i < 100000; ++i) line += " k=\"v\"";
  line += "] tail";
  Message m;
  ParseOptions o;
  ASSERT_TRUE(Parse(line, &m, o));
  EXPECT_EQ(m.params.size(), o.max_sd_params);
  EXPECT_EQ(m.sd_params_dropped, 100000u - o.max_sd_params);
  EXPECT_EQ(m.msg, "tail");
  o.mode = ParseMode::kStrict;
  Status st = Parse(line, &m, o);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kLimit);
  std::string many = "<14>1 - h a - e ";
  for (int i = 0; i < 10000; ++i) many += "[x@1 a=\"b\"]";
  ParseOptions lenient;
  ASSERT_TRUE(Parse(many, &m, lenient));
  EXPECT_EQ(m.sd.size(), lenient.max_sd_elements);
}

TEST(SyslogHostile, UnterminatedQuotesAndBrackets) {
  DecnetParser p;
  DecnetRecord r;
  for (const char* line : {"<14>1 - h a - e [relay@55555 src_ip=\"1.2.3.4",
                           "<14>1 - h a - e [relay@55555 src_ip=\"1.2.3.4\\\"]",
                           "<14>1 - h a - e [relay@55555 src_ip=\"1.2.3.4\"", "<14>1 - h a - e [",
                           "<14>1 - h a - e [relay@55555 =\"x\"]", "<14>1 - h a - e [ ]"}) {
    ASSERT_TRUE(p.Parse(line, &r)) << line;
    EXPECT_TRUE(r.fields.empty()) << line;
  }
}

TEST(SyslogHostile, NulBytesAndInvalidUtf8MakeValidJson) {
  static const char kLine[] =
      "<14>1 - h\xff a - e [relay@55555 src_ip=\"1.2.3.4\" x=\"a\0b\xc3\x28\"] m\0sg "
      "\xed\xa0\x80\xf8";
  const std::string line(kLine, sizeof(kLine) - 1);
  DecnetParser p;
  DecnetRecord r;
  ASSERT_TRUE(p.Parse(line, &r));
  EXPECT_EQ(r.attacker_ip, "1.2.3.4");
  std::string json;
  AppendJsonRecord(&json, r);
  rapidjson::Document doc;
  ASSERT_TRUE(json::ParseObject(json, doc)) << json;
  EXPECT_EQ(json::GetString(doc["fields"], "x").size() > 0, true);
}

TEST(SyslogHostile, TenMegabyteLine) {
  std::string line = "<14>1 2026-05-02T06:22:48Z h a - e [relay@55555 src_ip=\"1.2.3.4\"] ";
  line.append(10 * 1024 * 1024, 'A');
  DecnetParser p;
  DecnetRecord r;
  ASSERT_TRUE(p.Parse(line, &r));
  EXPECT_EQ(r.msg.size(), 10u * 1024 * 1024);
  // Through a framer with a 64 KiB bound: one truncated frame, nothing buffered beyond the bound.
  StreamFramer f(64 * 1024);
  size_t frames = 0;
  Frame fr;
  for (size_t i = 0; i < line.size(); i += 65536) {
    f.Append(std::string_view(line).substr(i, 65536));
    while (true) {
      auto n = f.Next(&fr);
      ASSERT_TRUE(n);
      if (!*n) break;
      ++frames;
      EXPECT_TRUE(fr.truncated);
      EXPECT_EQ(fr.data.size(), 64u * 1024);
    }
    EXPECT_LE(f.buffered(), 2u * 65536);
  }
  EXPECT_EQ(frames, 1u);
  // Binary garbage with a high bare-IP scan cost still parses.
  std::string digits = "<14>1 - h a - - - ";
  for (int i = 0; i < 200000; ++i) digits += "1.2.3.";
  ASSERT_TRUE(p.Parse(digits, &r));
}

TEST(SyslogHostile, FuzzEntryFunctionsOnHostileInputs) {
  const std::string inputs[] = {
      "",
      "<",
      "<999>1 - - - - - -",
      std::string("<14>1 - h a - e [a@1 k=\"\0\"] \xEF\xBB\xBF\xff", 33),
      "99999999999 x",
      "5 abc",
      "3 abcdefgh\n\n\n7 <14>1 x",
      "<14>1 2026-05-02T06:22:48Z omega 1 - - -  2026-05-02T06:22:48Z i b - command [t a=\"1\"] "
      "CMD cmd=x",
      std::string(300, '[') + std::string(300, '"'),
      "<14>1 - - - - - [a@1 " + std::string(5000, 'k') + "=\"v\"]",
  };
  for (const std::string& in : inputs) {
    auto* d = reinterpret_cast<const uint8_t*>(in.data());
    EXPECT_EQ(FuzzSyslogParse(d, in.size()), 0);
    EXPECT_EQ(FuzzSyslogStreamFramer(d, in.size()), 0);
    EXPECT_EQ(FuzzSyslogRfc5425Framer(d, in.size()), 0);
  }
}

}  // namespace
}  // namespace decnet::syslog
