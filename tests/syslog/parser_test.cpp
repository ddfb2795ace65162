// RFC 5424 parser vectors: every header field, SD escapes, BOM, timestamps and time zones, strict
// vs lenient, RFC 3164.
#include <gtest/gtest.h>

#include "decnet/syslog/format.h"
#include "decnet/syslog/message.h"

namespace decnet::syslog {
namespace {

ParseOptions Strict() {
  ParseOptions o;
  o.mode = ParseMode::kStrict;
  return o;
}

// 2026-05-02T06:22:48Z
constexpr int64_t kT0 = 1777702968LL * 1000000;

TEST(SyslogParser, AllHeaderFields) {
  Message m;
  const std::string line =
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] An application "
      "event";
  ASSERT_TRUE(Parse(line, &m, Strict()));
  EXPECT_EQ(m.facility, 20);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(m.timestamp, "2003-10-11T22:14:15.003Z");
  EXPECT_TRUE(m.has_time);
  EXPECT_EQ(m.time_us, 1065910455003000);
  EXPECT_EQ(m.hostname, "mymachine.example.com");
  EXPECT_EQ(m.app_name, "evntslog");
  EXPECT_EQ(m.procid, "1234");
  EXPECT_EQ(m.msgid, "ID47");
  ASSERT_EQ(m.sd.size(), 1u);
  EXPECT_EQ(m.sd[0].id, "exampleSDID@32473");
  ASSERT_EQ(m.sd[0].param_count, 3u);
  EXPECT_EQ(m.params[0].name, "iut");
  EXPECT_EQ(m.params[0].value, "3");
  EXPECT_EQ(m.params[2].value, "1011");
  EXPECT_EQ(m.msg, "An application event");
  EXPECT_FALSE(m.msg_has_bom);
}

TEST(SyslogParser, NilFieldsAndNoMsg) {
  Message m;
  ASSERT_TRUE(Parse("<0>1 - - - - - -", &m, Strict()));
  EXPECT_EQ(m.facility, 0);
  EXPECT_EQ(m.severity, 0);
  EXPECT_FALSE(m.has_time);
  EXPECT_EQ(m.hostname, kNil);
  EXPECT_EQ(m.msgid, kNil);
  EXPECT_TRUE(m.sd.empty());
  EXPECT_TRUE(m.msg.empty());
}

TEST(SyslogParser, SeveralSdElementsAndEscapes) {
  Message m;
  const std::string line =
      R"(<134>1 2026-05-02T06:22:48Z h a - e [a@1 x="q\"uo\\te\]d" y="plain\n"][b@2 z=""] m)";
  ASSERT_TRUE(Parse(line, &m, Strict()));
  ASSERT_EQ(m.sd.size(), 2u);
  EXPECT_EQ(m.params[0].value, "q\"uo\\te]d");
  // A backslash before anything else is not an escape: it is kept.
  EXPECT_EQ(m.params[1].value, "plain\\n");
  EXPECT_EQ(m.sd[1].id, "b@2");
  EXPECT_EQ(m.params[2].name, "z");
  EXPECT_EQ(m.params[2].value, "");
  EXPECT_EQ(m.msg, "m");
  EXPECT_EQ(m.FindElement("b@2"), &m.sd[1]);
  EXPECT_EQ(m.FindElement("c@3"), nullptr);
}

TEST(SyslogParser, EscapedValuesSurviveReuseOfTheMessage) {
  Message m;
  std::string big = "<14>1 - h a - e [a@1";
  for (int i = 0; i < 50; ++i)
    big += " k" + std::to_string(i) + "=\"v\\\"" + std::to_string(i) + "\"";
  big += "]";
  ASSERT_TRUE(Parse(big, &m, Strict()));
  ASSERT_EQ(m.params.size(), 50u);
  EXPECT_EQ(m.params[0].value, "v\"0");
  EXPECT_EQ(m.params[49].value, "v\"49");
  ASSERT_TRUE(Parse("<14>1 - h a - e [a@1 k=\"\\]\"]", &m, Strict()));
  EXPECT_EQ(m.params[0].value, "]");
}

TEST(SyslogParser, Bom) {
  Message m;
  ASSERT_TRUE(Parse("<14>1 - h a - e - \xEF\xBB\xBFh\xC3\xA9llo", &m, Strict()));
  EXPECT_TRUE(m.msg_has_bom);
  EXPECT_EQ(m.msg, "h\xC3\xA9llo");
  EXPECT_FALSE(Parse("<14>1 - h a - e - \xEF\xBB\xBF\xFF\xFE", &m, Strict()));
  // RFC 3629 UTF-8 only: an overlong '/' and a UTF-16 surrogate are not UTF-8.
  EXPECT_FALSE(Parse("<14>1 - h a - e - \xEF\xBB\xBF\xC0\xAF", &m, Strict()));
  EXPECT_FALSE(Parse("<14>1 - h a - e - \xEF\xBB\xBF\xED\xA0\x80", &m, Strict()));
  ASSERT_TRUE(Parse("<14>1 - h a - e - \xEF\xBB\xBF\xFF\xFE", &m));  // lenient keeps it
  EXPECT_TRUE(m.msg_has_bom);
}

TEST(SyslogParser, TimestampsToUtc) {
  int64_t t = 0;
  EXPECT_TRUE(ParseRfc3339("2026-05-02T06:22:48Z", false, &t));
  EXPECT_EQ(t, kT0);
  EXPECT_TRUE(ParseRfc3339("2026-05-02T08:22:48+02:00", false, &t));
  EXPECT_EQ(t, kT0);
  EXPECT_TRUE(ParseRfc3339("2026-05-01T23:52:48-06:30", false, &t));
  EXPECT_EQ(t, kT0);
  EXPECT_TRUE(ParseRfc3339("2026-05-02T06:22:48.089309+00:00", false, &t));
  EXPECT_EQ(t, kT0 + 89309);
  EXPECT_TRUE(ParseRfc3339("2026-05-02T06:22:48.5Z", false, &t));
  EXPECT_EQ(t, kT0 + 500000);
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z", false, &t));
  EXPECT_TRUE(ParseRfc3339("1985-04-12T23:20:50.52Z", false, &t));
  EXPECT_EQ(t, 482196050520000);
  // Naive: lenient reads it as UTC; strict refuses.
  EXPECT_FALSE(ParseRfc3339("2026-05-02T06:22:48.089309", false, &t));
  EXPECT_TRUE(ParseRfc3339("2026-05-02T06:22:48.089309", true, &t));
  EXPECT_EQ(t, kT0 + 89309);
  // 7+ fraction digits: RFC 5424 allows 6.
  EXPECT_FALSE(ParseRfc3339("2026-05-02T06:22:48.1234567Z", false, &t));
  EXPECT_TRUE(ParseRfc3339("2026-05-02T06:22:48.1234567Z", true, &t));
  EXPECT_EQ(t, kT0 + 123456);
  for (const char* bad : {"2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-05-02T24:00:00Z",
                          "2026-05-02 06:22:48Z", "2026-05-02T06:22:48+2:00",
                          "2026-05-02T06:22:48.Z", "2026-05-02T06:22:48+02:00x", "x", ""}) {
    EXPECT_FALSE(ParseRfc3339(bad, true, &t)) << bad;
  }
}

TEST(SyslogParser, StrictRejectsWhatTheRfcForbids) {
  Message m;
  for (const char* bad : {
           "<192>1 - h a - e -",                                 // PRI > 191
           "<013>1 - h a - e -",                                 // leading zero
           "<14>2 - h a - e -",                                  // VERSION
           "<14>1  - h a - e -",                                 // two spaces
           "<14>1 2026-05-02T06:22:48 h a - e -",                // no time zone
           "<14>1 - h a - e",                                    // no SD
           "<14>1 - h a - e x",                                  // SD not '-' or '['
           "<14>1 - h a - e [a@1 k=\"v\"]x",                     // no SP after SD
           "<14>1 - h a - e [a@1 k=v]",                          // unquoted
           "<14>1 - h a - e [a@1 k=\"v]",                        // unterminated quote
           "<14>1 - h a - 012345678901234567890123456789012 -",  // MSGID > 32
       }) {
    EXPECT_FALSE(Parse(bad, &m, Strict())) << bad;
  }
}

TEST(SyslogParser, LenientMissingSdAndNumericProcid) {
  Message m;
  ASSERT_TRUE(Parse("<38>1 2026-05-02T06:22:48Z decky sshd 4242 - Failed password for root", &m));
  EXPECT_EQ(m.procid, "4242");
  EXPECT_EQ(m.msgid, kNil);
  // "- Failed": NIL SD then MSG.
  EXPECT_EQ(m.msg, "Failed password for root");
  ASSERT_TRUE(Parse("<38>1 2026-05-02T06:22:48Z decky sshd 4242 login Failed password", &m));
  EXPECT_EQ(m.msgid, "login");
  EXPECT_TRUE(m.sd.empty());
  EXPECT_EQ(m.msg, "Failed password");  // missing SD: MSG follows MSGID
  ASSERT_TRUE(Parse("<38>1 2026-05-02T06:22:48Z decky  sshd   - login", &m));
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.msgid, "login");
  // A malformed SD stays in MSG.
  ASSERT_TRUE(Parse("<38>1 - h a - e [a@1 k=\"v] rest", &m));
  EXPECT_TRUE(m.sd_malformed);
  EXPECT_EQ(m.msg, "[a@1 k=\"v] rest");
}

TEST(SyslogParser, Rfc3164Lines) {
  ParseOptions o;
  o.now_us = kT0;
  Message m;
  ASSERT_TRUE(Parse("<38>May  2 06:22:48 decky sshd[4242]: Failed password for root", &m, o));
  EXPECT_EQ(m.format, WireFormat::kRfc3164);
  EXPECT_EQ(m.facility, 4);
  EXPECT_EQ(m.severity, 6);
  EXPECT_EQ(m.hostname, "decky");
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.procid, "4242");
  EXPECT_EQ(m.msg, "Failed password for root");
  EXPECT_TRUE(m.has_time);
  EXPECT_EQ(m.time_us, kT0);
  // No hostname (what a local daemon writes to /dev/log).
  ASSERT_TRUE(Parse("<13>May  2 06:22:48 root: hello world", &m, o));
  EXPECT_EQ(m.hostname, kNil);
  EXPECT_EQ(m.app_name, "root");
  EXPECT_EQ(m.msg, "hello world");
  // December seen in May: last year.
  ASSERT_TRUE(Parse("<13>Dec 31 23:59:59 h t: x", &m, o));
  EXPECT_LT(m.time_us, kT0);
  // No timestamp, no tag.
  ASSERT_TRUE(Parse("<13>just text", &m, o));
  EXPECT_FALSE(m.has_time);
  EXPECT_EQ(m.msg, "just text");
  EXPECT_FALSE(Parse("<13>May  2 06:22:48 h t: x", &m, Strict()));
}

TEST(SyslogFormat, RoundTripAndDecnetLine) {
  Message m;
  const std::string line =
      R"(<134>1 2026-05-02T06:22:48.089309+00:00 h app 12 ev [a@1 k="a\"b\\c\]d"][b@2] msg text)";
  ASSERT_TRUE(Parse(line, &m, Strict()));
  std::string out;
  AppendMessage(&out, m);
  EXPECT_EQ(out, line);
  ParamList params = {{"src_ip", "10.0.0.1"}, {"ua", "a\"]\\"}};
  std::string d = FormatDecnetLine(6, kT0 + 89309, "decky-01", "http", "request", params, "GET /");
  EXPECT_EQ(d,
            "<134>1 2026-05-02T06:22:48.089309+00:00 decky-01 http - request "
            R"([relay@55555 src_ip="10.0.0.1" ua="a\"\]\\"] GET /)");
  EXPECT_EQ(FormatDecnetLine(4, kT0, "", std::string(60, 'a'), "e", {}, ""),
            "<132>1 2026-05-02T06:22:48.000000+00:00 - " + std::string(48, 'a') + " - e -");
  std::string ts;
  AppendUtcSeconds(&ts, kT0);
  EXPECT_EQ(ts, "2026-05-02 06:22:48");
  ts.clear();
  AppendRfc3339(&ts, 0);
  EXPECT_EQ(ts, "1970-01-01T00:00:00.000000+00:00");
}

}  // namespace
}  // namespace decnet::syslog
